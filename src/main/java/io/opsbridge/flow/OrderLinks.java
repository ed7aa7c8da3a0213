package io.opsbridge.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.delivery.FlowEvent;
import io.opsbridge.delivery.FlowWrites;
import io.opsbridge.delivery.PrerequisiteMissing;
import io.opsbridge.inbox.InboxStore;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * The flows' local state (table order_link): which task, pick and backorder each order led to, so
 * later events find what earlier ones created. Every method reads and writes exchange property
 * {@code link}.
 */
public final class OrderLinks {

    /** Kinds of id in table order_ref, which finds the order a task or pick id belongs to. */
    private static final String TASK = "task";
    private static final String PICK = "pick";

    private final Jdbc jdbc;
    private final InboxStore store;
    private final Clock clock;

    /** @param store fences every write for an event by the lease of the claim running it */
    public OrderLinks(Jdbc jdbc, InboxStore store, Clock clock) {
        this.jdbc = jdbc;
        this.store = store;
        this.clock = clock;
    }

    /** Finds the event's order (by order id, or by the task or pick it names) and its link. */
    public void load(Exchange exchange) {
        FlowEvent event = event(exchange);
        String orderId = event.orderKey();
        JsonNode payload = event.payload();
        if (orderId == null && payload.hasNonNull("task_id")) {
            orderId = orderOf(TASK, payload.get("task_id").asText()).orElse(null);
        }
        if (orderId == null && payload.hasNonNull("pick_id")) {
            orderId = orderOf(PICK, payload.get("pick_id").asText()).orElse(null);
        }
        exchange.setProperty(OrderLink.PROPERTY, orderId == null ? new OrderLink(null) : read(orderId));
    }

    /** ORDER.CREATED: the order and its payload (for requests made later). */
    public void rememberOrder(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setOrderPayload(event(exchange).payload());
        save(exchange, link, true, null, null);
    }

    /** The task manager created the task: remember its id. */
    public void taskCreated(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setTaskId(idFromResponse(exchange, "task"));
        save(exchange, link, "task_created", link.getTaskId());
    }

    /**
     * The WMS accepted the pick request: the pick id it answers with, or (a 202 with no body, as the
     * template pack allows) the one the request proposed.
     */
    public void pickRequested(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setPickId(idInResponse(exchange, "pick").orElse(Mapping.pickId(link.getOrderId())));
        link.setPickStatus("requested");
        save(exchange, link, "pick_requested", link.getPickId());
    }

    /** The WMS answered 409 to the pick: out of stock. */
    public void backordered(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setStatus("backordered");
        save(exchange, link, "backordered", "WMS answered 409 to the pick request");
    }

    public void backorderNotified(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setBackorderNotified(true);
        save(exchange, link, null, null);
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
        save(exchange, link, true, "updated", null);
    }

    public void pickLinkedToTask(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setTaskPickLinked(true);
        save(exchange, link, null, null);
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
        save(exchange, link, "task_confirmed", event(exchange).payload().path("task_id").asText());
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
        save(exchange, link, "pick_created", link.getPickId());
    }

