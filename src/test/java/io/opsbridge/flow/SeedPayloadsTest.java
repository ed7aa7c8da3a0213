package io.opsbridge.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The integration template pack as written: its ORDER.CREATED, TASK.CREATED and PICK.REQUEST,
 * copied verbatim into src/test/resources/seeds/, are what the hub accepts (the exact bytes, signed)
 * and what it sends (the PICK.REQUEST to POST {wms}/picks, compared field by field). The seeds'
 * timestamps are January 2026, so this hub's tolerance is widened to take them unchanged; nothing
 * else is set apart from the downstream URLs and the pack's zones and source name.
 */
class SeedPayloadsTest {

    static final Path SEEDS = Path.of("src/test/resources/seeds");

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
        Map<String, String> s = TestHub.deliveringTo(downstream.baseUrl(), data);
        s.put("opsbridge.delivery.prerequisite-retry-ms", "200");
        s.put("opsbridge.mapping.location-preferences", "zone-A,zone-B");
        s.put("opsbridge.source", "orchestrator.v2");
        s.put("opsbridge.admin.token", "seed-admin");
        for (String sender : List.of("crm", "tasks", "wms")) {
            s.put("opsbridge.sender." + sender + ".secrets", sender + "-secret");
            s.put("opsbridge.sender." + sender + ".tolerance-seconds", Long.toString(Duration.ofDays(3650).toSeconds()));
        }
        hub = TestHub.start(data, s);
        vendor = new Webhooks(hub);
        admin = new AdminClient(hub, "seed-admin");

        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{\"id\":\"T-789\"}").withStatus(201)));
        // the pack: "WMS returns 202 if queued" -- with no body, the pick keeps the id the request proposed
        downstream.stubFor(post("/wms/picks").willReturn(aResponse().withStatus(202)));
        downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}")));
        downstream.stubFor(post(urlPathMatching("/crm/orders/.*/events")).willReturn(okJson("{}").withStatus(201)));
        downstream.stubFor(post("/alerts").willReturn(aResponse().withStatus(200)));
    }

    @AfterAll
    static void stop() {
        hub.close();
        downstream.stop();
    }

    static String seed(String name) throws IOException {
        return Files.readString(SEEDS.resolve(name + ".json"), StandardCharsets.UTF_8);
    }

    static ObjectNode awaitDone(String sender, String eventId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "done".equals(admin.get("/admin/events/" + sender + "/" + eventId, 200).get("state").asText()));
        return admin.get("/admin/events/" + sender + "/" + eventId, 200);
    }

    @Test
    void thePacksOrderIsAcceptedMappedAndItsPickRequestSentInThePacksShape() throws IOException {
        String order = seed("ORDER.CREATED");
        HttpResponse<String> accepted = vendor.post("/webhooks/orders", "crm-secret", order);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(vendor.post("/webhooks/orders", "crm-secret", order).statusCode()).isEqualTo(200); // the same bytes: a duplicate
        ObjectNode trace = awaitDone("crm", "evt_01F8X2A9...");

        // POST /tasks: the fields the pack's TASK.CREATED shows for this order, mapped from it
        LoggedRequest taskCall = downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks"))).get(0);
        assertThat(taskCall.getHeader("Idempotency-Key")).isEqualTo("evt_01F8X2A9...");
        JsonNode task = Events.parse(taskCall.getBodyAsString());
        JsonNode packTask = Events.parse(seed("TASK.CREATED")).get("payload");
        for (String field : List.of("task_type", "external_ref", "priority", "due_date")) {
            assertThat(task.get(field)).as(field).isEqualTo(packTask.get(field));
        }
        assertThat(task.get("due_date").asText()).isEqualTo("2026-01-19T23:59:00Z"); // requested 2026-01-20, gold -> high
        assertThat(task.get("line_items").toString()).isEqualTo("[{\"sku\":\"SKU-111\",\"qty\":2},{\"sku\":\"SKU-222\",\"qty\":1}]");

        // POST /picks: the pack's PICK.REQUEST, field by field
        LoggedRequest pickCall = downstream.findAll(postRequestedFor(urlEqualTo("/wms/picks"))).get(0);
        assertThat(pickCall.getHeader("Idempotency-Key")).isEqualTo("pick_ORD-20260117-001");
        JsonNode sent = Events.parse(pickCall.getBodyAsString());
        JsonNode pack = Events.parse(seed("PICK.REQUEST"));
        assertThat(fieldNames(sent)).isEqualTo(fieldNames(pack));
        assertThat(fieldNames(sent.get("payload"))).isEqualTo(fieldNames(pack.get("payload")));
        assertThat(sent.get("request_id").asText()).isEqualTo("req_pick_ORD-20260117-001"); // derived: the same on every retry
        assertThat(sent.get("timestamp").asText()).isEqualTo("2026-01-17T14:32:00Z");        // the order event's
        assertThat(sent.get("source")).isEqualTo(pack.get("source"));
        assertThat(sent.get("payload").get("pick_id").asText()).isEqualTo("PICK-ORD-20260117-001");
        for (String field : List.of("order_id", "line_items", "priority", "location_preferences")) {
            assertThat(sent.get("payload").get(field)).as("payload." + field).isEqualTo(pack.get("payload").get(field));
        }

        // the WMS queued it (202, no body): the proposed pick id goes into the task's metadata
        downstream.verify(1, patchRequestedFor(urlEqualTo("/tm/tasks/T-789"))
                .withRequestBody(equalToJson("{\"metadata\":{\"pick_id\":\"PICK-ORD-20260117-001\"}}")));
        assertThat(trace.get("links").get("pickId").asText()).isEqualTo("PICK-ORD-20260117-001");

        // the pack's TASK.CREATED for that task: accepted and linked, no second pick
        HttpResponse<String> taskCreated = vendor.post("/webhooks/tasks", "tasks-secret", seed("TASK.CREATED"));
        assertThat(taskCreated.statusCode()).as(taskCreated.body()).isEqualTo(202);
        ObjectNode taskTrace = awaitDone("tasks", "evt_01F8Y3B2...");
        assertThat(taskTrace.get("links").get("taskId").asText()).isEqualTo("T-789");
        assertThat(downstream.findAll(postRequestedFor(urlEqualTo("/wms/picks")))).hasSize(1);

        // a PICK.COMPLETED with only what the flow reads, and fields of the WMS's own: completed and shipped
        String completed = """
                {"event_id":"evt_pick_5001_done","event_type":"PICK.COMPLETED","event_version":"1.0",
                 "timestamp":"%s","source":"wms.prod",
                 "payload":{"pick_id":"PICK-ORD-20260117-001","order_id":"ORD-20260117-001","picker":"P-17","bin":"A-3"}}"""
                .formatted(java.time.Instant.now());
        assertThat(vendor.post("/webhooks/wms", "wms-secret", completed).statusCode()).isEqualTo(202);
        awaitDone("wms", "evt_pick_5001_done");
        downstream.verify(1, patchRequestedFor(urlEqualTo("/tm/tasks/T-789"))
                .withRequestBody(equalToJson("{\"status\":\"completed\",\"metadata\":{\"pick_id\":\"PICK-ORD-20260117-001\"}}")));
        downstream.verify(1, postRequestedFor(urlEqualTo("/crm/orders/ORD-20260117-001/events"))
                .withHeader("Idempotency-Key", equalTo("evt_pick_5001_done:shipped")));
    }

    @Test
    void openPayloadsRequireOnlyWhatAFlowReadsAndLetOtherFieldsThrough() {
        String alert = """
                {"event_id":"evt_inv_qty_available","event_type":"INVENTORY.ALERT","event_version":"1.0",
                 "timestamp":"%s","source":"wms.prod",
                 "payload":{"sku":"SKU-111","qty_available":3,"reorder_point":10,"warehouse":"zone-A"}}"""
                .formatted(java.time.Instant.now());
        HttpResponse<String> answer = vendor.post("/webhooks/wms", "wms-secret", alert);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        awaitDone("wms", "evt_inv_qty_available");
        await().atMost(Duration.ofSeconds(10)).until(() -> downstream.findAll(postRequestedFor(urlEqualTo("/alerts"))).stream()
                .anyMatch(r -> r.getBodyAsString().contains("SKU-111 has 3 available")));

        String noSku = alert.replace("\"sku\":\"SKU-111\",", "").replace("evt_inv_qty_available", "evt_inv_no_sku");
        HttpResponse<String> refused = vendor.post("/webhooks/wms", "wms-secret", noSku);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("/payload/sku");
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}
