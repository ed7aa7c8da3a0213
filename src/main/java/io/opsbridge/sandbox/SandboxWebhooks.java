package io.opsbridge.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.signature.HmacSha256Signature;
import io.opsbridge.signature.StandardWebhooksSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox systems' outgoing webhooks: signed as the real vendor would (with the sender's first
 * configured secret, in its scheme) and posted to the hub's own /webhooks endpoints, after a pause.
 */
public final class SandboxWebhooks {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxWebhooks.class);
    private static final Map<String, String> PATHS = Map.of("crm", "/webhooks/orders", "tasks", "/webhooks/tasks",
            "wms", "/webhooks/wms");

    private final Clock clock;
    private final String hubUrl;
    private final Map<String, String> schemes;
    private final Map<String, List<String>> secrets;
    private final long pickDelayMillis;
    /**
     * One thread that starts the delayed sends (each send is asynchronous). Not CompletableFuture's
     * delayed executor: on a machine of one or two cores its default pool starts a thread per task.
     */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-webhooks");
        t.setDaemon(true);
        return t;
    });

    /**
     * The client, built at the first send: building it loads the JDK's trusted certificates (about 0.2 s
     * of the hub's start on 2 cores), which a hub whose sandbox sends nothing never needs.
     */
    private static final class Client {
        // HTTP/1.1: the JDK client otherwise asks every new connection to upgrade to h2c, and under a burst of
        // webhooks those upgrades failed with IOExceptions
        static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    public SandboxWebhooks(Clock clock, String hubUrl, Map<String, String> schemes, Map<String, List<String>> secrets,
            long pickDelayMillis) {
        this.clock = clock;
        this.hubUrl = hubUrl.endsWith("/") ? hubUrl.substring(0, hubUrl.length() - 1) : hubUrl;
        this.schemes = Map.copyOf(schemes);
        this.secrets = Map.copyOf(secrets);
        this.pickDelayMillis = pickDelayMillis;
    }

    public long pickDelayMillis() {
        return pickDelayMillis;
    }

    /** Tries a vendor makes before it gives an event up (connection failures, 429, 5xx). */
    private static final int TRIES = 6;

    /** Sends the event after {@code delayMillis}, off the calling thread, retried as a vendor retries. */
    public void send(String sender, String type, String eventId, JsonNode payload, long delayMillis) {
        timer.schedule(() -> {
            ObjectNode envelope = Json.MAPPER.createObjectNode();
            envelope.put("event_id", eventId);
            envelope.put("event_type", type);
            envelope.put("event_version", "1.0");
            envelope.put("timestamp", clock.instant().toString());
            envelope.put("source", "sandbox-" + sender);
            envelope.set("payload", payload);
            attempt(sender, type, eventId, Json.write(envelope), 1);
        }, Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
    }

    /** One delivery of the same bytes (a retry is the same event: the hub answers it as a duplicate if it got it). */
    private void attempt(String sender, String type, String eventId, byte[] body, int attempt) {
        String secret = secrets.get(sender).get(0);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hubUrl + PATHS.get(sender)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (StandardWebhooksSignature.SCHEME.equals(schemes.get(sender))) {
            long now = clock.instant().getEpochSecond();
            request.header(StandardWebhooksSignature.ID, eventId).header(StandardWebhooksSignature.TIMESTAMP, Long.toString(now))
                    .header(StandardWebhooksSignature.SIGNATURE, StandardWebhooksSignature.sign(secret, eventId, now, body));
        } else {
            request.header(HmacSha256Signature.HEADER, HmacSha256Signature.sign(secret, body));
        }
        // asynchronous: the delayed executor has one thread or two, and a vendor sends many events at once
        Client.HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).whenComplete((answer, e) -> {
            boolean retry = e != null || answer.statusCode() == 429 || answer.statusCode() >= 500;
            String outcome = e != null ? (e.getCause() != null ? e.getCause() : e).getClass().getSimpleName()
                    : "HTTP " + answer.statusCode();
            if (retry && attempt < TRIES) {
                long pause = 250L << (attempt - 1);
                LOG.info("Sandbox {} could not send {} {} ({}); again in {} ms", sender, type, eventId, outcome, pause);
                timer.schedule(() -> attempt(sender, type, eventId, body, attempt + 1), pause, TimeUnit.MILLISECONDS);
            } else if (retry || answer.statusCode() >= 300) {
                LOG.warn("Sandbox {} gave up sending {} {}: {}", sender, type, eventId, outcome);
            } else {
                LOG.debug("Sandbox {} sent {} {}: {}", sender, type, eventId, outcome);
            }
        });
    }
}
