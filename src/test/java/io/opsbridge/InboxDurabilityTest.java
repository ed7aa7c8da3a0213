package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import io.opsbridge.inbox.InboxPurge;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox across restarts, and the retention purge of idempotency records. */
class InboxDurabilityTest {

    @TempDir
    Path data;

    @Test
    void aDuplicateIsRecognisedAfterARestart() {
        try (TestHub hub = TestHub.start(data, Map.of("opsbridge.sender.crm.secrets", "s1"))) {
            Webhooks vendor = new Webhooks(hub);
            String body = Events.json(Events.example("ORDER.CREATED", "evt_restart"));
            assertThat(vendor.post("/webhooks/orders", "s1", body).statusCode()).isEqualTo(202);

            hub.restart();

            HttpResponse<String> again = vendor.post("/webhooks/orders", "s1", body);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(Events.parse(again.body()).get("status").asText()).isEqualTo("duplicate");
            assertThat(vendor.post("/webhooks/orders", "s1", body.replace("Acme", "Acne")).statusCode()).isEqualTo(409);
        }
    }

    @Test
    void finishedEventsPastRetentionArePurgedAndUnfinishedOnesKept() {
        try (TestHub hub = TestHub.start(data, Map.of("opsbridge.sender.tasks.secrets", "s2",
                "opsbridge.sender.tasks.retention-days", "0"))) {
            Webhooks vendor = new Webhooks(hub);
            var unrouted = Events.example("TASK.CREATED", "evt_purge_unrouted");
            unrouted.put("event_type", "TASK.ARCHIVED");
            String unroutedBody = Events.json(unrouted);
            String receivedBody = Events.json(Events.example("TASK.CREATED", "evt_purge_received"));
            assertThat(vendor.post("/webhooks/tasks", "s2", unroutedBody).statusCode()).isEqualTo(202);
            assertThat(vendor.post("/webhooks/tasks", "s2", receivedBody).statusCode()).isEqualTo(202);

            assertThat(purge(hub)).isEqualTo(1);

            assertThat(hub.query("SELECT event_id FROM inbox_event WHERE sender = 'tasks'"))
                    .extracting(r -> r.get("event_id")).containsExactly("evt_purge_received");
            // its record gone, the unrouted event is new again; the unprocessed one is still a duplicate
            assertThat(vendor.post("/webhooks/tasks", "s2", unroutedBody).statusCode()).isEqualTo(202);
            assertThat(vendor.post("/webhooks/tasks", "s2", receivedBody).statusCode()).isEqualTo(200);
        }
    }

    static int purge(TestHub hub) {
        try {
            return hub.bean("inboxPurge", InboxPurge.class).purge();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
