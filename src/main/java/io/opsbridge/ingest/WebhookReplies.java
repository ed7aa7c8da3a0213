package io.opsbridge.ingest;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.http.ErrorReplies;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.inbox.HeldEvent;
import io.opsbridge.inbox.InboxRepository;
import io.opsbridge.ops.Metrics;
import io.opsbridge.storage.StorageException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The answers of the intake routes: 202, 200 duplicate, 409, and every problem. */
public final class WebhookReplies {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookReplies.class);

    private final InboxRepository inbox;
    private final Senders senders;
    private final Metrics metrics;

    public WebhookReplies(InboxRepository inbox, Senders senders, Metrics metrics) {
        this.inbox = inbox;
        this.senders = senders;
        this.metrics = metrics;
    }

    /** 202: the event is committed. */
    public void accepted(Exchange exchange) {
        InboundEvent event = event(exchange);
        LOG.debug("{} event {} ({}) accepted", event.sender(), event.eventId(), event.eventType());
        count(exchange, event, "accepted");
        // the event id is 1-200 of [A-Za-z0-9._:-] (EnvelopeParser): nothing in it needs escaping in JSON
        byte[] body = ("{\"status\":\"accepted\",\"event_id\":\"" + event.eventId() + "\"}").getBytes(StandardCharsets.US_ASCII);
        HttpReplies.write(exchange, 202, "application/json", body, Map.of());
    }

    /** 200 with the recorded result when the body is the same; 409 when the id is reused for other content. */
    public void duplicate(Exchange exchange) {
        InboundEvent event = event(exchange);
        HeldEvent held = inbox.find(event.sender(), event.eventId())
                .orElseThrow(() -> new IllegalStateException("duplicate of an event the inbox does not hold"));
        answerDuplicate(exchange, event, held);
    }

    /**
     * A refused request. A refusal of the checks that come after the duplicate check (timestamp,
     * schema, rate limit) gives way to the duplicate answer when the inbox already holds the event.
     */
    public void rejected(Exchange exchange) {
        Rejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Rejection.class);
        InboundEvent event = exchange.getProperty(InboundEvent.PROPERTY, InboundEvent.class);
        if (rejection.yieldsToDuplicate() && event != null) {
            Optional<HeldEvent> held;
            try {
                held = inbox.find(event.sender(), event.eventId());
            } catch (StorageException e) {
                exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
                failed(exchange);
                return;
            }
            if (held.isPresent()) {
                answerDuplicate(exchange, event, held.get());
                return;
            }
        }
        Problem problem = rejection.problem();
        count(exchange, event, problem.code());
        LOG.info("{} webhook refused {} {}{}", exchange.getProperty(Sender.PROPERTY), problem.status(), problem.code(),
                event == null ? "" : " (event " + event.eventId() + ")");
        HttpReplies.problem(exchange, problem);
    }

    /** Our fault, not the client's: 503 when storage is unavailable, else 500. Never a stack trace. */
    public void failed(Exchange exchange) {
        count(exchange, exchange.getProperty(InboundEvent.PROPERTY, InboundEvent.class), "error");
        ErrorReplies.answerFailure(exchange, exchange.getProperty(Sender.PROPERTY) + " webhook");
    }

    private void answerDuplicate(Exchange exchange, InboundEvent event, HeldEvent held) {
        if (!held.bodySha256().equals(event.bodySha256())) {
            count(exchange, event, "conflict");
            LOG.info("{} event {} refused 409: id reused for other content", event.sender(), event.eventId());
            HttpReplies.problem(exchange, new Problem(409, "event-id-conflict", "Event id reused",
                    "Event " + event.eventId() + " was already received with a different body; an event id may "
                            + "not be reused for other content."));
            return;
        }
        count(exchange, event, "duplicate");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "duplicate");
        body.put("event_id", event.eventId());
        body.put("first_received_at", held.receivedAt().toString());
        body.put("result", result(held));
        HttpReplies.json(exchange, 200, body);
    }

    /** The processing outcome so far: its state, plus what the flow recorded. */
    private static Map<String, Object> result(HeldEvent held) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("state", held.state());
        if (held.outcome() != null) {
            try {
                JsonNode outcome = Json.MAPPER.readTree(held.outcome());
                outcome.fields().forEachRemaining(f -> result.putIfAbsent(f.getKey(), f.getValue()));
            } catch (java.io.IOException e) {
                result.put("detail", held.outcome());
            }
        }
        return result;
    }

    /** opsbridge_webhooks_total; a type no flow knows counts as "other", so vendors cannot grow the series. */
    private void count(Exchange exchange, InboundEvent event, String outcome) {
        Sender sender = senders.of(exchange);
        String type = event == null ? "unknown" : sender.routedTypes().contains(event.eventType()) ? event.eventType() : "other";
        metrics.webhook(sender.name(), type, outcome, exchange.getClock().elapsed());
    }

    private static InboundEvent event(Exchange exchange) {
        return exchange.getProperty(InboundEvent.PROPERTY, InboundEvent.class);
    }
}
