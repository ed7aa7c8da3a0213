package io.opsbridge.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.LogCapture;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC section 3 end to end: signed events in over HTTP, the real hub's flows calling real HTTP
 * downstreams (one WireMock serving /crm, /tm and /wms, and the alert webhook), retry delays
 * shrunk by configuration.
 */
class FlowsTest {

    static final String ADMIN = "flows-admin-token";
    static final long BASE_DELAY_MS = 200;

    @TempDir
    static Path data;
    static WireMockServer downstream;
    static TestHub hub;
    static Webhooks vendor;
    static AdminClient admin;

    @BeforeAll
    static void start() {
        downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        downstream.start();
        hub = TestHub.start(data, settings());
        vendor = new Webhooks(hub);
        admin = new AdminClient(hub, ADMIN);
    }

    static Map<String, String> settings() {
        Map<String, String> s = TestHub.deliveringTo(downstream.baseUrl(), data);
        s.put("opsbridge.delivery.base-delay-ms", Long.toString(BASE_DELAY_MS));
        s.put("opsbridge.delivery.max-delay-ms", "1000");
        s.put("opsbridge.delivery.retry-after-cap-ms", "5000");
        s.put("opsbridge.delivery.lease-ms", "3000");
        s.put("opsbridge.delivery.prerequisite-retry-ms", "200");
        s.put("opsbridge.escalation.sla-ms", "600");
        s.put("opsbridge.escalation.check-interval-ms", "100");
        s.put("opsbridge.admin.token", ADMIN);
        for (String sender : List.of("crm", "tasks", "wms")) {
            s.put("opsbridge.sender." + sender + ".secrets", sender + "-secret");
            s.put("opsbridge.sender." + sender + ".rate-limit", "0");
        }
        return s;
    }

    @AfterAll
    static void stop() {
        hub.close();
        downstream.stop();
    }

