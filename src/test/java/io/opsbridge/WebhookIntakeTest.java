package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestClock;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC section 2 over real HTTP: every check, in its order, with its status code and body. */
class WebhookIntakeTest {

    static final String OLD_SECRET = "old-crm-secret";
    static final String NEW_SECRET = "new-crm-secret";
    static final String ORDERS = "/webhooks/orders";

    @TempDir
    static Path data;
    static TestHub hub;
    static Webhooks vendor;
    /** The hub's clock: it runs with the system clock except where a test stops or moves it. */
    static final TestClock clock = new TestClock();

    @BeforeAll
    static void start() {
        hub = TestHub.start(data, Map.of(
                "opsbridge.sender.crm.secrets", OLD_SECRET + "," + NEW_SECRET,
                "opsbridge.sender.crm.rate-limit", "0",
                "opsbridge.sender.tasks.secrets", "tasks-secret",
                "opsbridge.sender.tasks.rate-limit", "1",
                "opsbridge.sender.tasks.rate-burst", "2",
                "opsbridge.sender.wms.secrets", "wms-secret",
                "opsbridge.sender.wms.max-body-bytes", "4096",
                "opsbridge.sender.wms.tolerance-seconds", "3"), clock);
        vendor = new Webhooks(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void acceptsCommitsThenAnswersDuplicateAndConflict() {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_accept_1"));

        HttpResponse<String> first = vendor.post(ORDERS, NEW_SECRET, body);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Events.parse(first.body())).isEqualTo(Events.parse("{\"status\":\"accepted\",\"event_id\":\"evt_accept_1\"}"));

        List<Map<String, Object>> rows = hub.query(
                "SELECT sender, event_type, state, raw_body, received_at, order_key FROM inbox_event WHERE event_id = ?",
                "evt_accept_1");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("sender", "crm").containsEntry("event_type", "ORDER.CREATED")
                .containsEntry("state", "received").containsEntry("order_key", "ORD-1001");
        assertThat(new String((byte[]) rows.get(0).get("raw_body"), StandardCharsets.UTF_8)).isEqualTo(body);

        HttpResponse<String> again = vendor.post(ORDERS, NEW_SECRET, body);
        assertThat(again.statusCode()).isEqualTo(200);
        ObjectNode duplicate = Events.parse(again.body());
        assertThat(duplicate.get("status").asText()).isEqualTo("duplicate");
        assertThat(duplicate.get("event_id").asText()).isEqualTo("evt_accept_1");
        assertThat(Instant.parse(duplicate.get("first_received_at").asText())).isBefore(Instant.now());
        assertThat(duplicate.get("result").get("state").asText()).isEqualTo("received");

        String changed = body.replace("Acme Corp", "Other Corp");
        HttpResponse<String> conflict = vendor.post(ORDERS, NEW_SECRET, changed);
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertProblem(conflict, 409, "event-id-conflict");
        assertThat(hub.query("SELECT raw_body FROM inbox_event WHERE event_id = 'evt_accept_1'")).hasSize(1);
    }

    @Test
    void theBodyIsReadWhereTheServerPutItNotCopiedIntoAStreamCache() {
        // the Vert.x buffer is read as it is; stream caching copied every webhook's body and read it back
        var caches = hub.context().getStreamCachingStrategy().getStatistics();
        caches.setStatisticsEnabled(true);
        long before = caches.getCacheMemoryCounter() + caches.getCacheSpoolCounter();
        String body = Events.json(Events.example("ORDER.CREATED", "evt_not_stream_cached"));
        assertThat(vendor.post(ORDERS, NEW_SECRET, body).statusCode()).isEqualTo(202);
        assertThat(vendor.post(ORDERS, NEW_SECRET, body).statusCode()).isEqualTo(200);
        assertThat(caches.getCacheMemoryCounter() + caches.getCacheSpoolCounter()).isEqualTo(before);
    }

    @Test
    void rawBytesAreWhatIsSignedAndStored() {
        // a re-serialised body would turn 5.0 into 5 and drop the spacing: the exact bytes must verify and be kept
        String body = Events.json(Events.example("ORDER.CREATED", "evt_raw_bytes"))
                .replace("\"qty\":2", "\"qty\" :  2").replace("\"source\":\"crm\"", "\"source\":\"crm\",\"weight\":5.0");
        assertThat(vendor.post(ORDERS, OLD_SECRET, body).statusCode()).isEqualTo(202);
        byte[] stored = (byte[]) hub.query("SELECT raw_body FROM inbox_event WHERE event_id = 'evt_raw_bytes'").get(0).get("raw_body");
        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo(body).contains("5.0").contains("\"qty\" :  2");
    }

    @Test
    void everyActiveSecretVerifiesDuringRotation() {
        assertThat(vendor.post(ORDERS, OLD_SECRET, Events.json(Events.example("ORDER.CREATED", "evt_rot_old"))).statusCode())
                .isEqualTo(202);
        assertThat(vendor.post(ORDERS, NEW_SECRET, Events.json(Events.example("ORDER.CREATED", "evt_rot_new"))).statusCode())
                .isEqualTo(202);
        HttpResponse<String> retired = vendor.post(ORDERS, "retired-secret",
                Events.json(Events.example("ORDER.CREATED", "evt_rot_retired")));
        assertProblem(retired, 401, "signature-invalid");
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_rot_retired'")).isEmpty();
    }

    @Test
    void githubStyleSha256PrefixIsAccepted() {
        byte[] body = Events.json(Events.example("ORDER.CREATED", "evt_prefixed")).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = hub.send(HttpRequest.newBuilder(hub.uri(ORDERS))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("X-Signature", "sha256=" + Webhooks.hmacHex(NEW_SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.statusCode()).isEqualTo(202);
    }

    @Test
    void notPostIs405() {
        HttpResponse<String> response = hub.send(HttpRequest.newBuilder(hub.uri(ORDERS)).GET());
        assertProblem(response, 405, "method-not-allowed");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri(ORDERS)).PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")), 405, "method-not-allowed");
    }

    @Test
    void notJsonIs415EvenForAFormBody() {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_form"));
        assertProblem(hub.send(vendor.signed(ORDERS, NEW_SECRET, body).header("Content-Type", "text/plain")), 415,
                "unsupported-media-type");
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri(ORDERS))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("event_id=evt_form&X-Signature=abc"))), 415, "unsupported-media-type");
        assertProblem(hub.send(vendor.signed(ORDERS, NEW_SECRET, body).header("Content-Type", "application/json; charset=latin1")),
                415, "unsupported-media-type");
        // a +json media type is JSON
        HttpRequest.Builder cloudEvents = vendor.signed(ORDERS, NEW_SECRET, body);
        cloudEvents.setHeader("Content-Type", "application/cloudevents+json");
        assertThat(hub.send(cloudEvents).statusCode()).isEqualTo(202);
    }

    @Test
    void bodyOverTheSenderLimitIs413AndOverTheServerCeilingToo() {
        ObjectNode event = Events.example("INVENTORY.ALERT", "evt_big");
        event.put("padding", "x".repeat(5000));
        assertProblem(vendor.post("/webhooks/wms", "wms-secret", Events.json(event)), 413, "payload-too-large");
        event.put("padding", "x".repeat(2_000_000));
        assertProblem(vendor.post("/webhooks/wms", "wms-secret", Events.json(event)), 413, "payload-too-large");
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_big'")).isEmpty();
    }

    @Test
    void missingOrWrongSignatureIs401() {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_unsigned"));
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri(ORDERS)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))), 401, "signature-missing");
        HttpRequest.Builder tampered = vendor.signed(ORDERS, NEW_SECRET, body);
        tampered.POST(HttpRequest.BodyPublishers.ofString(body.replace("ORD-1001", "ORD-9999")));
        assertProblem(hub.send(tampered), 401, "signature-invalid");
        HttpRequest.Builder garbage = vendor.signed(ORDERS, NEW_SECRET, body);
        garbage.setHeader("X-Signature", "not-hex");
        assertProblem(hub.send(garbage), 401, "signature-invalid");
    }

    @Test
    void notAJsonObjectIs400() {
        assertProblem(vendor.post(ORDERS, NEW_SECRET, "{\"event_id\": "), 400, "invalid-json");
        assertProblem(vendor.post(ORDERS, NEW_SECRET, "[1,2]"), 400, "invalid-json");
        assertProblem(vendor.post(ORDERS, NEW_SECRET, ""), 400, "invalid-json");
        assertProblem(vendor.post(ORDERS, NEW_SECRET, "{\"event_id\":\"a\",\"event_id\":\"b\"}"), 400, "invalid-json");
        assertProblem(vendor.post(ORDERS, NEW_SECRET, "{\"event_id\":\"a\"} trailing"), 400, "invalid-json");
        HttpResponse<String> noId = vendor.post(ORDERS, NEW_SECRET, "{\"event_type\":\"ORDER.CREATED\"}");
        assertProblem(noId, 400, "invalid-envelope");
        assertThat(noId.body()).contains("\"pointer\":\"/event_id\"");
    }

    @Test
    void eventIdHeaderMustMatchTheEnvelope() {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_header_id"));
        assertProblem(hub.send(vendor.signed(ORDERS, NEW_SECRET, body).header("X-Event-ID", "evt_other")), 400,
                "event-id-mismatch");
        assertThat(hub.send(vendor.signed(ORDERS, NEW_SECRET, body).header("X-Event-ID", "evt_header_id")).statusCode())
                .isEqualTo(202);
    }

    @Test
    void staleTimestampIs401ButAStaleDuplicateIsStillADuplicate() {
        Instant stale = Instant.now().minusSeconds(301);
        HttpResponse<String> late = vendor.post(ORDERS, NEW_SECRET, Events.json(Events.example("ORDER.CREATED", "evt_stale", stale)));
        assertProblem(late, 401, "timestamp-out-of-tolerance");
        HttpResponse<String> future = vendor.post(ORDERS, NEW_SECRET,
                Events.json(Events.example("ORDER.CREATED", "evt_future", Instant.now().plusSeconds(400))));
        assertProblem(future, 401, "timestamp-out-of-tolerance");

        // wms has a 3 s tolerance here: an event accepted, then re-sent (same bytes) once it is stale,
        // is still answered as a duplicate; the same id with other bytes is the conflict, not "stale"
        Instant signed = clock.freeze().instant().minusSeconds(1);
        try {
            String body = Events.json(Events.example("INVENTORY.ALERT", "evt_retry_later", signed));
            assertThat(vendor.post("/webhooks/wms", "wms-secret", body).statusCode()).isEqualTo(202);
            clock.advance(Duration.ofMillis(2_000));
            assertThat(vendor.post("/webhooks/wms", "wms-secret", Events.json(Events.example("INVENTORY.ALERT", "evt_edge",
                    signed))).statusCode()).as("3 s old: at the edge, still accepted").isEqualTo(202);
            clock.advance(Duration.ofMillis(1_500));
            assertProblem(vendor.post("/webhooks/wms", "wms-secret", Events.json(Events.example("INVENTORY.ALERT", "evt_new_stale",
                    signed))), 401, "timestamp-out-of-tolerance");
            HttpResponse<String> retried = vendor.post("/webhooks/wms", "wms-secret", body);
            assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
            assertThat(Events.parse(retried.body()).get("status").asText()).isEqualTo("duplicate");
            assertProblem(vendor.post("/webhooks/wms", "wms-secret", body.replace("RTM-1", "RTM-2")), 409, "event-id-conflict");
        } finally {
            clock.reset();
        }
    }

    @Test
    void schemaViolationsAre400WithPointers() {
        ObjectNode event = Events.example("ORDER.CREATED", "evt_schema");
        ((ObjectNode) event.get("payload")).remove("order_id");
        ((ObjectNode) event.get("payload").get("items").get(0)).put("qty", 0);
        event.put("event_version", "1.x");
        HttpResponse<String> response = vendor.post(ORDERS, NEW_SECRET, Events.json(event));
        assertProblem(response, 400, "schema-violation");
        List<String> pointers = new ArrayList<>();
        Events.parse(response.body()).get("errors").forEach(e -> {
            pointers.add(e.get("pointer").asText());
            assertThat(e.get("message").asText()).isNotBlank();
        });
        assertThat(pointers).contains("/payload/order_id", "/payload/items/0/qty", "/event_version");
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_schema'")).isEmpty();
    }

    @Test
    void unsupportedMajorVersionIs400() {
        ObjectNode event = Events.example("ORDER.CREATED", "evt_v2");
        event.put("event_version", "2.0");
        HttpResponse<String> response = vendor.post(ORDERS, NEW_SECRET, Events.json(event));
        assertProblem(response, 400, "schema-violation");
        assertThat(response.body()).contains("\"pointer\":\"/event_version\"").contains("not supported");
        event.put("event_id", "evt_v1_9");
        event.put("event_version", "1.9");
        assertThat(vendor.post(ORDERS, NEW_SECRET, Events.json(event)).statusCode()).isEqualTo(202);
    }

    @Test
    void anEventTypeWithoutAFlowIsStoredAsUnrouted() {
        ObjectNode event = Events.example("ORDER.CREATED", "evt_unknown_type");
        event.put("event_type", "ORDER.ARCHIVED");
        assertThat(vendor.post(ORDERS, NEW_SECRET, Events.json(event)).statusCode()).isEqualTo(202);
        // a type routed for another sender has no flow here either
        ObjectNode wrongSender = Events.example("PICK.CREATED", "evt_pick_at_crm");
        assertThat(vendor.post(ORDERS, NEW_SECRET, Events.json(wrongSender)).statusCode()).isEqualTo(202);
        assertThat(hub.query("SELECT state FROM inbox_event WHERE event_id IN ('evt_unknown_type', 'evt_pick_at_crm')"))
                .extracting(r -> r.get("state")).containsExactly("unrouted", "unrouted");
    }

    @Test
    void overTheRateLimitIs429WithRetryAfterButDuplicatesAreStillAnswered() {
        // a full bucket (10 s after any earlier request), then the clock stands still: no token comes
        // back while the test sends, however slowly it sends. Only this test uses the tasks sender.
        clock.advance(Duration.ofSeconds(10)).freeze();
        try {
            rateLimited();
        } finally {
            clock.reset();
        }
    }

    void rateLimited() {
        String path = "/webhooks/tasks";
        String first = Events.json(Events.example("TASK.CREATED", "evt_rate_1"));
        assertThat(vendor.post(path, "tasks-secret", first).statusCode()).isEqualTo(202);
        for (int i = 0; i < 3; i++) { // a vendor's retries are answered and cost no token
            assertThat(vendor.post(path, "tasks-secret", first).statusCode()).isEqualTo(200);
        }
        assertThat(vendor.post(path, "tasks-secret", Events.json(Events.example("TASK.CREATED", "evt_rate_2"))).statusCode())
                .isEqualTo(202);
        HttpResponse<String> limited = vendor.post(path, "tasks-secret", Events.json(Events.example("TASK.CREATED", "evt_rate_3")));
        assertProblem(limited, 429, "rate-limited");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(vendor.post(path, "tasks-secret", first).statusCode()).isEqualTo(200);
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_rate_3'")).isEmpty();
        // a second later (1/s) one token is back, and only one
        clock.advance(Duration.ofSeconds(1));
        assertThat(vendor.post(path, "tasks-secret", Events.json(Events.example("TASK.CREATED", "evt_rate_3", clock.instant())))
                .statusCode()).isEqualTo(202);
        assertProblem(vendor.post(path, "tasks-secret", Events.json(Events.example("TASK.CREATED", "evt_rate_4", clock.instant()))),
                429, "rate-limited");
    }

    @Test
    void noRequestHeaderIsEverEchoed() {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_echo"));
        List<HttpRequest.Builder> requests = List.of(
                vendor.signed(ORDERS, NEW_SECRET, body),                                   // 202
                vendor.signed(ORDERS, NEW_SECRET, body),                                   // 200
                vendor.signed(ORDERS, NEW_SECRET, body.replace("Acme", "Acne")),           // 409
                vendor.signed(ORDERS, "wrong", body),                                      // 401
                vendor.signed(ORDERS, NEW_SECRET, "[]"),                                   // 400
                HttpRequest.newBuilder(hub.uri(ORDERS)).header("X-Signature", "abc")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("a=b")),                // 415
                HttpRequest.newBuilder(hub.uri(ORDERS)).header("X-Signature", "abc").GET(), // 405
                HttpRequest.newBuilder(hub.uri("/no/such/path")).header("X-Signature", "abc").GET()); // 404
        for (HttpRequest.Builder request : requests) {
            HttpResponse<String> response = hub.send(request.header("X-Probe", "probe-value")
                    .header("Authorization", "Bearer probe-token"));
            assertThat(response.headers().map().keySet()).map(String::toLowerCase).filteredOn(h -> !h.startsWith(":"))
                    .doesNotContain("x-probe", "x-signature", "authorization", "x-event-id")
                    .allMatch(h -> List.of("content-type", "content-length", "allow", "retry-after").contains(h),
                            "only the headers the answer needs");
            assertThat(response.body()).doesNotContain("probe-value", "probe-token", NEW_SECRET, "Exception", "at io.");
        }
    }

    @Test
    void fiftyConcurrentPostsOfOneEventGiveOne202AndFortyNine200() throws Exception {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_race"));
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return vendor.post(ORDERS, NEW_SECRET, body).statusCode();
                }));
            }
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : results) {
                codes.add(f.get());
            }
            assertThat(codes).filteredOn(c -> c == 202).hasSize(1);
            assertThat(codes).filteredOn(c -> c == 200).hasSize(49);
        } finally {
            pool.shutdownNow();
        }
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_race'")).hasSize(1);
    }

    @Test
    void queryParametersCannotStandInForHeaders() {
        byte[] body = Events.json(Events.example("ORDER.CREATED", "evt_query_spoof")).getBytes(StandardCharsets.UTF_8);
        String sig = Webhooks.hmacHex(NEW_SECRET, body);
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri(ORDERS + "?Content-Type=application/json&X-Signature=" + sig))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))), 415, "unsupported-media-type");
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri(ORDERS + "?X-Signature=" + sig))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))), 401,
                "signature-missing");
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_query_spoof'")).isEmpty();
    }

    @Test
    void onlyUtf8BodiesAreAccepted() {
        String json = Events.json(Events.example("ORDER.CREATED", "evt_utf16"));
        byte[] bom = ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8);
        byte[] utf16 = json.getBytes(StandardCharsets.UTF_16LE);
        // "/" written as the overlong two-byte form C0 AF inside a string: decodable, but not UTF-8
        String marked = json.replace("Acme Corp", "Acme~Corp");
        assertThat(marked).isNotEqualTo(json);
        byte[] plain = marked.getBytes(StandardCharsets.UTF_8);
        int at = marked.indexOf('~');
        byte[] overlong = new byte[plain.length + 1];
        System.arraycopy(plain, 0, overlong, 0, at);
        overlong[at] = (byte) 0xC0;
        overlong[at + 1] = (byte) 0xAF;
        System.arraycopy(plain, at + 1, overlong, at + 2, plain.length - at - 1);
        for (byte[] body : List.of(bom, utf16, overlong)) {
            HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(ORDERS)).header("Content-Type", "application/json")
                    .header("X-Signature", Webhooks.hmacHex(NEW_SECRET, body)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            assertProblem(hub.send(request), 400, "invalid-json");
        }
    }

    @Test
    void aTimestampTheToleranceCheckCannotReadIsASchemaError() {
        for (String timestamp : List.of("2026-11-23 12:00:00Z", "2016-12-31T23:59:60Z", "yesterday")) {
            ObjectNode event = Events.example("ORDER.CREATED", "evt_odd_time");
            event.put("timestamp", timestamp);
            HttpResponse<String> response = vendor.post(ORDERS, NEW_SECRET, Events.json(event));
            assertProblem(response, 400, "schema-violation");
            assertThat(response.body()).contains("\"pointer\":\"/timestamp\"");
        }
    }

    @Test
    void anOrderIdThatIsNoKeyIsStoredWithoutOne() {
        ObjectNode event = Events.example("ORDER.CREATED", "evt_long_order_id");
        event.put("event_type", "ORDER.ARCHIVED");
        ((ObjectNode) event.get("payload")).put("order_id", "A".repeat(300));
        assertThat(vendor.post(ORDERS, NEW_SECRET, Events.json(event)).statusCode()).isEqualTo(202);
        assertThat(hub.query("SELECT order_key FROM inbox_event WHERE event_id = 'evt_long_order_id'"))
                .extracting(r -> r.get("order_key")).containsExactly((Object) null);
    }

    @Test
    void unknownPathIsAProblemToo() {
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri("/webhooks/unknown")).POST(HttpRequest.BodyPublishers.noBody())),
                404, "not-found");
        // a path that exists, with a method it does not take
        HttpResponse<String> wrongMethod = hub.send(HttpRequest.newBuilder(hub.uri("/openapi.yaml"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertProblem(wrongMethod, 405, "method-not-allowed");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
    }

    static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        ObjectNode problem = Events.parse(response.body());
        assertThat(problem.get("type").asText()).isEqualTo("urn:opsbridge:problem:" + code);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
    }
}
