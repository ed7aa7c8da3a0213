package io.opsbridge.delivery;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.opsbridge.http.FieldError;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.http.Requests;
import io.opsbridge.inbox.InboxState;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * {@code GET /admin/events?sender=&type=&state=&order=&from=&to=&limit=}: events newest first, each
 * with the path of its trace. Every filter is exact except the time range (received_at, from
 * inclusive, to exclusive). An unknown parameter is a 400, like an unknown field in an admin body: a
 * misspelt filter must not quietly answer every event.
 */
public final class EventSearch {

    static final Set<String> PARAMETERS = Set.of("sender", "type", "state", "order", "from", "to", "limit");
    static final Set<String> STATES = Set.of(InboxState.RECEIVED, InboxState.UNROUTED, InboxState.PROCESSING,
            InboxState.WAITING, InboxState.DONE, InboxState.DEAD, InboxState.DISCARDED);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final Jdbc jdbc;

    public EventSearch(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void search(Exchange exchange) {
        rejectUnknownParameters(exchange);
        StringBuilder sql = new StringBuilder("SELECT sender, event_id, event_type, state, order_key AS order_id, attempts, "
                + "generation AS replays, received_at, next_attempt_at, finished_at FROM inbox_event WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        exact(exchange, "sender", "sender", sql, args);
        exact(exchange, "type", "event_type", sql, args);
        exact(exchange, "order", "order_key", sql, args);
        HttpRequestView.queryParam(exchange, "state").ifPresent(state -> {
            if (!STATES.contains(state)) {
                throw Requests.badRequest("state must be one of " + String.join(", ", STATES.stream().sorted().toList()) + ".");
            }
            sql.append(" AND state = ?");
            args.add(state);
        });
        Instant from = instant(exchange, "from");
        Instant to = instant(exchange, "to");
        if (from != null) {
            sql.append(" AND received_at >= ?");
            args.add(from);
        }
        if (to != null) {
            sql.append(" AND received_at < ?");
            args.add(to);
        }
        int limit = limit(exchange);
        sql.append(" ORDER BY id DESC LIMIT ").append(limit + 1);
        List<Map<String, Object>> rows = jdbc.query(sql.toString(), rs -> {
            Map<String, Object> row = Jdbc.camelRow(rs);
            row.put("trace", "/admin/events/" + row.get("sender") + "/" + row.get("eventId"));
            return row;
        }, args.toArray());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("events", rows.size() > limit ? rows.subList(0, limit) : rows);
        answer.put("limit", limit);
        answer.put("more", rows.size() > limit);
        HttpReplies.json(exchange, 200, answer);
    }

    private static void rejectUnknownParameters(Exchange exchange) {
        if (exchange.getMessage() instanceof HttpMessage http && http.getRequest() != null) {
            List<FieldError> unknown = new ArrayList<>();
            for (String name : http.getRequest().params().names()) {
                if (!PARAMETERS.contains(name)) {
                    unknown.add(new FieldError(name, "unknown query parameter"));
                }
            }
            if (!unknown.isEmpty()) {
                throw new Rejection(new Problem(400, "unknown-parameter", "Unknown query parameter",
                        "This search takes only " + String.join(", ", PARAMETERS.stream().sorted().toList()) + "; unknown: "
                                + String.join(", ", unknown.stream().map(FieldError::pointer).toList()) + ".")
                        .withErrors(unknown));
            }
        }
    }

    private static void exact(Exchange exchange, String param, String column, StringBuilder sql, List<Object> args) {
        HttpRequestView.queryParam(exchange, param).ifPresent(value -> {
            if (value.length() > 200) {
                throw Requests.badRequest(param + " is at most 200 characters.");
            }
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value.trim());
        });
    }

    private static Instant instant(Exchange exchange, String param) {
        return HttpRequestView.queryParam(exchange, param).map(value -> {
            try {
                return Instant.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw Requests.badRequest(param + " must be an RFC 3339 instant such as 2026-11-23T10:00:00Z.");
            }
        }).orElse(null);
    }

    private static int limit(Exchange exchange) {
        return HttpRequestView.queryParam(exchange, "limit").map(value -> {
            try {
                int limit = Integer.parseInt(value.trim());
                if (limit >= 1 && limit <= MAX_LIMIT) {
                    return limit;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw Requests.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ".");
        }).orElse(DEFAULT_LIMIT);
    }
}
