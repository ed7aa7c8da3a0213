package io.opsbridge.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /admin/events (search by sender, type, state, order, time) and GET /admin/overview, over HTTP:
 * status codes and bodies. The console's Events and Overview pages stand on them.
 */
class EventSearchAndOverviewTest {

    static final String ADMIN = "events-api-admin-token";

    @TempDir
    static Path data;
    static TestHub hub;
    static AdminClient admin;
    static Instant beforeSecond;

    @BeforeAll
    static void start() throws InterruptedException {
        hub = TestHub.start(data, Map.of(
                "opsbridge.admin.token", ADMIN,
                "opsbridge.sender.crm.secrets", "crm-secret",
                "opsbridge.sender.crm.rate-limit", "0"));
        admin = new AdminClient(hub, ADMIN);
        Webhooks vendor = new Webhooks(hub);
        // delivery is off in this hub: both events stay received, the backlog
        assertThat(vendor.post("/webhooks/orders", "crm-secret", Events.json(order("evt_search_1", "ORD-S1", "ORDER.CREATED")))
                .statusCode()).isEqualTo(202);
        Thread.sleep(20);
        beforeSecond = Instant.now();
        assertThat(vendor.post("/webhooks/orders", "crm-secret", Events.json(order("evt_search_2", "ORD-S2", "ORDER.CANCELLED")))
                .statusCode()).isEqualTo(202);
    }

    static ObjectNode order(String eventId, String orderId, String type) {
        ObjectNode event = Events.example(type, eventId);
        ((ObjectNode) event.get("payload")).put("order_id", orderId);
        return event;
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    // ---- GET /admin/events

    @Test
    void eventSearchFiltersNewestFirst() {
        JsonNode all = admin.get("/admin/events", 200);
        assertThat(ids(all)).containsExactly("evt_search_2", "evt_search_1");
        assertThat(all.get("limit").asInt()).isEqualTo(100);
        assertThat(all.get("more").asBoolean()).isFalse();
        JsonNode first = all.get("events").get(1);
        assertThat(first.get("sender").asText()).isEqualTo("crm");
        assertThat(first.get("eventType").asText()).isEqualTo("ORDER.CREATED");
        assertThat(first.get("state").asText()).isEqualTo("received");
        assertThat(first.get("orderId").asText()).isEqualTo("ORD-S1");
        assertThat(first.get("trace").asText()).isEqualTo("/admin/events/crm/evt_search_1");
        assertThat(first.has("receivedAt")).isTrue();

        assertThat(ids(admin.get("/admin/events?order=ORD-S1", 200))).containsExactly("evt_search_1");
        assertThat(ids(admin.get("/admin/events?type=ORDER.CANCELLED", 200))).containsExactly("evt_search_2");
        assertThat(ids(admin.get("/admin/events?sender=crm&state=received", 200))).hasSize(2);
        assertThat(ids(admin.get("/admin/events?sender=wms", 200))).isEmpty();
        assertThat(ids(admin.get("/admin/events?state=dead", 200))).isEmpty();
        assertThat(ids(admin.get("/admin/events?from=" + beforeSecond, 200))).containsExactly("evt_search_2");
        assertThat(ids(admin.get("/admin/events?to=" + beforeSecond, 200))).containsExactly("evt_search_1");
        JsonNode one = admin.get("/admin/events?limit=1", 200);
        assertThat(ids(one)).containsExactly("evt_search_2");
        assertThat(one.get("more").asBoolean()).isTrue();
    }

    @Test
    void eventSearchRefusesWhatItCannotAnswer() {
        assertProblem(admin.get("/admin/events?state=finished"), 400, "invalid-request", "state must be one of");
        assertProblem(admin.get("/admin/events?from=yesterday"), 400, "invalid-request", "from must be an RFC 3339 instant");
        assertProblem(admin.get("/admin/events?to=2026-13-01T00:00:00Z"), 400, "invalid-request", "to must be");
        assertProblem(admin.get("/admin/events?limit=0"), 400, "invalid-request", "limit must be");
        assertProblem(admin.get("/admin/events?limit=501"), 400, "invalid-request", "limit must be");
        assertProblem(admin.get("/admin/events?limit=ten"), 400, "invalid-request", "limit must be");
        HttpResponse<String> unknown = admin.get("/admin/events?sendr=crm");
        assertProblem(unknown, 400, "unknown-parameter", "unknown: sendr");
        assertThat(Events.parse(unknown.body()).get("errors").get(0).get("pointer").asText()).isEqualTo("sendr");
        assertThat(hub.get("/admin/events").statusCode()).isEqualTo(401);
        assertThat(new AdminClient(hub, "wrong").get("/admin/events").statusCode()).isEqualTo(401);
    }

    // ---- GET /admin/overview

    @Test
    void overviewSummarisesIntakeBacklogAndDeadLetters() {
        JsonNode overview = admin.get("/admin/overview", 200);
        assertThat(overview.get("intake").get("accepted").asLong()).isGreaterThanOrEqualTo(2);
        JsonNode backlog = overview.get("backlog");
        assertThat(backlog.get("received").asLong()).isEqualTo(2);
        assertThat(backlog.get("processing").asLong()).isZero();
        assertThat(backlog.get("waiting").asLong()).isZero();
        assertThat(backlog.get("total").asLong()).isEqualTo(2);
        assertThat(backlog.get("oldestAgeSeconds").asDouble()).isPositive();
        assertThat(overview.get("deadLettersOpen").asLong()).isZero();
        assertThat(overview.get("downstream").isObject()).isTrue();
        assertThat(Instant.parse(overview.get("at").asText())).isAfterOrEqualTo(Instant.parse(overview.get("countersSince").asText()));

        // a refusal is counted under its problem code
        new Webhooks(hub).post("/webhooks/orders", "not-the-secret", Events.json(order("evt_bad_sig", "ORD-X", "ORDER.CREATED")));
        JsonNode after = admin.get("/admin/overview", 200);
        assertThat(after.get("intake").size()).isGreaterThanOrEqualTo(2);
        assertThat(hub.get("/admin/overview").statusCode()).isEqualTo(401);
    }

    static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("events").forEach(e -> ids.add(e.get("eventId").asText()));
        return ids;
    }

    static void assertProblem(HttpResponse<String> response, int status, String type, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        ObjectNode problem = Events.parse(response.body());
        assertThat(problem.get("type").asText()).endsWith(type);
        assertThat(problem.get("detail").asText()).contains(detail);
    }
}
