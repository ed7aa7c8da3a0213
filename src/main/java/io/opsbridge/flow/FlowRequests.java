package io.opsbridge.flow;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.delivery.FlowEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Builds each downstream request a flow makes (the route file then sends it with {@code toD}): the
 * JSON body by the SPEC mapping, and the headers, among them an {@code Idempotency-Key} derived from
 * the event, never random, so a retry, a restart or a replay repeats the same key:
 * {@code <event_id>} to create the task, {@code pick_<order_id>} for the pick,
 * {@code <event_id>:<step>} for every other change.
 */
public final class FlowRequests {

    private final Mapping mapping;
    private final Map<String, String> tokens;

    /** @param tokens Bearer token per system (crm, taskmanager, wms), when one is configured */
    public FlowRequests(Mapping mapping, Map<String, String> tokens) {
        this.mapping = mapping;
        this.tokens = Map.copyOf(tokens);
    }

    /** POST {taskmanager}/tasks: the task-create command (schemas/commands/task-create.schema.json). */
    public void createTask(Exchange exchange) {
        JsonNode order = link(exchange).getOrderPayload();
        Map<String, Object> externalRef = new LinkedHashMap<>();
        externalRef.put("type", "order");
        externalRef.put("id", link(exchange).getOrderId());
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("task_type", "fulfillment_pick");
        task.put("title", "Pick order " + link(exchange).getOrderId());
        task.put("external_ref", externalRef);
        task.put("priority", mapping.priority(order.path("customer").get("account_priority")));
        task.put("due_date", Mapping.dueDate(Mapping.requestedDate(order)));
        task.put("line_items", Mapping.lines(order.get("items")));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("customer_id", order.path("customer").path("id").asText(null));
        metadata.put("source_event_id", event(exchange).eventId());
        task.put("metadata", metadata);
        prepare(exchange, "taskmanager", event(exchange).eventId(), task);
    }

    /**
     * POST {wms}/picks: the template pack's PICK.REQUEST (schemas/commands/PICK.REQUEST.schema.json),
     * {@code {request_id, timestamp, source, payload: {pick_id, order_id, line_items, priority,
     * location_preferences}}}. Everything in it is derived from the order and the event, so a retry
     * sends the same body under the same key: request id {@code req_pick_<order_id>}, pick id
     * {@code PICK-<order_id>}, timestamp the triggering event's.
     */
    public void requestPick(Exchange exchange) {
        OrderLink link = link(exchange);
        JsonNode order = link.getOrderPayload();
        String key = "pick_" + link.getOrderId();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("pick_id", Mapping.pickId(link.getOrderId()));
        payload.put("order_id", link.getOrderId());
        payload.put("line_items", Mapping.lines(order.get("items")));
        payload.put("priority", mapping.priority(order.path("customer").get("account_priority")));
        payload.put("location_preferences", mapping.locationPreferences());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("request_id", "req_" + key);
        request.put("timestamp", event(exchange).envelope().path("timestamp").asText(null));
        request.put("source", mapping.source());
        request.put("payload", payload);
        prepare(exchange, "wms", key, request);
    }

    /** PATCH {taskmanager}/tasks/{id}: the pick id into the task's metadata. */
    public void attachPickToTask(Exchange exchange) {
        prepare(exchange, "taskmanager", key(exchange), Map.of("metadata", Map.of("pick_id", link(exchange).getPickId())));
    }

    /** PATCH {taskmanager}/tasks/{id}: ORDER.UPDATED's priority and due date. */
    public void updateTask(Exchange exchange) {
        JsonNode payload = event(exchange).payload();
        Map<String, Object> change = new LinkedHashMap<>();
        if (payload.path("customer").has("account_priority")) {
            change.put("priority", mapping.priority(payload.path("customer").get("account_priority")));
        }
        if (Mapping.requestedDate(payload) != null) {
            change.put("due_date", Mapping.dueDate(Mapping.requestedDate(payload)));
        }
        if (payload.has("items")) {
            change.put("line_items", Mapping.lines(payload.get("items")));
        }
        prepare(exchange, "taskmanager", key(exchange), change);
    }

