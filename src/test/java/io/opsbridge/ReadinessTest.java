package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.opsbridge.support.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness includes the database: it goes down when the database does, liveness stays up. */
class ReadinessTest {

    @TempDir
    Path data;

    /**
     * The database opens in the background while the routes are built: one that cannot be opened
     * still stops the start, with its reason, instead of leaving a hub up that cannot store anything.
     */
    @Test
    void aDatabaseThatCannotBeOpenedStopsTheStartWithItsReason() {
        assertThatThrownBy(() -> TestHub.start(data, Map.of(
                "opsbridge.db.url", "jdbc:postgresql://127.0.0.1:1/opsbridge",
                "opsbridge.db.user", "postgres",
                "opsbridge.db.connection-timeout-ms", "500")))
                .hasStackTraceContaining("Connection to 127.0.0.1:1 refused");
    }

    /** The event schemas are read in the background too: a schema file that is not JSON still stops the start. */
    @Test
    void anEventSchemaThatCannotBeReadStopsTheStart() throws Exception {
        Path schemas = data.resolve("schemas");
        for (Path f : (Iterable<Path>) Files.walk(Path.of("schemas"))::iterator) {
            Path target = schemas.resolve(Path.of("schemas").relativize(f).toString());
            if (Files.isDirectory(f)) {
                Files.createDirectories(target);
            } else {
                Files.copy(f, target);
            }
        }
        Files.writeString(schemas.resolve("events/ORDER.CREATED.schema.json"), "{ not json");
        assertThatThrownBy(() -> TestHub.start(data, Map.of("opsbridge.schemas.dir", schemas.toString())))
                .hasStackTraceContaining("ORDER.CREATED.schema.json");
    }

    @Test
    void readinessFollowsTheDatabase() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (TestHub hub = TestHub.start(data, Map.of(
                "opsbridge.db.url", postgres.getJdbcUrl("postgres", "postgres"),
                "opsbridge.db.user", "postgres",
                "opsbridge.db.connection-timeout-ms", "1000",
                "opsbridge.admin.token", "ready-admin"))) {
            assertThat(status(hub, "/observe/health/ready")).isEqualTo(200);
            assertThat(status(hub, "/observe/health/live")).isEqualTo(200);

            postgres.close();

            await().atMost(Duration.ofSeconds(20)).until(() -> status(hub, "/observe/health/ready") == 503);
            assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/observe/health/ready")).GET()).body()).contains("DOWN");
            assertThat(status(hub, "/observe/health/live")).isEqualTo(200);
            // a request needing the database is our trouble, not the client's: 503 problem+json, retry later
            var tenants = hub.send(HttpRequest.newBuilder(hub.uri("/admin/tenants")).header("Authorization", "Bearer ready-admin").GET());
            assertThat(tenants.statusCode()).isEqualTo(503);
            assertThat(tenants.headers().firstValue("Retry-After")).isPresent();
            assertThat(tenants.body()).contains("storage-unavailable").doesNotContain("Exception");
        }
    }

    static int status(TestHub hub, String path) {
        return hub.send(HttpRequest.newBuilder(hub.uri(path)).GET()).statusCode();
    }
}
