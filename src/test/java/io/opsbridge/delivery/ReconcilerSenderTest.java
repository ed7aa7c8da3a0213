package io.opsbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler's orders go in the way a webhook's event does, for whichever configured sender
 * {@code opsbridge.reconciler.sender} names: stored under that sender, routed by its event types,
 * once per order.
 */
class ReconcilerSenderTest {

    @TempDir
    Path data;

    TestHub start(String eventTypes) {
        return TestHub.start(data, Map.of(
                "opsbridge.senders", "crm,tasks,wms,erp",
                "opsbridge.sender.erp.scheme", "hmac-sha256",
                "opsbridge.sender.erp.secrets", "erp-secret",
                "opsbridge.sender.erp.event-types", eventTypes,
                "opsbridge.sender.erp.retention-days", "3",
                "opsbridge.reconciler.sender", "erp",
                "opsbridge.delivery.enabled", "false",
                "opsbridge.admin.token", "reconcile-admin"));
    }

    static void enterOrder(TestHub hub, String orderId) {
        ObjectNode order = (ObjectNode) Events.example("ORDER.CREATED", "unused").get("payload");
        order.put("order_id", orderId);
        HttpResponse<String> entered = hub.send(HttpRequest.newBuilder(hub.uri("/sandbox/crm/orders"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Events.json(order))));
        assertThat(entered.statusCode()).isEqualTo(201);
    }

    @Test
    void fedOrdersAreTheConfiguredSendersEventsRoutedByItsTypes() {
        try (TestHub hub = start("ORDER.CREATED,ORDER.CANCELLED")) {
            AdminClient admin = new AdminClient(hub, "reconcile-admin");
            enterOrder(hub, "ORD-ERP-1");
            assertThat(admin.post("/admin/reconciler/run", "", 200).get("ordersFed").asInt()).isEqualTo(1);
            assertThat(hub.query("SELECT sender, event_type, state, order_key FROM inbox_event WHERE event_id = 'reconciled:ORD-ERP-1'"))
                    .containsExactly(Map.of("sender", "erp", "event_type", "ORDER.CREATED", "state", "received",
                            "order_key", "ORD-ERP-1"));
            // kept for the sender's retention (3 days), as its webhooks are
            assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'reconciled:ORD-ERP-1' "
                    + "AND retain_until < received_at + INTERVAL '4' DAY AND retain_until > received_at + INTERVAL '2' DAY")).hasSize(1);
            // once: a second run finds it in the inbox under that sender
            assertThat(admin.post("/admin/reconciler/run", "", 200).get("ordersFed").asInt()).isZero();
            assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'reconciled:ORD-ERP-1'")).hasSize(1);
        }
    }

    @Test
    void aSenderWithoutAFlowForTheTypeKeepsItUnrouted() {
        try (TestHub hub = start("ORDER.CANCELLED")) {
            AdminClient admin = new AdminClient(hub, "reconcile-admin");
            enterOrder(hub, "ORD-ERP-2");
            admin.post("/admin/reconciler/run", "", 200);
            assertThat(hub.query("SELECT sender, state FROM inbox_event WHERE event_id = 'reconciled:ORD-ERP-2'"))
                    .containsExactly(Map.of("sender", "erp", "state", "unrouted"));
        }
    }
}
