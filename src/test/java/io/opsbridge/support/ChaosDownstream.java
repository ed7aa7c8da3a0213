package io.opsbridge.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The task manager, WMS and CRM a chaos test runs against: a real HTTP server that honours
 * {@code Idempotency-Key} the way Stripe does (the first request with a key is applied and its answer
 * kept; a repeat gets that answer and changes nothing), and that fails at random until it is healed:
 * 503, 429 with {@code Retry-After: 1}, an answer later than the caller's timeout (the change applied
 * meanwhile), and connections closed without an answer, before or after the change was applied.
 *
 * <p>It keeps what it applied, in order, so a test can count side effects per order (a second task
 * for one order is a duplicate whatever keys it came with) and check that one order's changes arrived
 * in the order of the events that caused them.
 *
 * <p>Paths: POST /tm/tasks, PATCH /tm/tasks/{id}, POST /wms/picks, PATCH /wms/picks/{id},
 * POST /crm/orders/{id}/events.
 */
public final class ChaosDownstream implements AutoCloseable {

    /** A change applied: its place in the order of all changes, the order it is about, its key and request. */
    public record Applied(long sequence, String order, String key, String method, String path) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(96);
    private final Random random;
    private final long slowMillis;
    private final Predicate<String> poisoned;
    private volatile boolean healed;
    /** Guarded by this. */
    private final Map<String, String> answers = new HashMap<>();
    private final Map<String, String> orderOfTask = new HashMap<>();
    private final Map<String, String> orderOfPick = new HashMap<>();
    private final List<Applied> applied = new ArrayList<>();
    private final Map<String, AtomicInteger> faults = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    /**
     * @param seed the faults' random sequence
     * @param slowMillis how late a slow answer comes (longer than the caller's timeout)
     * @param poisoned keys answered 400 until {@link #heal()} (their events are dead-lettered)
     */
    public ChaosDownstream(long seed, long slowMillis, Predicate<String> poisoned) throws IOException {
        this.random = new Random(seed);
        this.slowMillis = slowMillis;
        this.poisoned = poisoned;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on every request is answered, and answered well. */
    public void heal() {
        healed = true;
    }

    public synchronized List<Applied> applied() {
        return List.copyOf(applied);
    }

    /** Faults served, by kind. */
    public Map<String, Integer> faults() {
        Map<String, Integer> counts = new TreeMap<>();
        faults.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String fault = healed ? "none" : fault();
            switch (fault) {
                case "503" -> {
                    answer(exchange, 503, "{\"error\":\"unavailable\"}", null);
                    return;
                }
                case "429" -> {
                    answer(exchange, 429, "{\"error\":\"slow down\"}", "1");
                    return;
                }
                case "reset-before" -> {
                    return; // closed without an answer: nothing applied
                }
                default -> {
                }
            }
            if (!healed && key != null && poisoned.test(key)) {
                answer(exchange, 400, "{\"error\":\"refused until healed\"}", null);
                return;
            }
            String answer = apply(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), key, body);
            if (answer == null) {
                answer(exchange, 404, "{\"error\":\"not found\"}", null);
                return;
            }
            switch (fault) {
                case "reset-after" -> {
                    return; // applied, and the answer lost
                }
                case "slow" -> sleep(slowMillis); // applied; the caller has given up by the time it comes
                default -> {
                }
            }
            answer(exchange, exchange.getRequestMethod().equals("POST") ? 201 : 200, answer, null);
        }
    }

    private String fault() {
        int roll;
        synchronized (random) {
            roll = random.nextInt(100);
        }
        String kind = roll < 8 ? "503" : roll < 13 ? "429" : roll < 18 ? "slow" : roll < 22 ? "reset-before"
                : roll < 26 ? "reset-after" : "none";
        if (!kind.equals("none")) {
            faults.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        }
        return kind;
    }

    /** The change a request asks for, once per key; the answer (the first one for a repeated key), or null for 404. */
    private synchronized String apply(String method, String path, String key, byte[] body) {
        String remembered = key == null ? null : answers.get(method + " " + path + " " + key);
        if (remembered != null) {
            return remembered;
        }
        String[] parts = path.split("/");
        String order;
        ObjectNode answer = Events.parse("{}");
        JsonNode request = body.length == 0 ? Events.parse("{}") : Events.parse(new String(body, StandardCharsets.UTF_8));
        if (method.equals("POST") && path.equals("/tm/tasks")) {
            order = request.path("external_ref").path("id").asText();
            String id = "T-" + (applied.size() + 1);
            orderOfTask.put(id, order);
            answer.put("id", id).put("status", "open");
        } else if (method.equals("POST") && path.equals("/wms/picks")) {
            order = request.path("payload").path("order_id").asText();
            String id = "P-" + (applied.size() + 1);
            orderOfPick.put(id, order);
            answer.put("id", id).put("pick_id", id).put("status", "requested");
        } else if (method.equals("PATCH") && parts.length == 4 && parts[1].equals("tm") && parts[2].equals("tasks")) {
            order = orderOfTask.get(parts[3]);
            answer.put("id", parts[3]);
        } else if (method.equals("PATCH") && parts.length == 4 && parts[1].equals("wms") && parts[2].equals("picks")) {
            order = orderOfPick.get(parts[3]);
            answer.put("id", parts[3]);
        } else if (method.equals("POST") && parts.length == 5 && parts[1].equals("crm") && parts[4].equals("events")) {
            order = parts[3];
            answer.put("accepted", true);
        } else {
            return null;
        }
        if (order == null) {
            return null;
        }
        applied.add(new Applied(applied.size() + 1, order, key, method, path));
        String text = Events.json(answer);
        if (key != null) {
            answers.put(method + " " + path + " " + key, text);
        }
        return text;
    }

    private static void answer(HttpExchange exchange, int status, String json, String retryAfter) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
