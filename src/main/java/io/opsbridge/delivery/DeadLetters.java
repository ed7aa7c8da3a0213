package io.opsbridge.delivery;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.http.Requests;
import io.opsbridge.inbox.InboxStore;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter queue: work that ran out of attempts or was rejected (routes/dead-letter-channel.yaml
 * records it), and the operator API to list, inspect, replay (one or by filter) and discard it
 * (routes/admin-delivery-api.yaml). A replay puts the event back to received with fresh attempts;
 * its flow runs again with the same idempotency keys.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    static final String OPEN = "open";

    private final Jdbc jdbc;
    private final InboxStore store;
    private final Clock clock;

    public DeadLetters(Jdbc jdbc, InboxStore store, Clock clock) {
        this.jdbc = jdbc;
        this.store = store;
        this.clock = clock;
    }

    /** Stores the dead letter, marks the event dead, and words the alert. */
    public void record(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        String step = exchange.getProperty(FlowEvent.STEP, "flow", String.class);
        record Last(String endpoint, Integer status, String error) {
        }
        Last last = jdbc.one("SELECT endpoint, status, error FROM delivery_attempt WHERE event_pk = ? AND generation = ? "
                + "AND step = ? ORDER BY id DESC LIMIT 1", rs -> new Last(rs.getString(1), (Integer) rs.getObject(2),
                rs.getString(3)), event.pk(), event.generation(), step).orElse(new Last(null, null, null));
        int attempts = jdbc.one("SELECT COUNT(*) FROM delivery_attempt WHERE event_pk = ? AND generation = ? AND step = ?",
                rs -> rs.getInt(1), event.pk(), event.generation(), step).orElse(0);
        Integer status = exchange.getProperty(RedeliveryPolicy.LAST_STATUS, last.status(), Integer.class);
        String error = exchange.getProperty(RedeliveryPolicy.LAST_ERROR, last.error(), String.class);
        Instant now = clock.instant();
        long id = jdbc.inTransaction(c -> {
            if (!store.dead(c, event.lease(), now)) {
                return -1L; // the event is another claim's now: no dead letter, no alert
            }
            long dl = insert(c, event, step, last.endpoint(), status, error, attempts, now);
            InboxStore.describe(c, event.pk(), new String(Json.write(Map.of("dead_letter_id", dl, "step", step,
                    "last_error", error == null ? "" : error)), StandardCharsets.UTF_8));
            return dl;
        });
        if (id < 0) {
            exchange.setProperty(FlowEvent.OUTCOME, "fenced");
            return;
        }
        LOG.error("Dead letter {}: {} event {} ({}) failed at step {} after {} attempt(s): {}", id, event.sender(),
                event.eventId(), event.eventType(), step, attempts, error);
        exchange.setProperty(FlowEvent.OUTCOME, "dead");
        exchange.setProperty(Alerts.TEXT, String.format(":rotating_light: OpsBridge dead letter %d: %s %s (%s) failed at step "
                + "%s after %d attempt(s): %s%s", id, event.sender(), event.eventId(), event.eventType(), step, attempts,
                error, last.endpoint() == null ? "" : " [" + last.endpoint() + "]"));
    }

    private static long insert(Connection c, FlowEvent event, String step, String endpoint, Integer status, String error,
            int attempts, Instant now) throws SQLException {
        try (var insert = c.prepareStatement("INSERT INTO dead_letter (event_pk, sender, event_id, event_type, step, endpoint, "
                + "last_status, last_error, attempts, payload, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new String[] {"id"})) {
            insert.setLong(1, event.pk());
            insert.setString(2, event.sender());
            insert.setString(3, event.eventId());
            insert.setString(4, event.eventType());
            insert.setString(5, step);
            insert.setString(6, endpoint);
            insert.setObject(7, status);
            insert.setString(8, error);
            insert.setInt(9, attempts);
            insert.setBytes(10, event.rawBody());
            insert.setString(11, OPEN);
            insert.setTimestamp(12, java.sql.Timestamp.from(now));
            insert.executeUpdate();
            try (var keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    // ---- operator API

    /** {@code GET /admin/dead-letters[?state=open|replayed|discarded&sender=&eventType=]} */
    public void list(Exchange exchange) {
        StringBuilder sql = new StringBuilder(SELECT + " WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        filter(exchange, "state", "state", sql, args);
        filter(exchange, "sender", "sender", sql, args);
        filter(exchange, "eventType", "event_type", sql, args);
        sql.append(" ORDER BY id DESC LIMIT 500");
        HttpReplies.json(exchange, 200, Map.of("deadLetters", jdbc.query(sql.toString(), rs -> view(rs, false), args.toArray())));
    }

    /** {@code GET /admin/dead-letters/{id}}: with the original payload. */
    public void get(Exchange exchange) {
        HttpReplies.json(exchange, 200, find(id(exchange), true));
    }

    /** {@code POST /admin/dead-letters/{id}/replay} */
    public void replay(Exchange exchange) {
        long id = id(exchange);
        Requests.jsonObject(exchange, Set.of());
        find(id, false);
        if (!replay(id)) {
            throw new Rejection(new Problem(409, "dead-letter-not-open", "Not open",
                    "Dead letter " + id + " was already replayed or discarded."));
        }
        HttpReplies.json(exchange, 202, find(id, false));
    }

    /** {@code POST /admin/dead-letters/replay {sender, eventType, from, to}} (or {"all": true}): every open match. */
    public void replayMatching(Exchange exchange) {
        ObjectNode body = Requests.jsonObject(exchange, Set.of("sender", "eventType", "from", "to", "all"));
        StringBuilder sql = new StringBuilder("SELECT id FROM dead_letter WHERE state = 'open'");
        List<Object> args = new ArrayList<>();
        int filters = 0;
        for (String[] f : new String[][] {{"sender", "sender"}, {"eventType", "event_type"}}) {
            String value = Requests.text(body, f[0]);
            if (value != null) {
                sql.append(" AND ").append(f[1]).append(" = ?");
                args.add(value);
                filters++;
            }
        }
        for (String[] f : new String[][] {{"from", ">="}, {"to", "<"}}) {
            String value = Requests.text(body, f[0]);
            if (value != null) {
                try {
                    args.add(Instant.parse(value));
                } catch (DateTimeParseException e) {
                    throw Requests.badRequest(f[0] + " must be an RFC 3339 instant such as 2026-11-23T10:00:00Z.");
                }
                sql.append(" AND created_at ").append(f[1]).append(" ?");
                filters++;
            }
        }
        if (filters == 0 && !body.path("all").asBoolean(false)) {
            throw Requests.badRequest("Give at least one of sender, eventType, from, to; or {\"all\": true} to replay every open dead letter.");
        }
        List<Long> replayed = new ArrayList<>();
        for (Long id : jdbc.query(sql.append(" ORDER BY id").toString(), rs -> rs.getLong(1), args.toArray())) {
            if (replay(id)) {
                replayed.add(id);
            }
        }
        HttpReplies.json(exchange, 202, Map.of("replayed", replayed.size(), "ids", replayed));
    }

    /** {@code POST /admin/dead-letters/{id}/discard}: the event is given up (state discarded). */
    public void discard(Exchange exchange) {
        long id = id(exchange);
        Requests.jsonObject(exchange, Set.of());
        find(id, false);
        boolean done = resolve(id, "discarded", c -> InboxStore.discard(c, id, clock.instant()));
        if (!done) {
            throw new Rejection(new Problem(409, "dead-letter-not-open", "Not open",
                    "Dead letter " + id + " was already replayed or discarded."));
        }
        HttpReplies.json(exchange, 200, find(id, false));
    }

    private boolean replay(long id) {
        boolean replayed = resolve(id, "replayed", c -> InboxStore.replay(c, id));
        if (replayed) {
            LOG.info("Dead letter {} replayed", id);
        }
        return replayed;
    }

    /**
     * Closes an open dead letter as {@code state} and updates its event, in one transaction.
     * @return false when the dead letter was no longer open
     */
    private boolean resolve(long id, String state, EventChange eventChange) {
        Instant now = clock.instant();
        return jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE dead_letter SET state = ?, resolved_at = ? WHERE id = ? AND state = 'open'",
                    state, now, id) == 0) {
                return false;
            }
            eventChange.apply(c);
            return true;
        });
    }

    private interface EventChange {
        void apply(Connection c) throws SQLException;
    }

    /** The dead letter of an event, for its trace. */
    public Map<String, Object> ofEvent(long eventPk) {
        return jdbc.one(SELECT + " WHERE event_pk = ? ORDER BY id DESC LIMIT 1", rs -> view(rs, false), eventPk).orElse(null);
    }

    private Map<String, Object> find(long id, boolean withPayload) {
        return jdbc.one(SELECT + " WHERE id = ?", rs -> view(rs, withPayload), id)
                .orElseThrow(() -> Requests.notFound("Dead letter " + id));
    }

    private static long id(Exchange exchange) {
        String raw = HttpRequestView.pathParam(exchange, "id").orElse("");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw Requests.notFound("Dead letter " + raw);
        }
    }

    private static void filter(Exchange exchange, String param, String column, StringBuilder sql, List<Object> args) {
        HttpRequestView.queryParam(exchange, param).ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(v);
        });
    }

    private static final String SELECT = "SELECT id, sender, event_id, event_type, step, endpoint, last_status, last_error, "
            + "attempts, state, created_at, resolved_at, payload FROM dead_letter";

    /** The answer for one dead letter: its columns, the path of its event's trace, the payload on request. */
    private static Map<String, Object> view(ResultSet rs, boolean withPayload) throws SQLException {
        Map<String, Object> m = Jdbc.camelRow(rs);
        byte[] payload = (byte[]) m.remove("payload");
        m.put("trace", "/admin/events/" + m.get("sender") + "/" + m.get("eventId"));
        if (withPayload) {
            m.put("payload", EventTrace.payload(payload));
        }
        return m;
    }
}
