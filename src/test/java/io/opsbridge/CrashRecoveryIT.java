package io.opsbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opsbridge.support.Events;
import io.opsbridge.support.PackagedHub;
import io.opsbridge.support.Webhooks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 202 is honest: the packaged hub, as its own process, on its SHIPPED settings (a working
 * directory with a copy of application.properties, routes, schemas, sandbox and docs, and no database
 * override: on H2 the shipped URL with its WRITE_DELAY=0; on PostgreSQL only the URL an operator sets),
 * is killed with SIGKILL in the middle of a load of signed events, or with flows half done; started
 * again on the same data, it loses nothing it acknowledged and finishes every flow. Its secret comes
 * from an environment variable, which checks that override of application.properties too.
 */
class CrashRecoveryIT {

    static final String SECRET = "crash-test-secret";
    static final int SENDERS = 8;
    /** Acknowledged events the load must reach before the kill. */
    static final int ACKNOWLEDGED_BEFORE_KILL = 300;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    enum Db { H2, POSTGRES }

    static EmbeddedPostgres postgres;
    static final AtomicInteger databases = new AtomicInteger();

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void everyAcknowledgedEventSurvivesSigkill(Db db) throws Exception {
        PackagedHub hub = shipped(db, List.of("-Dopsbridge.delivery.enabled=false", "-Dopsbridge.sender.crm.rate-limit=0"));
        hub.start("hub-1.log");
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger unanswered = new AtomicInteger();
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        for (int t = 0; t < SENDERS; t++) {
            int thread = t;
            pool.submit(() -> {
                for (int n = 0; sending.get(); n++) {
                    String id = "evt_crash_" + thread + "_" + n;
                    String body = Events.json(Events.example("ORDER.CREATED", id));
                    try {
                        if (post(hub.port, body).statusCode() == 202) {
                            acknowledged.put(id, body);
                        }
                    } catch (IOException e) {
                        unanswered.incrementAndGet(); // in flight at the kill, or refused after it: never acknowledged
                    }
                }
                return null;
            });
        }
        // kill under load: once enough was acknowledged, with the senders still sending
        await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL);
        hub.kill();
        sending.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        hub.start("hub-2.log");
        try {
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                HttpResponse<String> again = post(hub.port, e.getValue());
                if (again.statusCode() != 200 || !again.body().contains("\"duplicate\"")) {
                    lost.add(e.getKey() + " -> " + again.statusCode());
                }
            }
            System.out.printf("CrashRecoveryIT %s: %d acknowledged before SIGKILL, %d without an answer, %d lost%n",
                    db, acknowledged.size(), unanswered.get(), lost.size());
            assertThat(lost).as("acknowledged with 202 but unknown after the restart").isEmpty();
        } finally {
            hub.stop();
        }
    }

    /**
     * Flows killed mid-way resume after the restart: at the kill, tasks were created and no pick had
     * been answered (the WMS holds its answers), so every flow was half done; after the restart every
     * event ends done, and each downstream call was repeated, if at all, with the same Idempotency-Key.
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    void flowsKilledMidWayFinishAfterTheRestart(Db db) throws Exception {
        WireMockServer downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(60));
        downstream.start();
        try {
            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/tm/tasks").willReturn(okJson("{\"id\":\"T\"}").withStatus(201)));
            // the WMS takes its time: no flow can get past its pick before the kill
            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/wms/picks").willReturn(okJson("{\"id\":\"P\"}").withStatus(201).withFixedDelay(30_000)));
            downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}")));
            PackagedHub hub = shipped(db, List.of("-Dopsbridge.delivery.poll-interval-ms=50",
                    "-Dopsbridge.delivery.lease-ms=2000", "-Dopsbridge.admin.token=crash-admin",
                    "-Dopsbridge.crm.url=" + downstream.baseUrl() + "/crm",
                    "-Dopsbridge.taskmanager.url=" + downstream.baseUrl() + "/tm",
                    "-Dopsbridge.wms.url=" + downstream.baseUrl() + "/wms"));
            hub.start("hub-1.log");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = "evt_flow_crash_" + i;
                ObjectNode event = Events.example("ORDER.CREATED", id);
                ((ObjectNode) event.get("payload")).put("order_id", "ORD-CRASH-" + i);
                assertThat(post(hub.port, Events.json(event)).statusCode()).isEqualTo(202);
                ids.add(id);
            }
            // the proof that flows are mid-way: every worker has created its task and waits on its pick
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))).size() >= 8);
            hub.kill();
            int tasksBefore = downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))).size();
            int finishedBefore = downstream.findAll(patchRequestedFor(urlPathMatching("/tm/tasks/.*"))).size();
            assertThat(tasksBefore).as("tasks created before the kill").isGreaterThanOrEqualTo(8);
            assertThat(finishedBefore).as("flows that got past their pick before the kill").isZero();

            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/wms/picks").willReturn(okJson("{\"id\":\"P\"}").withStatus(201)));
            hub.start("hub-2.log");
            try {
                List<String> unfinished = new ArrayList<>(ids);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    unfinished.removeIf(id -> "done".equals(state(hub.port, id)));
                    return unfinished.isEmpty();
                });
            } finally {
                hub.stop();
            }
            for (int i = 0; i < 40; i++) {
                String order = "ORD-CRASH-" + i;
                String id = "evt_flow_crash_" + i;
                List<LoggedRequest> tasks = downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))
                        .withRequestBody(matchingJsonPath("$.external_ref.id", equalTo(order))));
                assertThat(tasks).isNotEmpty().allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo(id));
                assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/wms/picks"))
                        .withRequestBody(matchingJsonPath("$.payload.order_id", equalTo(order)))))
                        .isNotEmpty().allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo("pick_" + order));
                assertThat(downstream.findAll(patchRequestedFor(urlEqualTo("/tm/tasks/T"))
                        .withRequestBody(matchingJsonPath("$.metadata.pick_id", equalTo("P"))))).isNotEmpty();
            }
        } finally {
            downstream.stop();
        }
    }

    /**
     * A node stopped with SIGTERM drains (docs/operators.md, "Draining a node"): flows under way when the
     * signal came finish and record their outcome before the process exits, so after a restart every
     * event is done at once, not left to a lease running out, and no call is made again; and no write
     * fails while it drains. (On H2 the database's own JVM hook closed the file at the signal: the writes
     * of that moment failed, until the pool opened it again.)
     */
    @ParameterizedTest
    @EnumSource(Db.class)
    void flowsUnderWayAtSigtermFinishBeforeTheHubExits(Db db) throws Exception {
        WireMockServer downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20));
        downstream.start();
        try {
            // each task takes 2 s to create: the signal comes while every flow waits on it
            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/tm/tasks")
                    .willReturn(okJson("{\"id\":\"T\"}").withStatus(201).withFixedDelay(2_000)));
            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/wms/picks").willReturn(okJson("{\"id\":\"P\"}").withStatus(201)));
            downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}")));
            PackagedHub hub = shipped(db, List.of("-Dopsbridge.delivery.poll-interval-ms=50", "-Dopsbridge.admin.token=crash-admin",
                    "-Dopsbridge.crm.url=" + downstream.baseUrl() + "/crm",
                    "-Dopsbridge.taskmanager.url=" + downstream.baseUrl() + "/tm",
                    "-Dopsbridge.wms.url=" + downstream.baseUrl() + "/wms"));
            hub.start("hub-1.log");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = "evt_drain_" + i;
                ObjectNode event = Events.example("ORDER.CREATED", id);
                ((ObjectNode) event.get("payload")).put("order_id", "ORD-DRAIN-" + i);
                assertThat(post(hub.port, Events.json(event)).statusCode()).isEqualTo(202);
                ids.add(id);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))).size() == 4);
            hub.stop(); // SIGTERM, and the process exits once drained
            assertThat(hub.alive()).isFalse();
            // nothing failed for want of its database while the node drained (H2: 90121, the database is closed)
            assertThat(Files.readString(hub.work.resolve("hub-1.log"))).doesNotContain("SQLState 90121").doesNotContain("storage unavailable");

            hub.start("hub-2.log");
            try {
                // the default lease is 60 s: an event left under way would not be done for a minute
                List<String> unfinished = new ArrayList<>(ids);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    unfinished.removeIf(id -> "done".equals(state(hub.port, id)));
                    return unfinished.isEmpty();
                });
            } finally {
                hub.stop();
            }
            assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks")))).as("tasks created").hasSize(4);
            assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/wms/picks")))).as("picks requested").hasSize(4);
            assertThat(downstream.findAll(patchRequestedFor(urlPathMatching("/tm/tasks/.*")))).as("picks attached to tasks").hasSize(4);
        } finally {
            downstream.stop();
        }
    }

    /** The packaged hub on its shipped settings, on H2 or on a database of its own on the embedded PostgreSQL. */
    static PackagedHub shipped(Db db, List<String> settings) throws IOException {
        return PackagedHub.shipped("it-crash", db.name().toLowerCase(), SECRET, db == Db.POSTGRES ? newPostgresDatabase() : null,
                settings);
    }

    static synchronized String newPostgresDatabase() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
            }
            String name = "crash_" + databases.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return postgres.getJdbcUrl("postgres", name);
        } catch (Exception e) {
            throw new IllegalStateException("embedded PostgreSQL", e);
        }
    }

    static String state(int port, String eventId) {
        try {
            HttpResponse<String> trace = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/admin/events/crm/" + eventId))
                    .header("Authorization", "Bearer crash-admin").GET().build(), HttpResponse.BodyHandlers.ofString());
            return trace.statusCode() == 200 ? Events.parse(trace.body()).get("state").asText() : "http " + trace.statusCode();
        } catch (IOException e) {
            return "unreachable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static HttpResponse<String> post(int port, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/orders"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-Signature", Webhooks.hmacHex(SECRET, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