    /** PICK.PARTIAL: the pick has started; the event gets the order's next sequence number, once. */
    public void pickProgressed(Exchange exchange) {
        OrderLink link = link(exchange);
        FlowEvent event = event(exchange);
        if (!link.isStored()) {
            save(exchange, link, null, null); // queued before the numbering below, which reads the row
        }
        int sequence = jdbc.inTransaction(c -> {
            if (!store.holds(c, event.lease(), "sequence")) {
                throw new IllegalStateException("event " + event.pk() + " is another claim's now");
            }
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
        save(exchange, link, "pick_progress", "sequence " + sequence);
        exchange.setProperty("sequence", sequence);
    }

    public void pickCompleted(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setPickStatus("completed");
        link.setStatus("shipped");
        save(exchange, link, "shipped", event(exchange).payload().path("tracking_number").asText(null));
    }

    public void cancelled(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setStatus("cancelled");
        if (link.getPickId() != null) {
            link.setPickStatus("cancelled");
        }
        save(exchange, link, "cancelled", event(exchange).payload().path("reason").asText(null));
    }

    public void backorderCreated(Exchange exchange) {
        OrderLink link = link(exchange);
        link.setBackorderId(event(exchange).payload().path("backorder_id").asText());
        link.setStatus("backordered");
        save(exchange, link, "backorder_created", link.getBackorderId());
    }

    /** Records a step of the order's history (TASK.ASSIGNED, TASK.COMPLETED, …). */
    public void timeline(Exchange exchange, String kind) {
        OrderLink link = link(exchange);
        if (link.getOrderId() == null) {
            return;
        }
        long eventPk = event(exchange).pk();
        Instant at = clock.instant();
        FlowWrites.of(exchange).queue(jdbc, store, "timeline", c -> timeline(c, link.getOrderId(), eventPk, kind, null, at));
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

    private static Void timeline(Connection c, String orderId, long eventPk, String kind, String detail, Instant at)
            throws SQLException {
        Jdbc.update(c, "INSERT INTO order_timeline (order_id, event_pk, kind, detail, at) VALUES (?, ?, ?, ?, ?)",
                orderId, eventPk, kind, detail, at);
        return null;
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
                    link.refsStored();
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

    private void save(Exchange exchange, OrderLink link, String kind, String detail) {
        save(exchange, link, false, kind, detail);
    }

    /**
     * Stores the link (its order payload too when {@code withPayload}: it changes only on ORDER.CREATED
     * and ORDER.UPDATED) and, when {@code kind} is given, a step of the order's timeline, in one unit,
     * queued without waiting: it commits before the flow's next call or its outcome ({@link FlowWrites}).
     */
    private void save(Exchange exchange, OrderLink link, boolean withPayload, String kind, String detail) {
        if (link.getOrderId() == null) {
            return;
        }
        String payload = withPayload && link.getOrderPayload() != null
                ? new String(Json.write(link.getOrderPayload()), StandardCharsets.UTF_8) : null;
        Object[] values = {link.getTaskId(), link.getPickId(), link.getBackorderId(), link.getStatus(), link.getPickStatus(),
            link.isTaskPickLinked(), link.isBackorderNotified(), payload};
        String newTask = link.newTaskRef();
        String newPick = link.newPickRef();
        long eventPk = event(exchange).pk();
        Instant now = clock.instant();
        FlowWrites.of(exchange).queue(jdbc, store, "link", c -> {
            if (update(c, link.getOrderId(), values, now) == 0) {
                Jdbc.update(c, "INSERT INTO order_link (order_id, status, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        link.getOrderId(), link.getStatus(), now);
                update(c, link.getOrderId(), values, now);
            }
            ref(c, TASK, newTask, link.getOrderId());
            ref(c, PICK, newPick, link.getOrderId());
            return kind == null ? null : timeline(c, link.getOrderId(), eventPk, kind, detail, now);
        });
        link.setStored(true);
        link.refsStored();
    }

    /** The link's values as they were when the flow saved it (the unit runs later, on the writer's thread). */
    private static int update(Connection c, String orderId, Object[] values, Instant now) throws SQLException {
        return Jdbc.update(c, "UPDATE order_link SET task_id = ?, pick_id = ?, backorder_id = ?, status = ?, pick_status = ?, "
                + "task_pick_linked = ?, backorder_notified = ?, order_payload = COALESCE(?, order_payload), updated_at = ? "
                + "WHERE order_id = ?", values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7],
                now, orderId);
    }

    /** A task or pick id first seen for the order: the order it belongs to (the first order it was seen for keeps it). */
    private static void ref(Connection c, String kind, String id, String orderId) throws SQLException {
        if (id != null) {
            Jdbc.update(c, "INSERT INTO order_ref (kind, ref_id, order_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", kind, id,
                    orderId);
        }
    }

    private Optional<String> orderOf(String kind, String id) {
        return jdbc.one("SELECT order_id FROM order_ref WHERE kind = ? AND ref_id = ?", rs -> rs.getString(1), kind, id);
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