    @BeforeEach
    void isolate() {
        // events an earlier test left retrying would call this test's stubs: give them up
        hub.update("UPDATE inbox_event SET state = 'discarded' WHERE state IN ('received', 'waiting')");
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.query("SELECT 1 FROM inbox_event WHERE state = 'processing'").isEmpty());
        stubs();
    }

    void stubs() {
        downstream.resetAll();
        downstream.stubFor(post("/alerts").willReturn(aResponse().withStatus(200)));
        downstream.stubFor(post(urlPathMatching("/crm/orders/.*/events")).willReturn(okJson("{\"ok\":true}").withStatus(201)));
        downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}")));
        downstream.stubFor(patch(urlPathMatching("/wms/picks/.*")).willReturn(okJson("{}")));
    }

    // ---- helpers

    static void taskFor(String orderId, String taskId) {
        downstream.stubFor(post("/tm/tasks").withRequestBody(matchingJsonPath("$.external_ref.id", equalTo(orderId)))
                .willReturn(okJson("{\"id\":\"" + taskId + "\"}").withStatus(201)));
    }

    static void pickFor(String orderId, String pickId) {
        downstream.stubFor(post("/wms/picks").withRequestBody(matchingJsonPath("$.payload.order_id", equalTo(orderId)))
                .willReturn(okJson("{\"id\":\"" + pickId + "\"}").withStatus(201)));
    }

    static ObjectNode orderCreated(String eventId, String orderId) {
        ObjectNode event = Events.example("ORDER.CREATED", eventId);
        ((ObjectNode) event.get("payload")).put("order_id", orderId);
        return event;
    }

    static ObjectNode event(String type, String eventId, String orderId) {
        ObjectNode event = Events.example(type, eventId);
        ObjectNode payload = (ObjectNode) event.get("payload");
        if (payload.has("order_id")) {
            payload.put("order_id", orderId);
        }
        if (payload.has("external_ref")) {
            ((ObjectNode) payload.get("external_ref")).put("id", orderId);
        }
        return event;
    }

    static void send(String sender, ObjectNode event) {
        String path = Map.of("crm", "/webhooks/orders", "tasks", "/webhooks/tasks", "wms", "/webhooks/wms").get(sender);
        assertThat(vendor.post(path, sender + "-secret", Events.json(event)).statusCode()).isEqualTo(202);
    }

    static ObjectNode trace(String sender, String eventId) {
        return admin.get("/admin/events/" + sender + "/" + eventId, 200);
    }

    static ObjectNode awaitState(String sender, String eventId, String state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> state.equals(trace(sender, eventId).get("state").asText()));
        return trace(sender, eventId);
    }

    static String orderCreatedTimestamp(ObjectNode trace) {
        return trace.get("payload").get("timestamp").asText();
    }

    static List<JsonNode> attempts(ObjectNode trace, String step) {
        List<JsonNode> found = new ArrayList<>();
        trace.get("attempts").forEach(a -> {
            if (step.equals(a.get("step").asText())) {
                found.add(a);
            }
        });
        return found;
    }

    static List<LoggedRequest> requests(com.github.tomakehurst.wiremock.matching.RequestPatternBuilder pattern) {
        return downstream.findAll(pattern);
    }

    // ---- the flows

    @Test
    void orderCreatedBecomesTaskPickAndShippedWithExactRequests() {
        taskFor("ORD-HP", "TASK-HP");
        pickFor("ORD-HP", "PICK-HP");
        send("crm", orderCreated("evt_hp_created", "ORD-HP"));
        ObjectNode created = awaitState("crm", "evt_hp_created", "done");

        LoggedRequest task = requests(postRequestedFor(urlEqualTo("/tm/tasks"))).get(0);
        assertThat(task.getHeader("Idempotency-Key")).isEqualTo("evt_hp_created");
        assertThat(task.getHeader("Content-Type")).startsWith("application/json");
        assertThat(task.getBodyAsString()).satisfies(body -> assertThat(Events.parse(body)).isEqualTo(Events.parse("""
                {"task_type":"fulfillment_pick","title":"Pick order ORD-HP","external_ref":{"type":"order","id":"ORD-HP"},
                 "priority":"high","due_date":"2026-11-30T23:59:00Z",
                 "line_items":[{"sku":"SKU-RED-1","qty":2},{"sku":"SKU-BLU-7","qty":1}],
                 "metadata":{"customer_id":"CUST-42","source_event_id":"evt_hp_created"}}""")));
        LoggedRequest pick = requests(postRequestedFor(urlEqualTo("/wms/picks"))).get(0);
        assertThat(pick.getHeader("Idempotency-Key")).isEqualTo("pick_ORD-HP");
        assertThat(Events.parse(pick.getBodyAsString())).isEqualTo(Events.parse("""
                {"request_id":"req_pick_ORD-HP","timestamp":"%s","source":"opsbridge",
                 "payload":{"pick_id":"PICK-ORD-HP","order_id":"ORD-HP",
                 "line_items":[{"sku":"SKU-RED-1","qty":2},{"sku":"SKU-BLU-7","qty":1}],
                 "priority":"high","location_preferences":[]}}""".formatted(orderCreatedTimestamp(created))));
        downstream.verify(1, patchRequestedFor(urlEqualTo("/tm/tasks/TASK-HP"))
                .withHeader("Idempotency-Key", equalTo("evt_hp_created:attach-pick-to-task"))
                .withRequestBody(equalToJson("{\"metadata\":{\"pick_id\":\"PICK-HP\"}}")));
        assertThat(created.get("links").get("taskId").asText()).isEqualTo("TASK-HP");
        assertThat(created.get("links").get("pickId").asText()).isEqualTo("PICK-HP");
        assertThat(created.get("attempts")).hasSize(3).allSatisfy(a -> {
            assertThat(a.get("status").asInt()).isBetween(200, 201);
            assertThat(a.get("durationMs").isNumber()).isTrue();
            assertThat(a.get("idempotencyKey").asText()).isNotBlank();
        });

        ObjectNode completed = event("PICK.COMPLETED", "evt_hp_picked", "ORD-HP");
        ((ObjectNode) completed.get("payload")).put("pick_id", "PICK-HP");
        send("wms", completed);
        awaitState("wms", "evt_hp_picked", "done");
        downstream.verify(1, patchRequestedFor(urlEqualTo("/tm/tasks/TASK-HP"))
                .withHeader("Idempotency-Key", equalTo("evt_hp_picked:complete-task"))
                .withRequestBody(equalToJson("{\"status\":\"completed\",\"metadata\":{\"pick_id\":\"PICK-HP\"}}")));
        LoggedRequest shipped = requests(postRequestedFor(urlEqualTo("/crm/orders/ORD-HP/events"))).get(0);
        assertThat(shipped.getHeader("Idempotency-Key")).isEqualTo("evt_hp_picked:shipped");
        assertThat(Events.parse(shipped.getBodyAsString())).isEqualTo(Events.parse("""
                {"type":"shipped","order_id":"ORD-HP","source_event_id":"evt_hp_picked",
                 "occurred_at":"%s","data":{"pick_id":"PICK-HP","carrier":"DHL","tracking_number":"JD0001",
                 "shipped_at":"2026-11-21T14:55:00Z"}}""".formatted(completed.get("timestamp").asText())));
        assertThat(trace("crm", "evt_hp_created").get("orderTimeline").toString()).contains("shipped");
    }

    @Test
    void anEventWhoseLinkWriteFailedIsNotDoneAndRunsAgain() {
        // the flow queues its link writes without waiting for them; its outcome must not commit past a failed one
        hub.update("ALTER TABLE order_link ADD CONSTRAINT test_refuse_pick_requested CHECK (order_id <> 'ORD-LW' OR pick_status <> 'requested')");
        try {
            taskFor("ORD-LW", "TASK-LW");
            pickFor("ORD-LW", "PICK-LW");
            send("crm", orderCreated("evt_lw_created", "ORD-LW"));
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> attempts(trace("crm", "evt_lw_created"), "request-pick").size() >= 2);
            assertThat(trace("crm", "evt_lw_created").get("state").asText()).isNotEqualTo("done");
        } finally {
            hub.update("ALTER TABLE order_link DROP CONSTRAINT test_refuse_pick_requested");
        }
        ObjectNode done = awaitState("crm", "evt_lw_created", "done");
        assertThat(done.get("links").get("taskId").asText()).isEqualTo("TASK-LW");
        assertThat(done.get("links").get("pickId").asText()).isEqualTo("PICK-LW");
        assertThat(done.get("orderTimeline").toString()).contains("task_created", "pick_requested");
        // the task was created once; every pick request carried the same idempotency key
        downstream.verify(1, postRequestedFor(urlEqualTo("/tm/tasks")));
        assertThat(requests(postRequestedFor(urlEqualTo("/wms/picks")))).allSatisfy(r ->
                assertThat(r.getHeader("Idempotency-Key")).isEqualTo("pick_ORD-LW"));
    }

    @Test
    void aFlowWhoseLeaseWasTakenOverDoesNotWriteItsOutcome() {
        // the task manager answers slowly; meanwhile another claim takes the event over (a node that paused past its lease)
        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{\"id\":\"TASK-FENCE\"}").withStatus(201).withFixedDelay(2000)));
        pickFor("ORD-FENCE", "PICK-FENCE");
        try (LogCapture logs = LogCapture.attach()) {
            send("crm", orderCreated("evt_fence", "ORD-FENCE"));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !requests(postRequestedFor(urlEqualTo("/tm/tasks"))).isEmpty());
            assertThat(hub.update("UPDATE inbox_event SET lease_owner = 'another-node/1' WHERE event_id = 'evt_fence' "
                    + "AND state = 'processing'")).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> hub.metric("opsbridge_inbox_fenced_total{outcome=\"done\"}") >= 1);
            // the late outcome changed nothing: not done, still the other claim's (or recovered once its lease ran out)
            assertThat(hub.query("SELECT state, lease_owner FROM inbox_event WHERE event_id = 'evt_fence'").get(0))
                    .satisfiesAnyOf(row -> assertThat(row).containsEntry("state", "processing").containsEntry("lease_owner", "another-node/1"),
                            row -> assertThat(row).containsEntry("state", "waiting"));
            assertThat(logs.lines()).anyMatch(line -> line.contains("was lost before the flow ended; its write 'done' was not made"));
            // nor did the flow's other late writes: the order's link and timeline do not know the task it created
            assertThat(hub.metric("opsbridge_inbox_fenced_total{outcome=\"link\"}")).isGreaterThanOrEqualTo(1);
            assertThat(hub.query("SELECT task_id FROM order_link WHERE order_id = 'ORD-FENCE'").get(0)).containsEntry("task_id", null);
            assertThat(hub.query("SELECT kind FROM order_timeline WHERE order_id = 'ORD-FENCE'")).isEmpty();
        }
        // the lease the other claim never renewed runs out: the event is recovered, runs again and is done, same keys
        ObjectNode done = awaitState("crm", "evt_fence", "done");
        assertThat(done.get("links").get("taskId").asText()).isEqualTo("TASK-FENCE");
        assertThat(requests(postRequestedFor(urlEqualTo("/tm/tasks")))).hasSizeGreaterThanOrEqualTo(1).allSatisfy(r ->
                assertThat(r.getHeader("Idempotency-Key")).isEqualTo("evt_fence"));
    }

    @Test
    void twoServerErrorsThenSuccessRetriesWithinTheJitterBounds() {
        downstream.stubFor(post("/tm/tasks").inScenario("retry").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        downstream.stubFor(post("/tm/tasks").inScenario("retry").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("third"));
        downstream.stubFor(post("/tm/tasks").inScenario("retry").whenScenarioStateIs("third")
                .willReturn(okJson("{\"id\":\"TASK-R\"}").withStatus(201)));
        pickFor("ORD-R", "PICK-R");
        send("crm", orderCreated("evt_retry", "ORD-R"));
        ObjectNode trace = awaitState("crm", "evt_retry", "done");

        List<JsonNode> tries = attempts(trace, "create-task");
        assertThat(tries).extracting(a -> a.get("status").asInt()).containsExactly(503, 503, 201);
        for (int k = 1; k <= 2; k++) {
            long planned = tries.get(k - 1).get("nextDelayMs").asLong();
            long bound = BASE_DELAY_MS << (k - 1); // uniform in [0, base * 2^(k-1)]
            assertThat(planned).as("delay before retry %d", k).isBetween(0L, bound);
            long gap = Duration.between(Instant.parse(tries.get(k - 1).get("at").asText()),
                    Instant.parse(tries.get(k).get("at").asText())).toMillis();
            // a slow machine may start a retry later, never earlier (the delays themselves: BackoffTableTest)
            assertThat(gap).as("retry %d starts after its delay", k).isGreaterThanOrEqualTo(planned);
        }
        assertThat(requests(postRequestedFor(urlEqualTo("/tm/tasks")))).hasSize(3)
                .allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo("evt_retry"));
    }

    @Test
    void aConnectionResetIsRetriedAndA3xxIsADeadLetter() {
        downstream.stubFor(post("/tm/tasks").inScenario("reset").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER))
                .willSetStateTo("ok"));
        downstream.stubFor(post("/tm/tasks").inScenario("reset").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"id\":\"TASK-RESET\"}").withStatus(201)));
        pickFor("ORD-RESET", "PICK-RESET");
        send("crm", orderCreated("evt_reset", "ORD-RESET"));
        ObjectNode trace = awaitState("crm", "evt_reset", "done");
        List<JsonNode> tries = attempts(trace, "create-task");
        assertThat(tries).hasSize(2);
        assertThat(tries.get(0).get("error").asText()).isNotBlank();
        assertThat(tries.get(1).get("status").asInt()).isEqualTo(201);

        downstream.stubFor(patch(urlEqualTo("/tm/tasks/TASK-RESET")).willReturn(aResponse().withStatus(304)));
        send("wms", completedPick("evt_reset_picked", "ORD-RESET", "PICK-RESET"));
        ObjectNode dead = awaitState("wms", "evt_reset_picked", "dead");
        assertThat(attempts(dead, "complete-task")).hasSize(1);
        assertThat(dead.get("deadLetter").get("lastStatus").asInt()).isEqualTo(304);
    }

    static ObjectNode completedPick(String eventId, String orderId, String pickId) {
        ObjectNode completed = event("PICK.COMPLETED", eventId, orderId);
        ((ObjectNode) completed.get("payload")).put("pick_id", pickId);
        return completed;
    }

    @Test
    void retryAfterOf2SecondsIsHonoured() {
        downstream.stubFor(post("/tm/tasks").inScenario("429").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")).willSetStateTo("ok"));
        downstream.stubFor(post("/tm/tasks").inScenario("429").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"id\":\"TASK-429\"}").withStatus(201)));
        pickFor("ORD-429", "PICK-429");
        send("crm", orderCreated("evt_429", "ORD-429"));
        ObjectNode trace = awaitState("crm", "evt_429", "done");
        List<LoggedRequest> calls = requests(postRequestedFor(urlEqualTo("/tm/tasks")));
        assertThat(calls).hasSize(2);
        long gap = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertThat(gap).isGreaterThanOrEqualTo(2000);
        assertThat(attempts(trace, "create-task").get(0).get("nextDelayMs").asLong()).isBetween(2000L, 5000L);
    }

    @Test
    void aHostileRetryAfterIsCapped() {
        downstream.stubFor(post("/tm/tasks").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "999999")));
        send("crm", orderCreated("evt_hostile", "ORD-HOSTILE"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !attempts(trace("crm", "evt_hostile"), "create-task").isEmpty()
                && attempts(trace("crm", "evt_hostile"), "create-task").get(0).hasNonNull("nextDelayMs"));
        assertThat(attempts(trace("crm", "evt_hostile"), "create-task").get(0).get("nextDelayMs").asLong()).isEqualTo(5000L);
        ObjectNode trace = trace("crm", "evt_hostile");
        assertThat(Duration.between(Instant.now(), Instant.parse(trace.get("nextAttemptAt").asText())).toSeconds()).isLessThanOrEqualTo(5);
    }

    @Test
    void aClientErrorIsOneAttemptThenADeadLetterAndAnAlert() {
        downstream.stubFor(post("/tm/tasks").willReturn(aResponse().withStatus(400).withBody("{\"error\":\"bad\"}")));
        send("crm", orderCreated("evt_400", "ORD-400"));
        ObjectNode trace = awaitState("crm", "evt_400", "dead");
        assertThat(attempts(trace, "create-task")).hasSize(1);
        JsonNode deadLetter = trace.get("deadLetter");
        assertThat(deadLetter.get("step").asText()).isEqualTo("create-task");
        assertThat(deadLetter.get("lastStatus").asInt()).isEqualTo(400);
        assertThat(deadLetter.get("attempts").asInt()).isEqualTo(1);
        assertThat(deadLetter.get("endpoint").asText()).endsWith("/tm/tasks");
        assertThat(deadLetter.get("state").asText()).isEqualTo("open");
        ObjectNode full = admin.get("/admin/dead-letters/" + deadLetter.get("id").asLong(), 200);
        assertThat(full.get("payload").get("event_id").asText()).isEqualTo("evt_400");
        assertThat(admin.get("/admin/dead-letters?state=open", 200).get("deadLetters").toString()).contains("evt_400");

        await().atMost(Duration.ofSeconds(5)).until(() -> !requests(postRequestedFor(urlEqualTo("/alerts"))).isEmpty());
        JsonNode alert = Events.parse(requests(postRequestedFor(urlEqualTo("/alerts"))).get(0).getBodyAsString());
        assertThat(alert.get("text").asText()).contains("dead letter").contains("evt_400").contains("create-task");
        assertThat(requests(postRequestedFor(urlEqualTo("/wms/picks")))).isEmpty();
    }

    @Test
    void aFailingAlertWebhookNeverLoopsIntoTheDeadLetterQueue() {
        downstream.stubFor(post("/alerts").willReturn(aResponse().withStatus(500)));
        downstream.stubFor(post("/tm/tasks").willReturn(aResponse().withStatus(422)));
        try (LogCapture logs = LogCapture.attach()) {
            send("crm", orderCreated("evt_alert_down", "ORD-ALERT-DOWN"));
            awaitState("crm", "evt_alert_down", "dead");
            // the proof that the failed alert was handled where it failed, not passed on to the dead-letter channel
            await().atMost(Duration.ofSeconds(20)).until(() -> logs.lines().stream()
                    .anyMatch(line -> line.startsWith("Alert webhook failed")));
        }
        assertThat(requests(postRequestedFor(urlEqualTo("/alerts")))).hasSize(1);
        assertThat(hub.query("SELECT COUNT(*) AS n FROM dead_letter WHERE event_id = 'evt_alert_down'").get(0).get("n")).isEqualTo(1L);
    }

    @Test
    void conflictOnPicksIsABackorderNotARetry() {
        taskFor("ORD-OOS", "TASK-OOS");
        downstream.stubFor(post("/wms/picks").withRequestBody(matchingJsonPath("$.payload.order_id", equalTo("ORD-OOS")))
                .willReturn(aResponse().withStatus(409).withBody("{\"error\":\"out of stock\"}")));
        send("crm", orderCreated("evt_oos", "ORD-OOS"));
        ObjectNode trace = awaitState("crm", "evt_oos", "done");
        assertThat(attempts(trace, "request-pick")).hasSize(1);
        assertThat(trace.get("links").get("orderStatus").asText()).isEqualTo("backordered");
        LoggedRequest told = requests(postRequestedFor(urlEqualTo("/crm/orders/ORD-OOS/events"))).get(0);
        assertThat(told.getHeader("Idempotency-Key")).isEqualTo("evt_oos:backordered");
        JsonNode body = Events.parse(told.getBodyAsString());
        assertThat(body.get("type").asText()).isEqualTo("backordered");
        assertThat(body.get("data").get("lines")).hasSize(2);
        assertThat(requests(patchRequestedFor(urlEqualTo("/tm/tasks/TASK-OOS")))).isEmpty();
    }

    @Test
    void pickCompletedBeforeItsTaskIsKnownWaitsThenCompletes() {
        ObjectNode completed = event("PICK.COMPLETED", "evt_early_pick", "ORD-LATE");
        ((ObjectNode) completed.get("payload")).put("pick_id", "PICK-LATE");
        send("wms", completed);
        ObjectNode waiting = awaitState("wms", "evt_early_pick", "waiting");
        assertThat(waiting.get("waitingFor").asText()).isEqualTo("prerequisite");

        taskFor("ORD-LATE", "TASK-LATE");
        pickFor("ORD-LATE", "PICK-LATE");
        send("crm", orderCreated("evt_late_order", "ORD-LATE"));
        awaitState("wms", "evt_early_pick", "done");
        downstream.verify(1, patchRequestedFor(urlEqualTo("/tm/tasks/TASK-LATE"))
                .withRequestBody(matchingJsonPath("$.status", equalTo("completed"))));
        assertThat(requests(postRequestedFor(urlEqualTo("/crm/orders/ORD-LATE/events"))).get(0).getBodyAsString()).contains("shipped");
    }

    @Test
    void oneOrdersEventsRunInOrderEvenWhenTheFirstIsRetrying() {
        downstream.stubFor(post("/tm/tasks").inScenario("slow").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ok"));
        downstream.stubFor(post("/tm/tasks").inScenario("slow").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"id\":\"TASK-SEQ\"}").withStatus(201)));
        pickFor("ORD-SEQ", "PICK-SEQ");
        send("crm", orderCreated("evt_seq_created", "ORD-SEQ"));
        send("crm", event("ORDER.CANCELLED", "evt_seq_cancelled", "ORD-SEQ"));
        awaitState("crm", "evt_seq_cancelled", "done");
        assertThat(trace("crm", "evt_seq_created").get("state").asText()).isEqualTo("done");
        List<String> order = downstream.getAllServeEvents().stream()
                .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
                .map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl()).toList();
        assertThat(order).containsSubsequence("POST /tm/tasks", "POST /tm/tasks", "POST /wms/picks",
                "PATCH /wms/picks/PICK-SEQ", "PATCH /tm/tasks/TASK-SEQ");
        downstream.verify(patchRequestedFor(urlEqualTo("/wms/picks/PICK-SEQ"))
                .withRequestBody(matchingJsonPath("$.status", equalTo("cancelled"))));
    }

    @Test
    void anOrderInRetriesDoesNotHoldUpOtherOrders() {
        // at least 5 s (the Retry-After cap here) between its attempts: it cannot be dead before 20 s
        downstream.stubFor(post("/tm/tasks").withRequestBody(matchingJsonPath("$.external_ref.id", equalTo("ORD-STUCK")))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));
        downstream.stubFor(patch(urlEqualTo("/tm/tasks/TASK-FREE")).inScenario("conflict").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(409)).willSetStateTo("ok"));
        taskFor("ORD-FREE", "TASK-FREE");
        pickFor("ORD-FREE", "PICK-FREE");
        send("crm", orderCreated("evt_stuck", "ORD-STUCK"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !requests(postRequestedFor(urlEqualTo("/tm/tasks"))).isEmpty());
        send("crm", orderCreated("evt_free", "ORD-FREE"));
        ObjectNode free = awaitState("crm", "evt_free", "done");
        assertThat(trace("crm", "evt_stuck").get("state").asText()).isIn("waiting", "processing");
        // a 409 on a call other than POST /picks is retried
        assertThat(attempts(free, "attach-pick-to-task")).extracting(a -> a.get("status").asInt()).containsExactly(409, 200);
    }

    @Test
    void aHubStoppedInTheMiddleOfRetriesFinishesAfterItsRestartWithTheSameKeys() {
        downstream.stubFor(post("/tm/tasks").willReturn(aResponse().withStatus(503)));
        send("crm", orderCreated("evt_restart", "ORD-RESTART"));
        await().atMost(Duration.ofSeconds(10)).until(() -> requests(postRequestedFor(urlEqualTo("/tm/tasks"))).size() >= 2);
        hub.stop();
        taskFor("ORD-RESTART", "TASK-RESTART");
        pickFor("ORD-RESTART", "PICK-RESTART");
        hub.start();
        awaitState("crm", "evt_restart", "done");
        List<LoggedRequest> calls = requests(postRequestedFor(urlEqualTo("/tm/tasks")));
        assertThat(calls.size()).isBetween(3, 5);
        assertThat(calls).allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo("evt_restart"));
        assertThat(requests(postRequestedFor(urlEqualTo("/wms/picks"))))
                .allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo("pick_ORD-RESTART"));
    }

    @Test
    void aDeadLetterReplayedAfterTheFixCompletesExactlyOnce() {
        downstream.stubFor(post("/tm/tasks").willReturn(aResponse().withStatus(400)));
        send("crm", orderCreated("evt_replay", "ORD-REPLAY"));
        long id = awaitState("crm", "evt_replay", "dead").get("deadLetter").get("id").asLong();

        downstream.resetAll();
        stubs();
        taskFor("ORD-REPLAY", "TASK-REPLAY");
        pickFor("ORD-REPLAY", "PICK-REPLAY");
        ObjectNode replayed = admin.post("/admin/dead-letters/" + id + "/replay", "", 202);
        assertThat(replayed.get("state").asText()).isEqualTo("replayed");
        awaitState("crm", "evt_replay", "done");
        // a later event of the same order runs only after every run of the replayed one: when it is done,
        // a second run of the replay would have been seen
        send("crm", event("ORDER.UPDATED", "evt_replay_after", "ORD-REPLAY"));
        awaitState("crm", "evt_replay_after", "done");
        assertThat(requests(postRequestedFor(urlEqualTo("/tm/tasks")))).hasSize(1);
        assertThat(requests(postRequestedFor(urlEqualTo("/wms/picks")))).hasSize(1);
        assertThat(requests(postRequestedFor(urlEqualTo("/tm/tasks"))).get(0).getHeader("Idempotency-Key")).isEqualTo("evt_replay");
        assertThat(admin.post("/admin/dead-letters/" + id + "/replay", "").statusCode()).isEqualTo(409);
    }

    @Test
    void deadLettersAreReplayedByFilterOrDiscarded() {
        downstream.stubFor(post("/tm/tasks").willReturn(aResponse().withStatus(404)));
        send("crm", orderCreated("evt_filter_1", "ORD-F1"));
        send("crm", orderCreated("evt_filter_2", "ORD-F2"));
        long first = awaitState("crm", "evt_filter_1", "dead").get("deadLetter").get("id").asLong();
        awaitState("crm", "evt_filter_2", "dead");

        ObjectNode discarded = admin.post("/admin/dead-letters/" + first + "/discard", "", 200);
        assertThat(discarded.get("state").asText()).isEqualTo("discarded");
        assertThat(trace("crm", "evt_filter_1").get("state").asText()).isEqualTo("discarded");

        taskFor("ORD-F2", "TASK-F2");
        pickFor("ORD-F2", "PICK-F2");
        assertThat(admin.post("/admin/dead-letters/replay", "{}").statusCode()).isEqualTo(400);
        ObjectNode result = admin.post("/admin/dead-letters/replay",
                "{\"sender\":\"crm\",\"eventType\":\"ORDER.CREATED\",\"from\":\"2000-01-01T00:00:00Z\"}", 202);
        assertThat(result.get("replayed").asInt()).isGreaterThanOrEqualTo(1);
        awaitState("crm", "evt_filter_2", "done");
        assertThat(trace("crm", "evt_filter_1").get("state").asText()).isEqualTo("discarded");
        assertThat(admin.get("/admin/dead-letters/999999").statusCode()).isEqualTo(404);
    }

    @Test
    void pickPartialSendsOrderedDeltasAndOrderUpdatedChangesTaskAndPick() {
        taskFor("ORD-PP", "TASK-PP");
        pickFor("ORD-PP", "PICK-PP");
        send("crm", orderCreated("evt_pp_created", "ORD-PP"));
        awaitState("crm", "evt_pp_created", "done");

        ObjectNode updated = event("ORDER.UPDATED", "evt_pp_updated", "ORD-PP");
        send("crm", updated);
        awaitState("crm", "evt_pp_updated", "done");
        downstream.verify(1, patchRequestedFor(urlEqualTo("/tm/tasks/TASK-PP")).withHeader("Idempotency-Key",
                equalTo("evt_pp_updated:update-task")).withRequestBody(equalToJson(
                "{\"priority\":\"normal\",\"due_date\":\"2026-12-02T23:59:00Z\"}")));
        downstream.verify(1, patchRequestedFor(urlEqualTo("/wms/picks/PICK-PP")).withRequestBody(equalToJson(
                "{\"priority\":\"normal\"}")));

        send("wms", event("PICK.PARTIAL", "evt_pp_1", "ORD-PP"));
        send("wms", event("PICK.PARTIAL", "evt_pp_2", "ORD-PP"));
        awaitState("wms", "evt_pp_2", "done");
        List<Integer> sequences = requests(postRequestedFor(urlEqualTo("/crm/orders/ORD-PP/events"))).stream()
                .map(r -> Events.parse(r.getBodyAsString())).filter(b -> b.get("type").asText().equals("lines_updated"))
                .map(b -> b.get("data").get("sequence").asInt()).toList();
        assertThat(sequences).containsExactly(1, 2);
    }

    @Test
    void humanActionIsAlertedThenEscalatedAndInventoryAlertsAlert() {
        send("tasks", event("TASK.HUMAN_ACTION_REQUIRED", "evt_hitl", "ORD-HITL"));
        awaitState("tasks", "evt_hitl", "done");
        await().atMost(Duration.ofSeconds(10)).until(() -> requests(postRequestedFor(urlEqualTo("/alerts"))).stream()
                .anyMatch(r -> r.getBodyAsString().contains("ESCALATION")));
        List<String> texts = requests(postRequestedFor(urlEqualTo("/alerts"))).stream()
                .map(r -> Events.parse(r.getBodyAsString()).get("text").asText()).toList();
        assertThat(texts).anyMatch(t -> t.contains("TASK-77") && t.contains("needs a person"));

        send("wms", event("INVENTORY.ALERT", "evt_inventory", null));
        await().atMost(Duration.ofSeconds(10)).until(() -> requests(postRequestedFor(urlEqualTo("/alerts"))).stream()
                .anyMatch(r -> r.getBodyAsString().contains("SKU-BLU-7")));
        assertThat(requests(anyRequestedFor(anyUrl()))).noneMatch(r -> r.getUrl().startsWith("/crm")
                && r.getBodyAsString().contains("evt_inventory"));
    }
}
