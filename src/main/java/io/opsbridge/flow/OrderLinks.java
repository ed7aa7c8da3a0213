package io.opsbridge.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.delivery.FlowEvent;
import io.opsbridge.delivery.PrerequisiteMissing;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * The flows' local state (table order_link): which task, pick and backorder each order led to, so
 * later events find what earlier ones created. Every method reads and writes exchange property
 * {@code link}.
 */
public final class OrderLinks {

    private final Jdbc jdbc;
    private final Clock clock;

    public OrderLinks(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Finds the event's order (by order id, or by the task or pick it names) and its link. */
    public void load(Exchange exchange) {
        FlowEvent event = event(exchange);
        String orderId = event.orderKey();
        JsonNode payload = event.payload();
        if (orderId == null && payload.hasNonNull("task_id")) {
            orderId = orderOf("task_id", payload.get("task_id").asText()).orElse(null);
        }
        if (orderId == null && payload.hasNonNull("pick_id")) {
            orderId = orderOf("pick_id", payload.get("pick_id").asText()).orElse(null);
        }
        exchange.setProperty(OrderLink.PROPERTY, orderId == null ? new OrderLink(null) : read(orderId));
    }

    /** ORDER.CREATED: the order and its payload (for requests made later). */
    public void rememberOrder(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setOrderPayload(event(exchange).payload());
        save(link);
    }

    /** The task manager created the task: remember its id. */
    public void taskCreated(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setTaskId(idFromResponse(exchange, "task"));
        save(link);
        timeline(exchange, "task_created", link.getTaskId());
    }

    /**
     * The WMS accepted the pick request: the pick id it answers with, or (a 202 with no body, as the
     * template pack allows) the one the request proposed.
     */
    public void pickRequested(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setPickId(idInResponse(exchange, "pick").orElse(Mapping.pickId(link.getOrderId())));
        link.setPickStatus("requested");
        save(link);
        timeline(exchange, "pick_requested", link.getPickId());
    }

    /** The WMS answered 409 to the pick: out of stock. */
    public void backordered(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setStatus("backordered");
        save(link);
        timeline(exchange, "backordered", "WMS answered 409 to the pick request");
    }

    public void backorderNotified(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setBackorderNotified(true);
        save(link);
    }

    /** ORDER.UPDATED: the changed fields replace those kept of the order, for requests made later. */
    public void orderUpdated(Exchange exchange) {
        OrderLink link = link(exchange);
        if (link.getOrderPayload() instanceof com.fasterxml.jackson.databind.node.ObjectNode kept) {
            com.fasterxml.jackson.databind.node.ObjectNode merged = kept.deepCopy();
            event(exchange).payload().fields().forEachRemaining(f -> {
                if (f.getValue().isObject() && merged.get(f.getKey()) instanceof com.fasterxml.jackson.databind.node.ObjectNode inner) {
                    inner.setAll((com.fasterxml.jackson.databind.node.ObjectNode) f.getValue());
                } else {
                    merged.set(f.getKey(), f.getValue());
                }
            });
            link.setOrderPayload(merged);
        }
        save(link);
        timeline(exchange, "updated", null);
    }

    public void pickLinkedToTask(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setTaskPickLinked(true);
        save(link);
    }

    /** TASK.CREATED: the task is this order's, if it has none yet. */
    public void linkTask(Exchange exchange) {
        OrderLink link = link(exchange);
        if (link.getOrderId() == null) {
            return;
        }
        if (link.getTaskId() == null) {
            link.setTaskId(event(exchange).payload().path("task_id").asText());
        }
        save(link);
        timeline(exchange, "task_confirmed", event(exchange).payload().path("task_id").asText());
    }

    /** PICK.CREATED: the pick is this order's. */
    public void linkPick(Exchange exchange) {
        OrderLink link = link(exchange);
        if (link.getOrderId() == null) {
            return;
        }
        if (link.getPickId() == null) {
            link.setPickId(event(exchange).payload().path("pick_id").asText());
        }
        if (link.getPickStatus() == null || "requested".equals(link.getPickStatus())) {
            link.setPickStatus("created");
        }
        save(link);
        timeline(exchange, "pick_created", link.getPickId());
    }

    /** PICK.PARTIAL: the pick has started; the event gets the order's next sequence number, once. */
    public void pickProgressed(Exchange exchange) {
        OrderLink link = link(exchange);
        FlowEvent event = event(exchange);
        if (!link.isStored()) {
            save(link);
        }
        int sequence = jdbc.inTransaction(c -> {
            Integer given = Jdbc.query(c, "SELECT order_sequence FROM inbox_event WHERE id = ?",
                    rs -> (Integer) rs.getObject(1), event.pk()).get(0);
            if (given != null) {
                return given; // a retry keeps the number it was given
            }
            Jdbc.update(c, "UPDATE order_link SET last_sequence = last_sequence + 1 WHERE order_id = ?", link.getOrderId());
            int next = Jdbc.query(c, "SELECT last_sequence FROM order_link WHERE order_id = ? FOR UPDATE",
                    rs -> rs.getInt(1), link.getOrderId()).get(0);
            Jdbc.update(c, "UPDATE inbox_event SET order_sequence = ? WHERE id = ?", next, event.pk());
            return next;
        });
        link.setLastSequence(sequence);
        link.setPickStatus("started");
        save(link);
        exchange.setProperty("sequence", sequence);
        timeline(exchange, "pick_progress", "sequence " + sequence);
    }

    public void pickCompleted(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setPickStatus("completed");
        link.setStatus("shipped");
        save(link);
        timeline(exchange, "shipped", event(exchange).payload().path("tracking_number").asText(null));
    }

    public void cancelled(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setStatus("cancelled");
        if (link.getPickId() != null) {
            link.setPickStatus("cancelled");
        }
        save(link);
        timeline(exchange, "cancelled", event(exchange).payload().path("reason").asText(null));
    }

    public void backorderCreated(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setBackorderId(event(exchange).payload().path("backorder_id").asText());
        link.setStatus("backordered");
        save(link);
        timeline(exchange, "backorder_created", link.getBackorderId());
    }

    /** Records a step of the order's history (TASK.ASSIGNED, TASK.COMPLETED, …). */
    public void timeline(Exchange exchange, String kind) {
        timeline(exchange, kind, null);
    }

    /** The order must be known (its ORDER.CREATED processed) before this event can be. */
    public void requireOrder(Exchange exchange) {
        OrderLink link = link(exchange);
        if (link.getOrderId() == null || !link.isStored()) {
            throw new PrerequisiteMissing("order " + link.getOrderId() + " is not known yet");
        }
    }

    /** The order's task must be known before this event can be processed. */
    public void requireTask(Exchange exchange) {
        OrderLink link = link(exchange);
        if (link.getTaskId() == null) {
            throw new PrerequisiteMissing("the task of order " + (link.getOrderId() == null ? "(unknown)" : link.getOrderId())
                    + " is not known yet");
        }
    }

    private void timeline(Exchange exchange, String kind, String detail) {
        OrderLink link = link(exchange);
        if (link.getOrderId() == null) {
            return;
        }
        jdbc.update("INSERT INTO order_timeline (order_id, event_pk, kind, detail, at) VALUES (?, ?, ?, ?, ?)",
                link.getOrderId(), event(exchange).pk(), kind, detail, clock.instant());
    }

    private OrderLink read(String orderId) {
        OrderLink link = new OrderLink(orderId);
        jdbc.one("SELECT task_id, pick_id, backorder_id, status, pick_status, last_sequence, task_pick_linked, order_payload, "
                + "backorder_notified FROM order_link WHERE order_id = ?", rs -> {
                    link.setStored(true);
                    link.setTaskId(rs.getString(1));
                    link.setPickId(rs.getString(2));
                    link.setBackorderId(rs.getString(3));
                    link.setStatus(rs.getString(4));
                    link.setPickStatus(rs.getString(5));
                    link.setLastSequence(rs.getInt(6));
                    link.setTaskPickLinked(rs.getBoolean(7));
                    link.setBackorderNotified(rs.getBoolean(9));
                    String payload = rs.getString(8);
                    try {
                        link.setOrderPayload(payload == null ? null : Json.MAPPER.readTree(payload));
                    } catch (IOException e) {
                        throw new SQLException("order_payload of " + orderId + " is not JSON");
                    }
                    return link;
                }, orderId);
        return link;
    }

    private void save(OrderLink link) {
        if (link.getOrderId() == null) {
            return;
        }
        String payload = link.getOrderPayload() == null ? null : new String(Json.write(link.getOrderPayload()), StandardCharsets.UTF_8);
        jdbc.inTransaction(c -> {
            if (update(c, link, payload) == 0) {
                Jdbc.update(c, "INSERT INTO order_link (order_id, status, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        link.getOrderId(), link.getStatus(), clock.instant());
                update(c, link, payload);
            }
            return null;
        });
        link.setStored(true);
    }

    private int update(Connection c, OrderLink link, String payload) throws SQLException {
        return Jdbc.update(c, "UPDATE order_link SET task_id = ?, pick_id = ?, backorder_id = ?, status = ?, pick_status = ?, "
                + "task_pick_linked = ?, backorder_notified = ?, order_payload = COALESCE(?, order_payload), updated_at = ? "
                + "WHERE order_id = ?", link.getTaskId(), link.getPickId(), link.getBackorderId(), link.getStatus(),
                link.getPickStatus(), link.isTaskPickLinked(), link.isBackorderNotified(), payload, clock.instant(),
                link.getOrderId());
    }

    private Optional<String> orderOf(String column, String id) {
        return jdbc.one("SELECT order_id FROM order_link WHERE " + column + " = ?", rs -> rs.getString(1), id);
    }

    /** The id a create call answered with: {@code id} or {@code <kind>_id} of the JSON body. */
    private static String idFromResponse(Exchange exchange, String kind) {
        return idInResponse(exchange, kind)
                .orElseThrow(() -> new IllegalStateException("the " + kind + " was created but the answer names no id"));
    }

    private static Optional<String> idInResponse(Exchange exchange, String kind) {
        String body = exchange.getMessage().getBody(String.class);
        try {
            JsonNode response = Json.MAPPER.readTree(body == null ? "" : body);
            if (response == null) {
                return Optional.empty();
            }
            JsonNode id = response.hasNonNull("id") ? response.get("id") : response.get(kind + "_id");
            if (id == null && response.get("payload") != null) {
                id = response.get("payload").get(kind + "_id"); // an answer in the request's own shape
            }
            if (id != null && (id.isTextual() || id.isNumber()) && !id.asText().isBlank()) {
                return Optional.of(id.asText());
            }
        } catch (IOException e) {
            // no id in it
        }
        return Optional.empty();
    }

    private static OrderLink link(Exchange exchange) {
        return exchange.getProperty(OrderLink.PROPERTY, OrderLink.class);
    }

    private static FlowEvent event(Exchange exchange) {
        return exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
    }
}
