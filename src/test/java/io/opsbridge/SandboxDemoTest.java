package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
 * The shipped demo configuration: the sandbox CRM, task manager and WMS answer the flows and send
 * their own signed webhooks back, so a signed ORDER.CREATED becomes a task, a pick and a shipped
 * order on one machine. The reconciler feeds an order the CRM never sent. Metrics and health move.
 */
class SandboxDemoTest {

    @TempDir
    static Path data;
    static TestHub hub;
    static AdminClient admin;
    static Webhooks crm;

    @BeforeAll
    static void start() {
        hub = TestHub.start(data, Map.of(
                "opsbridge.delivery.enabled", "true",
                "opsbridge.delivery.poll-interval-ms", "50",
                "opsbridge.sandbox.pick-delay-ms", "300",
                "opsbridge.admin.token", "demo-admin",
                "opsbridge.metrics.gauge-interval-ms", "200"));
        admin = new AdminClient(hub, "demo-admin");
        crm = new Webhooks(hub);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static ObjectNode awaitDone(String sender, String eventId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "done".equals(admin.get("/admin/events/" + sender + "/" + eventId, 200).get("state").asText()));
        return admin.get("/admin/events/" + sender + "/" + eventId, 200);
    }

    @Test
    void aSignedOrderBecomesATaskAPickAndAShippedOrder() {
        ObjectNode order = Events.example("ORDER.CREATED", "evt_demo_1");
        ((ObjectNode) order.get("payload")).put("order_id", "ORD-DEMO-1");
        assertThat(crm.post("/webhooks/orders", "demo-crm-secret", Events.json(order)).statusCode()).isEqualTo(202);

        awaitDone("crm", "evt_demo_1");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "shipped".equals(admin.get("/admin/events/crm/evt_demo_1", 200).get("links").get("orderStatus").asText()));
        JsonNode trace = admin.get("/admin/events/crm/evt_demo_1", 200);
        assertThat(trace.get("links").get("taskId").asText()).startsWith("TASK-");
        assertThat(trace.get("links").get("pickId").asText()).startsWith("PICK-");
        assertThat(trace.get("orderTimeline").toString()).contains("task_created", "pick_requested", "shipped");

        JsonNode crmView = Events.parse(hub.send(HttpRequest.newBuilder(hub.uri("/sandbox/crm/orders/ORD-DEMO-1")).GET()).body());
        assertThat(crmView.get("events").toString()).contains("\"type\":\"shipped\"");

