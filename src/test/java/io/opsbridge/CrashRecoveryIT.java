package io.opsbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.Test;

/**
 * A 202 is honest: the packaged hub, as its own process, is killed with SIGKILL in the middle of a
 * load of signed events; started again on the same data directory, it must answer every event it
 * had acknowledged with 202 as a duplicate. Its secret comes from an environment variable, which
 * checks the override of application.properties too.
 */
class CrashRecoveryIT {

    static final String SECRET = "crash-test-secret";
    static final int SENDERS = 8;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void everyAcknowledgedEventSurvivesSigkill() throws Exception {
        Path data = Files.createDirectories(Path.of("target/it-crash/data-" + System.nanoTime()));
        int port = TestHub.freePort();

        Process first = startHub(data, port, "hub-1.log");
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
                        if (post(port, body).statusCode() == 202) {
                            acknowledged.put(id, body);
                        }
                    } catch (IOException e) {
                        unanswered.incrementAndGet(); // in flight at the kill, or refused after it: never acknowledged
                    }
                }
                return null;
            });
        }
        Thread.sleep(4_000);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        sending.set(false);
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).as("events acknowledged before the kill").hasSizeGreaterThan(100);

        Process second = startHub(data, port, "hub-2.log");
        try {
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                HttpResponse<String> again = post(port, e.getValue());
                if (again.statusCode() != 200 || !again.body().contains("\"duplicate\"")) {
                    lost.add(e.getKey() + " -> " + again.statusCode());
                }
            }
            System.out.printf("CrashRecoveryIT: %d acknowledged before SIGKILL, %d without an answer, %d lost%n",
                    acknowledged.size(), unanswered.get(), lost.size());
            assertThat(lost).as("acknowledged with 202 but unknown after the restart").isEmpty();
        } finally {
            second.destroy();
            second.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * Flows killed mid-way resume after the restart: every event ends done, and each downstream
     * call was repeated, if at all, with the same Idempotency-Key.
     */
    @Test
    void flowsKilledMidWayFinishAfterTheRestart() throws Exception {
        WireMockServer downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        downstream.start();
        try {
            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/tm/tasks").willReturn(okJson("{\"id\":\"T\"}").withStatus(201).withFixedDelay(40)));
            downstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/wms/picks").willReturn(okJson("{\"id\":\"P\"}").withStatus(201).withFixedDelay(40)));
            downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}").withFixedDelay(40)));
            Path data = Files.createDirectories(Path.of("target/it-crash/flows-" + System.nanoTime()));
            int port = TestHub.freePort();
            List<String> flowSettings = List.of("-Dopsbridge.delivery.enabled=true", "-Dopsbridge.delivery.poll-interval-ms=50",
                    "-Dopsbridge.delivery.lease-ms=2000", "-Dopsbridge.admin.token=crash-admin",
                    "-Dopsbridge.crm.url=" + downstream.baseUrl() + "/crm",
                    "-Dopsbridge.taskmanager.url=" + downstream.baseUrl() + "/tm",
                    "-Dopsbridge.wms.url=" + downstream.baseUrl() + "/wms");
            Process first = startHub(data, port, "hub-1.log", flowSettings);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = "evt_flow_crash_" + i;
                ObjectNode event = Events.example("ORDER.CREATED", id);
                ((ObjectNode) event.get("payload")).put("order_id", "ORD-CRASH-" + i);
                assertThat(post(port, Events.json(event)).statusCode()).isEqualTo(202);
                ids.add(id);
            }
            Thread.sleep(1500);
            first.destroyForcibly();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            int before = downstream.getAllServeEvents().size();

            Process second = startHub(data, port, "hub-2.log", flowSettings);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                List<String> unfinished = new ArrayList<>(ids);
                while (!unfinished.isEmpty() && System.nanoTime() < deadline) {
                    unfinished.removeIf(id -> "done".equals(state(port, id)));
                    Thread.sleep(200);
                }
                System.out.printf("CrashRecoveryIT flows: %d downstream calls before SIGKILL, %d in all; unfinished %s%n",
                        before, downstream.getAllServeEvents().size(), unfinished);
                assertThat(unfinished).as("events not done after the restart").isEmpty();
            } finally {
                second.destroy();
                second.waitFor(20, TimeUnit.SECONDS);
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
            }
        } finally {
            downstream.stop();
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

    static Process startHub(Path data, int port, String log) throws Exception {
        return startHub(data, port, log, List.of("-Dopsbridge.delivery.enabled=false"));
    }

    static Process startHub(Path data, int port, String log, List<String> settings) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m",
                "-Dopsbridge.db.url=" + TestHub.h2Url(data),
                "-Dopsbridge.secrets.key-file=" + data.resolve("secrets.key"),
                "-Dcamel.server.port=" + port,
                "-Dcamel.server.host=127.0.0.1",
                "-Dopsbridge.sender.crm.rate-limit=0"));
        command.addAll(settings);
        command.addAll(List.of("-jar", "target/opsbridge.jar"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(new File(data.toFile(), log));
        builder.environment().put("OPSBRIDGE_SENDER_CRM_SECRETS", SECRET);
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("hub process exited; see " + data.resolve(log)).isTrue();
            try {
                HttpResponse<Void> probe = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/webhooks/orders")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (probe.statusCode() == 405) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("hub did not start within 60 s; see " + data.resolve(log));
    }
}
