package io.opsbridge;

import static io.opsbridge.WebhookIntakeTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same migrations and intake on a real PostgreSQL server, configured by JDBC URL only. */
class PostgresIntakeTest {

    @TempDir
    static Path unused;
    static EmbeddedPostgres postgres;
    static TestHub hub;
    static Webhooks vendor;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        hub = TestHub.start(unused, Map.of(
                "opsbridge.db.url", postgres.getJdbcUrl("postgres", "postgres"),
                "opsbridge.db.user", "postgres",
                "opsbridge.inbox.writer-threads", "4",
                "opsbridge.sender.crm.secrets", "pg-secret",
                "opsbridge.sender.crm.rate-limit", "0"));
        vendor = new Webhooks(hub);
    }

    @AfterAll
    static void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void acceptsDeduplicatesAndSurvivesARestart() {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_pg_1"));
        assertThat(vendor.post("/webhooks/orders", "pg-secret", body).statusCode()).isEqualTo(202);
        assertThat(hub.query("SELECT state, sender FROM inbox_event WHERE event_id = 'evt_pg_1'"))
                .containsExactly(Map.of("state", "received", "sender", "crm"));
        hub.restart();
        assertThat(vendor.post("/webhooks/orders", "pg-secret", body).statusCode()).isEqualTo(200);
        assertProblem(vendor.post("/webhooks/orders", "pg-secret", body.replace("Acme", "Acne")), 409, "event-id-conflict");
    }

    @Test
    void concurrentDuplicatesResolveToOne202() throws Exception {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_pg_race"));
        ExecutorService pool = Executors.newFixedThreadPool(30);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return vendor.post("/webhooks/orders", "pg-secret", body).statusCode();
            }));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : results) {
            codes.add(f.get());
        }
        pool.shutdown();
        assertThat(codes).filteredOn(c -> c == 202).hasSize(1);
        assertThat(codes).filteredOn(c -> c == 200).hasSize(29);
    }
}
