package io.opsbridge.ingest;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.http.FieldError;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Step 3 of intake: the one parse of the body. It must be a JSON object with a usable
 * {@code event_id}, equal to {@code X-Event-ID} when that header is sent (400). The result is an
 * {@link InboundEvent} every later step reads.
 */
public final class EnvelopeParser implements Processor {

    public static final String EVENT_ID_HEADER = "X-Event-ID";
    static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    private final Senders senders;

    public EnvelopeParser(Senders senders) {
        this.senders = senders;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        byte[] body = in.getBody(byte[].class);
        ObjectNode envelope = parseObject(body);
        String eventId = text(envelope, "event_id");
        if (eventId == null || !EVENT_ID.matcher(eventId).matches()) {
            throw new Rejection(new Problem(400, "invalid-envelope", "Invalid envelope",
                    "The event cannot be identified without a valid event_id.")
                    .withErrors(List.of(new FieldError("/event_id",
                            "required: 1 to 200 characters of A-Z a-z 0-9 . _ : -"))));
        }
        String headerId = HttpRequestView.header(exchange, EVENT_ID_HEADER);
        if (headerId != null && !headerId.equals(eventId)) {
            throw new Rejection(new Problem(400, "event-id-mismatch", "Event id mismatch",
                    "The X-Event-ID header differs from the envelope event_id."));
        }
        JsonNode payload = envelope.get("payload");
        // the order an event is about: order_id, or a task's external_ref.id
        String orderKey = payload == null ? null : text(payload, "order_id");
        if (orderKey == null && payload != null && payload.get("external_ref") != null) {
            orderKey = text(payload.get("external_ref"), "id");
        }
        if (orderKey != null && !EVENT_ID.matcher(orderKey).matches()) {
            orderKey = null; // not an id we can key on (the payload schema says what is valid)
        }
        InboundEvent event = new InboundEvent(senders.of(exchange).name(), eventId,
                textOr(envelope, "event_type", ""), textOr(envelope, "event_version", ""),
                instant(text(envelope, "timestamp")), orderKey, body, Secrets.sha256Hex(body), envelope);
        exchange.setProperty(InboundEvent.PROPERTY, event);
        exchange.setProperty(InboundEvent.KEY_PROPERTY, event.key());
    }

    private static ObjectNode parseObject(byte[] body) {
        JsonNode tree;
        try {
            tree = Json.readStrictUtf8(body); // overlong forms and encoded surrogates too
        } catch (IOException e) {
            throw new Rejection(new Problem(400, "invalid-json", "Invalid JSON",
                    "The body is not well-formed JSON (UTF-8, one value, no duplicate keys)."));
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new Rejection(new Problem(400, "invalid-json", "Invalid JSON", "The body must be a JSON object."));
        }
        return object;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static String textOr(JsonNode node, String field, String fallback) {
        String value = text(node, field);
        return value == null ? fallback : value;
    }

    /** The instant of an RFC 3339 timestamp ({@code T} separator, an offset or {@code Z}), or null. */
    static Instant instant(String rfc3339) {
        if (rfc3339 == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(rfc3339).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
