package io.opsbridge.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
        Map<String, Object> trace = jdbc.one("SELECT id, sender, event_id, event_type, event_version, state, waiting_reason, "
                + "attempts, generation, received_at, next_attempt_at, finished_at, order_key, outcome, raw_body "
                + "FROM inbox_event WHERE sender = ? AND event_id = ?", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("pk", rs.getLong("id"));
                    m.put("sender", rs.getString("sender"));
                    m.put("eventId", rs.getString("event_id"));
                    m.put("eventType", rs.getString("event_type"));
                    m.put("eventVersion", rs.getString("event_version"));
                    m.put("state", rs.getString("state"));
                    m.put("waitingFor", rs.getString("waiting_reason"));
                    m.put("replays", rs.getInt("generation"));
                    m.put("receivedAt", Jdbc.isoInstant(rs, "received_at"));
                    m.put("nextAttemptAt", Jdbc.isoInstant(rs, "next_attempt_at"));
                    m.put("finishedAt", Jdbc.isoInstant(rs, "finished_at"));
                    m.put("orderId", rs.getString("order_key"));
                    m.put("outcome", rs.getString("outcome") == null ? null : payload(rs.getString("outcome")
                            .getBytes(StandardCharsets.UTF_8)));
                    m.put("payload", payload(rs.getBytes("raw_body")));
                    return m;
                }, sender, eventId).orElseThrow(() -> Requests.notFound("Event " + sender + "/" + eventId));
        long pk = (Long) trace.remove("pk");
        trace.put("attempts", jdbc.query("SELECT generation, step, method, endpoint, idempotency_key, started_at, status, "
                + "duration_ms, error, next_delay_ms FROM delivery_attempt WHERE event_pk = ? ORDER BY id", rs -> {
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("at", Jdbc.isoInstant(rs, "started_at"));
                    a.put("replay", rs.getInt("generation"));
                    a.put("step", rs.getString("step"));
                    a.put("method", rs.getString("method"));
                    a.put("endpoint", rs.getString("endpoint"));
                    a.put("idempotencyKey", rs.getString("idempotency_key"));
                    a.put("status", rs.getObject("status"));
                    a.put("durationMs", rs.getObject("duration_ms"));
                    a.put("error", rs.getString("error"));
                    a.put("nextDelayMs", rs.getObject("next_delay_ms"));
                    return a;
                }, pk));
        String orderId = (String) trace.get("orderId");
        trace.put("links", orderId == null ? null : jdbc.one("SELECT order_id, task_id, pick_id, backorder_id, status, "
                + "pick_status FROM order_link WHERE order_id = ?", rs -> {
                    Map<String, Object> l = new LinkedHashMap<>();
                    l.put("orderId", rs.getString("order_id"));
                    l.put("taskId", rs.getString("task_id"));
                    l.put("pickId", rs.getString("pick_id"));
                    l.put("backorderId", rs.getString("backorder_id"));
                    l.put("orderStatus", rs.getString("status"));
                    l.put("pickStatus", rs.getString("pick_status"));
                    return l;
                }, orderId).orElse(null));
        List<Map<String, Object>> timeline = orderId == null ? List.of() : jdbc.query("SELECT kind, detail, at FROM "
                + "order_timeline WHERE order_id = ? ORDER BY id", rs -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("at", Jdbc.isoInstant(rs, "at"));
                    t.put("kind", rs.getString("kind"));
                    t.put("detail", rs.getString("detail"));
                    return t;
                }, orderId);
        trace.put("orderTimeline", timeline);
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
