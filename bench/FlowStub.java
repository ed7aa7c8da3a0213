import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fast stand-in for the CRM, the task manager and the WMS, in a process of its own, for
 * bench/flows.sh STUB=1: the hub's CPU per order is then the hub's alone. It answers what the
 * sandbox answers (the same ids, Idempotency-Key replays the first answer) and posts the same
 * signed webhooks back: TASK.CREATED after a task, PICK.CREATED after a pick and PICK.COMPLETED
 * the pick delay later. No stock, no validation: it is a load generator, not a model.
 *
 * usage: java -cp "target/lib/*" bench/FlowStub.java PORT HUB_URL[,HUB_URL…] TASKS_SECRET WMS_SECRET PICK_DELAY_MS
 * Paths: /tm/tasks (POST), /tm/tasks/{id} (PATCH), /wms/picks (POST), /wms/picks/{id} (PATCH),
 *        /crm/orders/{id}/events (POST).
 */
public final class FlowStub {

    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicLong SEQUENCE = new AtomicLong();
    static final String RUN = Long.toString(System.currentTimeMillis(), 36).toUpperCase();
    static final Map<String, byte[]> ANSWERED = new ConcurrentHashMap<>();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();

    /** The hub's URL, or several nodes' (comma separated): webhooks go to each in turn, as a load balancer sends them. */
    static String[] hubs;
    static final AtomicLong TURN = new AtomicLong();
    static Map<String, String> secrets;
    static long pickDelayMillis;

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        hubs = args[1].split(",");
        secrets = Map.of("tasks", args[2], "wms", args[3]);
        pickDelayMillis = Long.parseLong(args[4]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", FlowStub::handle);
        server.start();
        System.out.println("flow stub on 127.0.0.1:" + port);
    }

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (method.equals("POST") && path.equals("/tm/tasks")) {
                reply(exchange, 201, once("tasks:" + key, () -> createTask(JSON.readTree(body))));
            } else if (method.equals("POST") && path.equals("/wms/picks")) {
                reply(exchange, 201, once("picks:" + key, () -> createPick(JSON.readTree(body))));
            } else if (method.equals("PATCH") && (path.startsWith("/tm/tasks/") || path.startsWith("/wms/picks/"))) {
                reply(exchange, 200, "{}".getBytes(StandardCharsets.UTF_8));
            } else if (method.equals("POST") && path.startsWith("/crm/orders/") && path.endsWith("/events")) {
                reply(exchange, 201, "{\"received\":true}".getBytes(StandardCharsets.UTF_8));
            } else {
                reply(exchange, 404, "{}".getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("stub: " + e);
        }
    }

    interface Answer {
        byte[] make() throws IOException;
    }

    /** The first answer for an Idempotency-Key, made once; a repeat gets it again and sends nothing. */
    static byte[] once(String key, Answer answer) throws IOException {
        byte[] earlier = ANSWERED.get(key);
        if (earlier != null) {
            return earlier;
        }
        synchronized (ANSWERED) {
            earlier = ANSWERED.get(key);
            if (earlier == null) {
                earlier = answer.make();
                ANSWERED.put(key, earlier);
            }
            return earlier;
        }
    }

    static byte[] createTask(JsonNode task) throws IOException {
        String id = "TASK-" + RUN + "-" + SEQUENCE.incrementAndGet();
        ObjectNode payload = JSON.createObjectNode();
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
        send("tasks", "TASK.CREATED", "stub_task_created_" + id, payload, 0);
        return JSON.writeValueAsBytes(Map.of("id", id, "status", "open"));
    }

    static byte[] createPick(JsonNode request) throws IOException {
        JsonNode payload = request.path("payload");
        String id = payload.hasNonNull("pick_id") ? payload.get("pick_id").asText() : "PICK-" + RUN + "-" + SEQUENCE.incrementAndGet();
        ObjectNode created = JSON.createObjectNode();
        created.put("pick_id", id);
        created.put("order_id", payload.path("order_id").asText());
        send("wms", "PICK.CREATED", "stub_pick_created_" + RUN + "_" + id, created, 0);
        ObjectNode completed = created.deepCopy();
        completed.put("completed_at", Instant.now().toString());
        completed.put("carrier", "STUB-POST");
        completed.put("tracking_number", "STUB-" + RUN + "-" + SEQUENCE.incrementAndGet());
        send("wms", "PICK.COMPLETED", "stub_pick_completed_" + RUN + "_" + id, completed, pickDelayMillis);
        return JSON.writeValueAsBytes(Map.of("id", id, "pick_id", id, "status", "created"));
    }

    /** Posts a signed webhook (hmac-sha256, X-Signature) after the delay, retried as a vendor would. */
    static void send(String sender, String type, String eventId, JsonNode payload, long delayMillis) throws IOException {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("event_id", eventId);
        envelope.put("event_type", type);
        envelope.put("event_version", "1.0");
        envelope.put("timestamp", Instant.now().toString());
        envelope.put("source", "stub-" + sender);
        envelope.set("payload", payload);
        byte[] body = JSON.writeValueAsBytes(envelope);
        String path = sender.equals("tasks") ? "/webhooks/tasks" : "/webhooks/wms";
        TIMER.schedule(() -> post(path, secrets.get(sender), body, 1), Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
    }

    static void post(String path, String secret, byte[] body, int attempt) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hubs[(int) (TURN.getAndIncrement() % hubs.length)] + path)).header("Content-Type", "application/json")
                .header("X-Signature", hmac(secret, body)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((answer, e) -> {
            boolean retry = e != null || answer.statusCode() == 429 || answer.statusCode() >= 500;
            if (retry && attempt < 6) {
                TIMER.schedule(() -> post(path, secret, body, attempt + 1), 250L << (attempt - 1), TimeUnit.MILLISECONDS);
            } else if (retry || answer.statusCode() >= 300) {
                System.err.println("stub: gave up " + path + " " + (e != null ? e : "HTTP " + answer.statusCode()));
            }
        });
    }

    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
