package io.opsbridge.sandbox;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;

/**
 * The demo's CRM, task manager and WMS (sandbox/*.yaml), in memory: the endpoints of SPEC section 3,
 * {@code Idempotency-Key} honoured on creation, stock levels so a pick can be refused (409), and the
 * webhooks a real system would send back (TASK.CREATED; PICK.CREATED and, after a pause,
 * PICK.COMPLETED) handed to {@link SandboxWebhooks}. Not part of the product: off in production.
 */
public final class SandboxSystems {

    private final Clock clock;
    private final SandboxWebhooks webhooks;
    private final Map<String, ObjectNode> tasks = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> picks = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> orders = new ConcurrentHashMap<>();
    private final Map<String, List<JsonNode>> orderEvents = new ConcurrentHashMap<>();
    private final Map<String, Integer> stock = new ConcurrentHashMap<>();
    /** Idempotency-Key → the answer first given, per system. */
    private final Map<String, ObjectNode> answered = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    /**
     * This run's mark in every id the sandbox makes: its memory starts empty at each start, but the
     * hub's inbox remembers the webhooks of earlier runs, so TASK-1 may not come back as another task.
     */
    private final String run;

    public SandboxSystems(Clock clock, SandboxWebhooks webhooks, List<String> stockTable) {
        this.clock = clock;
        this.webhooks = webhooks;
        this.run = Long.toString(clock.millis(), 36).toUpperCase(java.util.Locale.ROOT);
        for (String entry : stockTable) {
            String[] pair = entry.split(":", 2);
            stock.put(pair[0].trim(), Integer.parseInt(pair[1].trim()));
        }
    }

    // ---- task manager

    /** POST /tasks: the same Idempotency-Key gets the same task back, created once. */
    public synchronized void createTask(Exchange exchange) {
        String key = HttpRequestView.header(exchange, "Idempotency-Key");
        if (answeredBefore(exchange, "tasks", key)) {
            return;
        }
        ObjectNode task = body(exchange);
        String id = "TASK-" + run + "-" + sequence.incrementAndGet();
        task.put("id", id);
        task.put("status", "open");
        task.put("created_at", clock.instant().toString());
        tasks.put(id, task);
        remember("tasks", key, task);
        HttpReplies.json(exchange, 201, task);
        // TASK.CREATED in the template pack's shape
        ObjectNode payload = Json.MAPPER.createObjectNode();
        payload.put("task_id", id);
        payload.set("external_ref", task.path("external_ref"));
        payload.put("task_type", task.path("task_type").asText("fulfillment_pick"));
        payload.putNull("assignee");
        if (task.hasNonNull("priority")) {
            payload.put("priority", task.get("priority").asText());
        }
        if (task.hasNonNull("due_date")) {
            payload.put("due_date", task.get("due_date").asText());
        }
        webhooks.send("tasks", "TASK.CREATED", "sbx_task_created_" + id, payload, 0);
    }

    /** PATCH /tasks/{id}: fields merged, metadata merged. */
    public synchronized void updateTask(Exchange exchange) {
        ObjectNode task = find(tasks, exchange, "Task");
        ObjectNode change = body(exchange);
        change.fields().forEachRemaining(f -> {
            if (f.getKey().equals("metadata") && task.get("metadata") instanceof ObjectNode meta && f.getValue().isObject()) {
                meta.setAll((ObjectNode) f.getValue());
            } else {
                task.set(f.getKey(), f.getValue());
            }
        });
        HttpReplies.json(exchange, 200, task);
    }

    /** GET /tasks?external_ref=ORDER_ID */
    public void listTasks(Exchange exchange) {
        String ref = HttpRequestView.queryParam(exchange, "external_ref").orElse(null);
        List<ObjectNode> found = tasks.values().stream()
                .filter(t -> ref == null || ref.equals(t.path("external_ref").path("id").asText())).toList();
        HttpReplies.json(exchange, 200, Map.of("tasks", found));
    }

    // ---- WMS

