package io.opsbridge.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.opsbridge.Json;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Requests;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * {@code GET /admin/events/{sender}/{eventId}}: one event's whole story. Its raw payload, state and
 * outcome, each downstream attempt (time, step, endpoint, idempotency key, status, duration, error,
 * the wait that followed), the order, task, pick and backorder it is linked to, the order's
 * timeline, and its dead letter if any.
 */
public final class EventTrace {

    private final Jdbc jdbc;
    private final DeadLetters deadLetters;

    public EventTrace(Jdbc jdbc, DeadLetters deadLetters) {
        this.jdbc = jdbc;
        this.deadLetters = deadLetters;
    }

    public void trace(Exchange exchange) {
        String sender = HttpRequestView.pathParam(exchange, "sender").orElse("");
        String eventId = HttpRequestView.pathParam(exchange, "eventId").orElse("");
        Map<String, Object> trace = jdbc.one("SELECT id AS pk, sender, event_id, event_type, event_version, state, "
                + "waiting_reason AS waiting_for, generation AS replays, received_at, next_attempt_at, finished_at, "
                + "order_key AS order_id, outcome, raw_body AS payload FROM inbox_event WHERE sender = ? AND event_id = ?",
                Jdbc::camelRow, sender, eventId).orElseThrow(() -> Requests.notFound("Event " + sender + "/" + eventId));
        long pk = ((Number) trace.remove("pk")).longValue();
        Object outcome = trace.get("outcome");
        trace.put("outcome", outcome == null ? null : payload(outcome.toString().getBytes(StandardCharsets.UTF_8)));
        trace.put("payload", payload((byte[]) trace.get("payload")));
        trace.put("attempts", jdbc.query("SELECT started_at AS at, generation AS replay, step, method, endpoint, "
                + "idempotency_key, status, duration_ms, error, next_delay_ms FROM delivery_attempt WHERE event_pk = ? "
                + "ORDER BY id", Jdbc::camelRow, pk));
        String orderId = (String) trace.get("orderId");
        trace.put("links", orderId == null ? null : jdbc.one("SELECT order_id, task_id, pick_id, backorder_id, "
                + "status AS order_status, pick_status FROM order_link WHERE order_id = ?", Jdbc::camelRow, orderId)
                .orElse(null));
        trace.put("orderTimeline", orderId == null ? List.of() : jdbc.query("SELECT at, kind, detail FROM order_timeline "
                + "WHERE order_id = ? ORDER BY id", Jdbc::camelRow, orderId));
        trace.put("deadLetter", deadLetters.ofEvent(pk));
        HttpReplies.json(exchange, 200, trace);
    }

    /** A stored body as JSON when it is JSON, else as text. */
    static Object payload(byte[] raw) {
        try {
            return Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            return new String(raw, StandardCharsets.UTF_8);
        }
    }
}