        // the inbox gauges are refreshed on their own schedule: wait for them rather than for a time
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.send(HttpRequest.newBuilder(hub.uri("/metrics")).GET()).body()
                .contains("opsbridge_inbox_oldest_age_seconds"));
        String metrics = hub.send(HttpRequest.newBuilder(hub.uri("/metrics")).GET()).body();
        assertThat(metrics).contains("opsbridge_webhooks_total{outcome=\"accepted\",sender=\"crm\",type=\"ORDER.CREATED\"}")
                .contains("opsbridge_downstream_attempts_total{status_class=\"2xx\",system=\"taskmanager\"}")
                .contains("opsbridge_inbox_oldest_age_seconds").contains("opsbridge_dead_letters_open")
                .contains("opsbridge_inbox_events{state=\"received\"}").contains("opsbridge_inbox_events{state=\"waiting\"}")
                .contains("opsbridge_inbox_events{state=\"processing\"}")
                // finished events are the inbox's whole history: not counted at every refresh
                .doesNotContain("opsbridge_inbox_events{state=\"done\"}");
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/observe/health/ready")).GET()).statusCode()).isEqualTo(200);
    }

    /**
     * The demo restarted on the same data directory keeps shipping: the sandbox's memory starts empty,
     * but its ids (and so its webhooks' event ids) never repeat an earlier run's, so nothing collides
     * with what the hub's inbox remembers.
     */
    @Test
    void afterARestartOnTheSameDataANewOrderShipsWithItsOwnTask() {
        ObjectNode first = Events.example("ORDER.CREATED", "evt_demo_before_restart");
        ((ObjectNode) first.get("payload")).put("order_id", "ORD-DEMO-BEFORE");
        assertThat(crm.post("/webhooks/orders", "demo-crm-secret", Events.json(first)).statusCode()).isEqualTo(202);
        JsonNode before = awaitShipped("evt_demo_before_restart");

        hub.restart();

        ObjectNode second = Events.example("ORDER.CREATED", "evt_demo_after_restart");
        ((ObjectNode) second.get("payload")).put("order_id", "ORD-DEMO-AFTER");
        assertThat(crm.post("/webhooks/orders", "demo-crm-secret", Events.json(second)).statusCode()).isEqualTo(202);
        JsonNode after = awaitShipped("evt_demo_after_restart");
        assertThat(after.get("links").get("taskId").asText()).isNotEqualTo(before.get("links").get("taskId").asText());
        assertThat(hub.query("SELECT COUNT(*) AS n FROM order_link WHERE task_id = ?", after.get("links").get("taskId").asText())
                .get(0).get("n")).isEqualTo(1L);
        // the sandbox's webhooks of this run were all new events, none "id reused for other content"
        assertThat(hub.query("SELECT COUNT(*) AS n FROM inbox_event WHERE event_id LIKE 'sbx_%' AND state <> 'done'")
                .get(0).get("n")).isEqualTo(0L);
    }

    /** The tenant webhook URL follows the port the hub runs on when opsbridge.public-url is not set. */
    @Test
    void theWebhookUrlFollowsTheServerPort() {
        String tenantId = admin.post("/admin/tenants", "{\"name\":\"Port\"}", 201).get("id").asText();
        ObjectNode connected = admin.post("/admin/tenants/" + tenantId + "/integrations/wms", "", 201);
        assertThat(connected.get("webhookUrl").asText())
                .isEqualTo("http://localhost:" + hub.uri("/").getPort() + "/api/integrations/wms/" + tenantId);
    }

    static JsonNode awaitShipped(String eventId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode links = admin.get("/admin/events/crm/" + eventId, 200).get("links");
            return links != null && links.hasNonNull("orderStatus") && "shipped".equals(links.get("orderStatus").asText());
        });
        return admin.get("/admin/events/crm/" + eventId, 200);
    }

    @Test
    void anOutOfStockOrderIsBackordered() {
        ObjectNode order = Events.example("ORDER.CREATED", "evt_demo_oos");
        ObjectNode payload = (ObjectNode) order.get("payload");
        payload.put("order_id", "ORD-DEMO-OOS");
        ((ObjectNode) payload.get("items").get(0)).put("sku", "SKU-GRN-3");
        assertThat(crm.post("/webhooks/orders", "demo-crm-secret", Events.json(order)).statusCode()).isEqualTo(202);
        JsonNode trace = awaitDone("crm", "evt_demo_oos");
        assertThat(trace.get("links").get("orderStatus").asText()).isEqualTo("backordered");
    }

    @Test
    void theReconcilerFeedsAnOrderTheCrmNeverSentOnce() {
        ObjectNode order = (ObjectNode) Events.example("ORDER.CREATED", "unused").get("payload");
        order.put("order_id", "ORD-POLLED-1");
        HttpResponse<String> entered = hub.send(HttpRequest.newBuilder(hub.uri("/sandbox/crm/orders"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Events.json(order))));
        assertThat(entered.statusCode()).isEqualTo(201);

        ObjectNode run = admin.post("/admin/reconciler/run", "", 200);
        assertThat(run.get("lastStatus").asText()).isEqualTo("ok");
        assertThat(run.get("ordersFed").asInt()).isEqualTo(1);
        awaitDone("crm", "reconciled:ORD-POLLED-1");

        // again: the order is known now, nothing is fed twice
        ObjectNode again = admin.post("/admin/reconciler/run", "", 200);
        assertThat(again.get("ordersFed").asInt()).isZero();
        assertThat(admin.get("/admin/reconciler", 200).get("watermark").asText()).isNotBlank();
    }

    @Test
    void everyDashboardQueryNamesASeriesTheHubExports() throws java.io.IOException {
        ObjectNode order = Events.example("ORDER.CREATED", "evt_demo_dash");
        ((ObjectNode) order.get("payload")).put("order_id", "ORD-DEMO-DASH");
        assertThat(crm.post("/webhooks/orders", "demo-crm-secret", Events.json(order)).statusCode()).isEqualTo(202);
        awaitDone("crm", "evt_demo_dash");
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/no-such-path")).GET()).statusCode()).isEqualTo(404);

        System.gc(); // the GC pause series appear with the first collection (the hub runs in this JVM)
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.metricNames().containsAll(java.util.List.of(
                "opsbridge_downstream_attempts_total", "opsbridge_inbox_oldest_age_seconds", "hikaricp_connections_active",
                "jvm_gc_pause_seconds_count")));
        String metrics = hub.send(HttpRequest.newBuilder(hub.uri("/metrics")).GET()).body();
        // Micrometer's own series: JVM, process, the pool, the HTTP server (route templates, not paths)
        assertThat(metrics).contains("jvm_memory_used_bytes{", "jvm_gc_pause_seconds_count{", "process_cpu_usage",
                "process_files_open_files", "hikaricp_connections_pending{",
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"202\",uri=\"/webhooks/orders\"}",
                "http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/admin/events/:sender/:eventId\"}",
                "http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"NOT_FOUND\"}");
        assertThat(metrics).doesNotContain("evt_demo_dash");

        java.util.Set<String> exported = hub.metricNames();
        JsonNode dashboard = Events.parse(java.nio.file.Files.readString(Path.of("deploy/grafana-dashboard.json")));
        java.util.regex.Pattern series = java.util.regex.Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
        java.util.List<String> queried = new java.util.ArrayList<>();
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(target -> {
            java.util.regex.Matcher m = series.matcher(target.get("expr").asText());
            while (m.find()) {
                queried.add(m.group(1));
            }
        }));
        assertThat(queried).hasSizeGreaterThan(15);
        assertThat(queried).allSatisfy(name -> assertThat(exported).as("dashboard series %s", name).contains(name));
    }

}