    /**
     * POST /picks with the template pack's PICK.REQUEST ({@code {request_id, timestamp, source,
     * payload: {pick_id, order_id, line_items, priority, location_preferences}}}): 409 when a line is
     * out of stock; otherwise reserves stock and keeps the pick under the id the request proposed
     * (one of its own when none), then the pick is done a moment later.
     */
    public synchronized void createPick(Exchange exchange) {
        String key = HttpRequestView.header(exchange, "Idempotency-Key");
        if (answeredBefore(exchange, "picks", key)) {
            return;
        }
        ObjectNode request = body(exchange);
        if (!(request.get("payload") instanceof ObjectNode payload) || !payload.hasNonNull("order_id")
                || !payload.path("line_items").isArray() || payload.path("line_items").isEmpty()) {
            throw new Rejection(new Problem(400, "invalid-request", "Invalid request",
                    "A PICK.REQUEST is {request_id, timestamp, source, payload: {pick_id, order_id, line_items[{sku, qty}], priority}}."));
        }
        for (JsonNode line : payload.path("line_items")) {
            String sku = line.path("sku").asText();
            if (stock.getOrDefault(sku, 0) < line.path("qty").asInt()) {
                throw new Rejection(new Problem(409, "out-of-stock", "Out of stock",
                        "SKU " + sku + " has " + stock.getOrDefault(sku, 0) + " in stock."));
            }
        }
        payload.path("line_items").forEach(line -> stock.merge(line.path("sku").asText(), -line.path("qty").asInt(), Integer::sum));
        String id = payload.hasNonNull("pick_id") ? payload.get("pick_id").asText() : "PICK-" + run + "-" + sequence.incrementAndGet();
        ObjectNode pick = payload.deepCopy();
        pick.put("id", id);
        pick.put("pick_id", id);
        pick.put("request_id", request.path("request_id").asText(null));
        pick.put("status", "created");
        picks.put(id, pick);
        remember("picks", key, pick);
        HttpReplies.json(exchange, 201, pick);
        ObjectNode created = Json.MAPPER.createObjectNode();
        created.put("pick_id", id);
        created.put("order_id", payload.path("order_id").asText());
        // a run's mark in the event ids too: a pick id proposed again after a restart is a new pick
        webhooks.send("wms", "PICK.CREATED", "sbx_pick_created_" + run + "_" + id, created, 0);
        ObjectNode completed = created.deepCopy();
        completed.put("completed_at", clock.instant().toString());
        completed.put("carrier", "SANDBOX-POST");
        completed.put("tracking_number", "SBX-" + run + "-" + sequence.incrementAndGet());
        webhooks.send("wms", "PICK.COMPLETED", "sbx_pick_completed_" + run + "_" + id, completed, webhooks.pickDelayMillis());
    }

    /** PATCH /picks/{id} */
    public synchronized void updatePick(Exchange exchange) {
        ObjectNode pick = find(picks, exchange, "Pick");
        pick.setAll(body(exchange));
        HttpReplies.json(exchange, 200, pick);
    }

    /** GET /inventory?sku= */
    public void inventory(Exchange exchange) {
        String sku = HttpRequestView.queryParam(exchange, "sku").orElse(null);
        Map<String, Object> levels = new LinkedHashMap<>();
        stock.forEach((s, qty) -> {
            if (sku == null || sku.equals(s)) {
                levels.put(s, qty);
            }
        });
        HttpReplies.json(exchange, 200, Map.of("inventory", levels));
    }

    // ---- CRM

    /** POST /orders: an order entered in the CRM without a webhook (for the reconciler to find). */
    public synchronized void createOrder(Exchange exchange) {
        ObjectNode order = body(exchange);
        if (!order.hasNonNull("order_id")) {
            throw new Rejection(new Problem(400, "invalid-request", "Invalid request", "order_id is required."));
        }
        order.put("updated_at", clock.instant().toString());
        orders.put(order.get("order_id").asText(), order);
        HttpReplies.json(exchange, 201, order);
    }

    /** GET /orders?since=RFC3339: orders created or changed since then, oldest first. */
    public void listOrders(Exchange exchange) {
        String since = HttpRequestView.queryParam(exchange, "since").orElse("");
        List<ObjectNode> found = new ArrayList<>(orders.values().stream()
                .filter(o -> o.path("updated_at").asText().compareTo(since) > 0).toList());
        found.sort((a, b) -> a.path("updated_at").asText().compareTo(b.path("updated_at").asText()));
        HttpReplies.json(exchange, 200, Map.of("orders", found));
    }

    /** GET /orders/{id}: the order with the events OpsBridge told the CRM. */
    public void getOrder(Exchange exchange) {
        String id = HttpRequestView.pathParam(exchange, "id").orElse("");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("order", orders.get(id));
        view.put("events", orderEvents.getOrDefault(id, List.of()));
        HttpReplies.json(exchange, 200, view);
    }

    /** POST /orders/{id}/events */
    public void orderEvent(Exchange exchange) {
        String id = HttpRequestView.pathParam(exchange, "id").orElse("");
        ObjectNode event = body(exchange);
        orderEvents.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(event);
        HttpReplies.json(exchange, 201, Map.of("received", true));
    }

    /** Answers a repeated Idempotency-Key with the first answer, as a real system would. */
    private boolean answeredBefore(Exchange exchange, String system, String key) {
        ObjectNode earlier = key == null ? null : answered.get(system + ":" + key);
        if (earlier != null) {
            HttpReplies.json(exchange, 201, earlier);
        }
        return earlier != null;
    }

    private void remember(String system, String key, ObjectNode answer) {
        if (key != null) {
            answered.put(system + ":" + key, answer);
        }
    }

    private static ObjectNode find(Map<String, ObjectNode> store, Exchange exchange, String what) {
        String id = HttpRequestView.pathParam(exchange, "id").orElse("");
        ObjectNode found = store.get(id);
        if (found == null) {
            throw new Rejection(new Problem(404, "not-found", "Not found", what + " " + id + " does not exist."));
        }
        return found;
    }

    private static ObjectNode body(Exchange exchange) {
        try {
            JsonNode node = Json.MAPPER.readTree(HttpRequestView.body(exchange));
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new Rejection(new Problem(400, "invalid-json", "Invalid JSON", "The body must be one JSON object."));
    }
}