    /** PATCH {wms}/picks/{id}: ORDER.UPDATED's line items and priority (PICK.REQUEST's names), while the pick has not started. */
    public void updatePick(Exchange exchange) {
        JsonNode payload = event(exchange).payload();
        Map<String, Object> change = new LinkedHashMap<>();
        if (payload.has("items")) {
            change.put("line_items", Mapping.lines(payload.get("items")));
        }
        if (payload.path("customer").has("account_priority")) {
            change.put("priority", mapping.priority(payload.path("customer").get("account_priority")));
        }
        prepare(exchange, "wms", key(exchange), change);
    }

    /** PATCH {wms}/picks/{id} or {taskmanager}/tasks/{id} to cancelled. */
    public void cancel(Exchange exchange, String system) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("status", "cancelled");
        String reason = event(exchange).payload().path("reason").asText(null);
        if (reason != null) {
            change.put("reason", reason);
        }
        prepare(exchange, system, key(exchange), change);
    }

    /** PATCH {taskmanager}/tasks/{id}: completed, on PICK.COMPLETED. */
    public void completeTask(Exchange exchange) {
        prepare(exchange, "taskmanager", key(exchange),
                Map.of("status", "completed", "metadata", Map.of("pick_id", event(exchange).payload().path("pick_id").asText())));
    }

    /** PATCH {taskmanager}/tasks/{id}: the backorder id into the task's metadata. */
    public void attachBackorderToTask(Exchange exchange) {
        prepare(exchange, "taskmanager", key(exchange), Map.of("metadata", Map.of("backorder_id", link(exchange).getBackorderId())));
    }

    /**
     * POST {crm}/orders/{id}/events: {@code {type, order_id, source_event_id, occurred_at, data}}, where
     * {@code data} holds what the kind of event needs.
     */
    public void crmEvent(Exchange exchange, String type) {
        FlowEvent event = event(exchange);
        JsonNode payload = event.payload();
        Map<String, Object> data = new LinkedHashMap<>();
        switch (type) {
            case "shipped" -> {
                data.put("pick_id", payload.path("pick_id").asText(null));
                data.put("carrier", payload.path("carrier").asText(null));
                data.put("tracking_number", payload.path("tracking_number").asText(null));
                data.put("shipped_at", payload.path("completed_at").asText(null));
            }
            case "lines_updated" -> {
                data.put("sequence", exchange.getProperty("sequence"));
                data.put("pick_id", payload.path("pick_id").asText(null));
                data.put("lines", payload.path("lines"));
            }
            case "backordered" -> data.put("lines", Mapping.lines(link(exchange).getOrderPayload().get("items")));
            case "backorder_created" -> {
                data.put("backorder_id", payload.path("backorder_id").asText(null));
                data.put("lines", payload.path("lines"));
                data.put("expected_date", payload.path("expected_date").asText(null));
            }
            case "task_assigned" -> {
                data.put("task_id", payload.path("task_id").asText(null));
                data.put("assignee", payload.path("assignee"));
            }
            case "task_completed" -> {
                data.put("task_id", payload.path("task_id").asText(null));
                data.put("completed_at", payload.path("completed_at").asText(null));
            }
            default -> data.put("event_type", event.eventType());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("order_id", link(exchange).getOrderId());
        body.put("source_event_id", event.eventId());
        body.put("occurred_at", event.envelope().path("timestamp").asText(null));
        body.put("data", data);
        prepare(exchange, "crm", event.eventId() + ":" + type, body);
    }

    private void prepare(Exchange exchange, String system, String idempotencyKey, Object body) {
        Message message = exchange.getMessage();
        message.getHeaders().clear(); // nothing of an earlier answer goes out with this request
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("Accept", "application/json");
        message.setHeader("Idempotency-Key", idempotencyKey);
        String token = tokens.get(system);
        if (token != null) {
            message.setHeader("Authorization", "Bearer " + token);
        }
        message.setBody(Json.write(body));
    }

    private static String key(Exchange exchange) {
        return event(exchange).eventId() + ":" + exchange.getProperty(FlowEvent.STEP, String.class);
    }

    private static OrderLink link(Exchange exchange) {
        return exchange.getProperty(OrderLink.PROPERTY, OrderLink.class);
    }

    private static FlowEvent event(Exchange exchange) {
        return exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
    }
}
