package io.opsbridge.delivery;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.inbox.InboxRepository;
import io.opsbridge.ingest.EventSchemas;
import io.opsbridge.ingest.InboundEvent;
import io.opsbridge.ingest.Sender;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.StorageException;
import io.opsbridge.http.CallOut;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls {@code GET {crm}/orders?since=<watermark>} on a schedule (routes/reconciler.yaml, through
 * camel-http like every call out) and feeds
 * each order OpsBridge never heard of into the inbox as an ORDER.CREATED with the id
 * {@code reconciled:<order_id>}, so it runs through the same flow. Idempotent twice over: the event
 * id is derived from the order, and the flow skips what an order already has. The watermark and
 * the last run are persisted (GET /admin/reconciler); on several nodes one runs each tick (ScheduledJobs).
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final String WATERMARK = "reconcilerWatermark";

    private final Jdbc jdbc;
    private final Clock clock;
    private final InboxRepository inbox;
    private final Sender sender;
    private final EventSchemas schemas;
    private final String crmUrl;
    private final String token;
    private final ProducerTemplate producer;

    /** @param sender whose events the fed orders become ({@code opsbridge.reconciler.sender}): its routing and retention apply */
    public Reconciler(Jdbc jdbc, Clock clock, InboxRepository inbox, Sender sender, EventSchemas schemas, String crmUrl,
            String token, ProducerTemplate producer) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.inbox = inbox;
        this.sender = sender;
        this.schemas = schemas;
        this.crmUrl = crmUrl.endsWith("/") ? crmUrl.substring(0, crmUrl.length() - 1) : crmUrl;
        this.token = token;
        this.producer = producer;
    }

    /** {@code GET /admin/reconciler}: the last run and the watermark. */
    public void status(Exchange exchange) {
        HttpReplies.json(exchange, 200, state());
    }

    /** {@code POST /admin/reconciler/run}: runs now, through the same route, and answers how it went. */
    public void runNow(Exchange exchange) {
        io.opsbridge.http.Requests.jsonObject(exchange, java.util.Set.of());
        Exchange run = producer.request("direct:reconcile", e -> { });
        if (run.getException() != null) {
            throw new IllegalStateException("reconcile route failed", run.getException());
        }
        HttpReplies.json(exchange, 200, state());
    }

    /** {@code GET {crm}/orders?since=<watermark>}, sent by the route with camel-http like every call out. */
    public void request(Exchange exchange) {
        String watermark = jdbc.one("SELECT watermark FROM reconciler_state WHERE id = 'crm'", rs -> rs.getString(1)).orElse(null);
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setBody(null);
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        message.setHeader("Accept", "application/json");
        if (token != null) {
            message.setHeader("Authorization", "Bearer " + token);
        }
        CallOut.to(exchange, crmUrl + "/orders" + (watermark == null ? "" : "?since=" + URLEncoder.encode(watermark,
                StandardCharsets.UTF_8)), "crm");
        exchange.setProperty(WATERMARK, watermark);
    }

    /** The CRM's answer: every order OpsBridge never heard of is fed; the watermark moves to the newest seen. */
    public void answer(Exchange exchange) {
        String newest = exchange.getProperty(WATERMARK, String.class);
        int seen = 0;
        int fed = 0;
        for (JsonNode order : orders(exchange)) {
            seen++;
            String updatedAt = order.path("updated_at").asText(null);
            if (updatedAt != null && (newest == null || updatedAt.compareTo(newest) > 0)) {
                newest = updatedAt;
            }
            if (feed(order)) {
                fed++;
            }
        }
        jdbc.update("UPDATE reconciler_state SET watermark = ?, last_run_at = ?, last_status = 'ok', last_error = NULL, "
                + "orders_seen = ?, orders_fed = ? WHERE id = 'crm'", newest, clock.instant(), seen, fed);
        if (fed > 0) {
            LOG.info("Reconciler fed {} order(s) the CRM never sent by webhook ({} seen)", fed, seen);
        }
    }

    /** The run failed (CRM unreachable, not 200, not JSON, storage): recorded, tried again at the next run. */
    public void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String why = failure instanceof ReconcileFailed ? failure.getMessage()
                : failure instanceof StorageException ? failure.getMessage()
                : "CRM unreachable: " + (failure == null ? "unknown" : failure.getClass().getSimpleName());
        LOG.warn("Reconciler run failed: {}", why);
        jdbc.update("UPDATE reconciler_state SET last_run_at = ?, last_status = 'failed', last_error = ? WHERE id = 'crm'",
                clock.instant(), why);
    }

    /** Feeds one CRM order unless OpsBridge already knows it; true when it was fed. */
    private boolean feed(JsonNode order) {
        String orderId = order.path("order_id").asText(null);
        if (orderId == null || jdbc.one("SELECT 1 FROM order_link WHERE order_id = ? UNION ALL SELECT 1 FROM inbox_event "
                + "WHERE sender = ? AND event_type = 'ORDER.CREATED' AND order_key = ?", rs -> 1, orderId, sender.name(), orderId)
                .isPresent()) {
            return false;
        }
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        String eventId = "reconciled:" + orderId;
        envelope.put("event_id", eventId);
        envelope.put("event_type", "ORDER.CREATED");
        envelope.put("event_version", "1.0");
        envelope.put("timestamp", clock.instant().toString());
        envelope.put("source", "reconciler");
        ObjectNode payload = ((ObjectNode) order).deepCopy();
        payload.remove("updated_at");
        envelope.set("payload", payload);
        if (!schemas.validate(envelope).isEmpty()) {
            LOG.warn("Reconciler skipped CRM order {}: it does not match the ORDER.CREATED schema", orderId);
            return false;
        }
        byte[] raw = Json.write(envelope);
        // the way a webhook's event goes in: one row per (sender, event id), routed by the sender's event types
        return inbox.accept(sender, new InboundEvent(sender.name(), eventId, "ORDER.CREATED", "1.0", clock.instant(), orderId,
                raw, Secrets.sha256Hex(raw), envelope));
    }

    private static JsonNode orders(Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status != 200) {
            throw new ReconcileFailed("CRM answered HTTP " + status);
        }
        try {
            byte[] raw = exchange.getMessage().getBody(byte[].class);
            JsonNode body = Json.MAPPER.readTree(raw == null ? new byte[0] : raw);
            JsonNode orders = body == null ? null : body.isArray() ? body : body.path("orders");
            if (orders == null || !orders.isArray()) {
                throw new ReconcileFailed("CRM answer has no orders array");
            }
            return orders;
        } catch (IOException e) {
            throw new ReconcileFailed("CRM answer is not JSON");
        }
    }

    private Map<String, Object> state() {
        return jdbc.one("SELECT watermark, last_run_at, last_status, last_error, orders_seen, orders_fed FROM reconciler_state "
                + "WHERE id = 'crm'", Jdbc::camelRow).orElse(Map.of());
    }

    static final class ReconcileFailed extends RuntimeException {
        ReconcileFailed(String message) {
            super(message, null, false, false);
        }
    }
}
