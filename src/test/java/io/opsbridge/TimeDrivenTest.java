package io.opsbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opsbridge.inbox.InboxPurge;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestClock;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules that depend on time, on a clock the test moves (the hub's clock, bound as "clock"): retention
 * and purge, the escalation SLA, the reconciler's watermark, and what resolving a dead letter does
 * to a later replay. Nothing waits for wall-clock time to pass; each wait is for the event that
 * proves the outcome (an alert in the downstream's request log, a state).
 */
class TimeDrivenTest {

    static final String ADMIN = "time-admin-token";
    static final Duration SLA = Duration.ofHours(1);

    @TempDir
    static Path data;
    static WireMockServer downstream;
    static TestClock clock = new TestClock();
    static TestHub hub;
    static AdminClient admin;
    static Webhooks vendor;

    @BeforeAll
    static void start() {
        downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        downstream.start();
        Map<String, String> s = TestHub.deliveringTo(downstream.baseUrl(), data);
        s.put("opsbridge.escalation.sla-ms", Long.toString(SLA.toMillis()));
        s.put("opsbridge.escalation.check-interval-ms", "100");
        s.put("opsbridge.admin.token", ADMIN);
        s.put("opsbridge.sender.tasks.retention-days", "1");
        for (String sender : List.of("crm", "tasks", "wms")) {
            s.put("opsbridge.sender." + sender + ".secrets", sender + "-secret");
            s.put("opsbridge.sender." + sender + ".rate-limit", "0");
        }
        hub = TestHub.start(data, s, clock);
        admin = new AdminClient(hub, ADMIN);
        vendor = new Webhooks(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
        downstream.stop();
    }

    @BeforeEach
    void stubs() {
        clock.resume();
        downstream.resetAll();
        downstream.stubFor(post("/alerts").willReturn(aResponse().withStatus(200)));
        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{\"id\":\"TASK-OK\"}").withStatus(201)));
        downstream.stubFor(post("/wms/picks").willReturn(okJson("{\"id\":\"PICK-OK\"}").withStatus(201)));
        downstream.stubFor(patch(urlPathMatching("/(tm/tasks|wms/picks)/.*")).willReturn(okJson("{}")));
        downstream.stubFor(post(urlPathMatching("/crm/orders/.*/events")).willReturn(okJson("{}").withStatus(201)));
    }

    // ---- retention and purge

    @Test
    void aFinishedEventIsKeptUntilItsRetentionHasPassedThenPurged() {
        ObjectNode event = Events.example("TASK.CREATED", "evt_retained", clock.instant());
        event.put("event_type", "TASK.ARCHIVED"); // no flow: finished (unrouted) as it is stored
        String body = Events.json(event);
        assertThat(vendor.post("/webhooks/tasks", "tasks-secret", body).statusCode()).isEqualTo(202);
        Instant retainUntil = instant(hub.query("SELECT retain_until FROM inbox_event WHERE event_id = 'evt_retained'")
                .get(0).get("retain_until"));
        Instant received = instant(hub.query("SELECT received_at FROM inbox_event WHERE event_id = 'evt_retained'")
                .get(0).get("received_at"));
        assertThat(Duration.between(received, retainUntil)).as("tasks keep records 1 day here")
                .isBetween(Duration.ofDays(1).minusMinutes(1), Duration.ofDays(1));

        clock.setTo(retainUntil.minusMillis(1));
        purge();
        assertThat(ids()).contains("evt_retained");
        // still its idempotency record: a late re-send is a duplicate, not a new event
        assertThat(vendor.post("/webhooks/tasks", "tasks-secret", body).statusCode()).isEqualTo(200);

        clock.setTo(retainUntil.plusMillis(1));
        purge();
        assertThat(ids()).doesNotContain("evt_retained");
    }

    static Instant instant(Object column) {
        return column instanceof Timestamp t ? t.toInstant() : ((java.time.OffsetDateTime) column).toInstant();
    }

    static List<Object> ids() {
        return hub.query("SELECT event_id FROM inbox_event").stream().map(r -> r.get("event_id")).toList();
    }

    static void purge() {
        try {
            hub.bean("inboxPurge", InboxPurge.class).purge();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- escalation SLA

    @Test
    void anAssignmentBeforeTheSlaPreventsTheEscalationAndOneAfterDoesNot() {
        Instant t0 = clock.freeze().instant();
        // a control task opened 10 s earlier: its escalation proves a check ran at the instant the test sets
        clock.setTo(t0.minusSeconds(10));
        needsAPerson("TASK-EARLY");
        clock.setTo(t0);
        needsAPerson("TASK-ASSIGNED-IN-TIME");
        needsAPerson("TASK-LEFT-ALONE");
        assigned("TASK-ASSIGNED-IN-TIME");

        clock.setTo(t0.plus(SLA).minusSeconds(1));
        awaitEscalation("TASK-EARLY");
        assertThat(escalations("TASK-LEFT-ALONE")).as("one second before its SLA").isEmpty();
        assertThat(escalationState("TASK-LEFT-ALONE")).isEqualTo("open");

        clock.setTo(t0.plus(SLA));
        awaitEscalation("TASK-LEFT-ALONE");
        assertThat(escalationState("TASK-ASSIGNED-IN-TIME")).as("assigned before the SLA").isEqualTo("resolved");
        assertThat(escalations("TASK-ASSIGNED-IN-TIME")).isEmpty();

        // assigned only after its SLA: the escalation stands, and is not repeated
        assigned("TASK-LEFT-ALONE");
        needsAPerson("TASK-LATER");
        clock.setTo(t0.plus(SLA).plus(SLA));
        awaitEscalation("TASK-LATER");
        assertThat(escalations("TASK-LEFT-ALONE")).hasSize(1);
        assertThat(escalations("TASK-ASSIGNED-IN-TIME")).isEmpty();
        assertThat(escalations("TASK-EARLY")).hasSize(1);
    }

    static void needsAPerson(String taskId) {
        ObjectNode event = Events.example("TASK.HUMAN_ACTION_REQUIRED", "evt_hitl_" + taskId, clock.instant());
        ((ObjectNode) event.get("payload")).put("task_id", taskId);
        send("tasks", "/webhooks/tasks", event);
        awaitState("tasks", "evt_hitl_" + taskId, "done");
    }

    static void assigned(String taskId) {
        ObjectNode event = Events.example("TASK.ASSIGNED", "evt_assigned_" + taskId, clock.instant());
        ((ObjectNode) event.get("payload")).put("task_id", taskId);
        ((ObjectNode) event.get("payload").get("external_ref")).put("id", "ORD-" + taskId);
        send("tasks", "/webhooks/tasks", event);
        awaitState("tasks", "evt_assigned_" + taskId, "done");
    }

    static List<String> escalations(String taskId) {
        return downstream.findAll(postRequestedFor(urlEqualTo("/alerts"))).stream().map(LoggedRequest::getBodyAsString)
                .filter(b -> b.contains("ESCALATION") && b.contains("task " + taskId + " ")).toList();
    }

    static void awaitEscalation(String taskId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !escalations(taskId).isEmpty());
        // every escalation due at this instant was claimed in the same check
        await().atMost(Duration.ofSeconds(20)).until(() -> "escalated".equals(escalationState(taskId)));
    }

    static String escalationState(String taskId) {
        return (String) hub.query("SELECT state FROM escalation WHERE task_id = ?", taskId).get(0).get("state");
    }

    // ---- reconciler watermark

    @Test
    void theReconcilersSecondRunAsksOnlyForOrdersSinceItsWatermark() {
        downstream.stubFor(get(urlEqualTo("/crm/orders")).willReturn(okJson("{\"orders\":["
                + crmOrder("ORD-RECON-1", "2026-11-28T10:00:00Z") + "," + crmOrder("ORD-RECON-2", "2026-11-28T12:30:00Z") + "]}")));
        downstream.stubFor(get(urlPathEqualTo("/crm/orders")).withQueryParam("since", equalTo("2026-11-28T12:30:00Z"))
                .willReturn(okJson("{\"orders\":[" + crmOrder("ORD-RECON-3", "2026-11-28T13:00:00Z") + "]}")));

        ObjectNode first = admin.post("/admin/reconciler/run", "", 200);
        assertThat(first.get("lastStatus").asText()).isEqualTo("ok");
        assertThat(first.get("ordersFed").asInt()).isEqualTo(2);
        assertThat(first.get("watermark").asText()).isEqualTo("2026-11-28T12:30:00Z");
        ObjectNode second = admin.post("/admin/reconciler/run", "", 200);
        assertThat(second.get("ordersFed").asInt()).isEqualTo(1);
        assertThat(second.get("watermark").asText()).isEqualTo("2026-11-28T13:00:00Z");

        List<LoggedRequest> polls = downstream.findAll(getRequestedFor(urlPathEqualTo("/crm/orders")));
        assertThat(polls).extracting(LoggedRequest::getUrl)
                .containsExactly("/crm/orders", "/crm/orders?since=2026-11-28T12%3A30%3A00Z");
        for (String order : List.of("ORD-RECON-1", "ORD-RECON-2", "ORD-RECON-3")) {
            awaitState("crm", "reconciled:" + order, "done");
        }
    }

    static String crmOrder(String orderId, String updatedAt) {
        ObjectNode payload = (ObjectNode) Events.example("ORDER.CREATED", "unused").get("payload");
        payload.put("order_id", orderId);
        payload.put("updated_at", updatedAt);
        return Events.json(payload);
    }

    // ---- leases: the events a dead node held

    @Test
    void anEventHeldByADeadNodeIsTakenUpOnceItsLeaseRunsOutAndNotBefore() {
        Instant t0 = clock.freeze().instant();
        for (String order : List.of("ORD-LEASE-VALID", "ORD-LEASE-EXPIRED")) {
            ObjectNode event = Events.example("ORDER.CREATED", "evt_" + order, t0);
            ((ObjectNode) event.get("payload")).put("order_id", order);
            send("crm", "/webhooks/orders", event);
            awaitState("crm", "evt_" + order, "done");
        }
        // what a node that claimed them and died leaves behind: its leases, one still valid, one run out
        hub.update("UPDATE inbox_event SET state = 'processing', lease_owner = 'dead-node', lease_until = ? WHERE event_id = ?",
                Timestamp.from(t0.plusSeconds(60)), "evt_ORD-LEASE-VALID");
        hub.update("UPDATE inbox_event SET state = 'processing', lease_owner = 'dead-node', lease_until = ? WHERE event_id = ?",
                Timestamp.from(t0.minusMillis(1)), "evt_ORD-LEASE-EXPIRED");

        // the expired one taken up proves the dispatcher looked at both at t0
        awaitState("crm", "evt_ORD-LEASE-EXPIRED", "done");
        assertThat(hub.query("SELECT state, lease_owner FROM inbox_event WHERE event_id = 'evt_ORD-LEASE-VALID'"))
                .containsExactly(Map.of("state", "processing", "lease_owner", "dead-node"));

        clock.setTo(t0.plusSeconds(60).plusMillis(1));
        awaitState("crm", "evt_ORD-LEASE-VALID", "done");
        assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))
                .withRequestBody(matchingJsonPath("$.external_ref.id", equalTo("ORD-LEASE-VALID")))))
                .allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo("evt_ORD-LEASE-VALID"));
    }

    // ---- dead letters: resolving one changes what a replay does

    @Test
    void aDiscardedDeadLetterIsNeverReplayedAndAReplayedOneNotTwice() {
        for (String order : List.of("ORD-DL-DISCARD", "ORD-DL-REPLAY")) {
            downstream.stubFor(post("/tm/tasks").withRequestBody(matchingJsonPath("$.external_ref.id", equalTo(order)))
                    .willReturn(aResponse().withStatus(400)));
            ObjectNode event = Events.example("ORDER.CREATED", "evt_" + order, clock.instant());
            ((ObjectNode) event.get("payload")).put("order_id", order);
            send("crm", "/webhooks/orders", event);
        }
        long discarded = awaitState("crm", "evt_ORD-DL-DISCARD", "dead").get("deadLetter").get("id").asLong();
        long replayed = awaitState("crm", "evt_ORD-DL-REPLAY", "dead").get("deadLetter").get("id").asLong();
        stubs(); // the downstream is fixed

        assertThat(admin.post("/admin/dead-letters/" + discarded + "/discard", "", 200).get("state").asText()).isEqualTo("discarded");
        assertThat(admin.post("/admin/dead-letters/" + discarded + "/replay", "").statusCode()).as("a discarded one").isEqualTo(409);
        assertThat(admin.post("/admin/dead-letters/" + discarded + "/discard", "").statusCode()).isEqualTo(409);

        ObjectNode all = admin.post("/admin/dead-letters/replay", "{\"all\":true}", 202);
        assertThat(all.get("ids")).extracting(n -> n.asLong()).containsExactly(replayed);
        awaitState("crm", "evt_ORD-DL-REPLAY", "done");
        assertThat(admin.post("/admin/dead-letters/" + replayed + "/replay", "").statusCode()).as("already replayed").isEqualTo(409);
        assertThat(admin.post("/admin/dead-letters/" + replayed + "/discard", "").statusCode()).isEqualTo(409);
        assertThat(admin.post("/admin/dead-letters/replay", "{\"all\":true}", 202).get("replayed").asInt()).isZero();

        assertThat(trace("crm", "evt_ORD-DL-DISCARD").get("state").asText()).isEqualTo("discarded");
        assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))
                .withRequestBody(matchingJsonPath("$.external_ref.id", equalTo("ORD-DL-DISCARD"))))).isEmpty();
        assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))
                .withRequestBody(matchingJsonPath("$.external_ref.id", equalTo("ORD-DL-REPLAY"))))).hasSize(1);
        assertThat(admin.get("/admin/dead-letters/" + discarded, 200).get("state").asText()).isEqualTo("discarded");
        assertThat(admin.get("/admin/dead-letters/" + replayed, 200).get("state").asText()).isEqualTo("replayed");
    }

    // ---- helpers

    static void send(String sender, String path, ObjectNode event) {
        var response = vendor.post(path, sender + "-secret", Events.json(event));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    static ObjectNode trace(String sender, String eventId) {
        return admin.get("/admin/events/" + sender + "/" + eventId, 200);
    }

    static ObjectNode awaitState(String sender, String eventId, String state) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> state.equals(trace(sender, eventId).get("state").asText()));
        return trace(sender, eventId);
    }
}
