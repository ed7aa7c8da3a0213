package io.opsbridge.ingest;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A webhook event as parsed once from its raw body. The raw bytes are what is stored and what
 * the signature covered; {@code envelope} is the one parse every later step reads.
 *
 * @param signedAt the envelope {@code timestamp}, or null when it is missing or not RFC 3339
 *        (the schema check reports it)
 * @param orderKey the order the event is about, when its payload names one
 */
public record InboundEvent(String sender, String eventId, String eventType, String eventVersion, Instant signedAt,
        String orderKey, byte[] rawBody, String bodySha256, ObjectNode envelope) {

    /** Exchange property holding the parsed event. */
    public static final String PROPERTY = "inboundEvent";
    /** Exchange property holding the idempotency key {@code <sender>/<event_id>}. */
    public static final String KEY_PROPERTY = "eventKey";

    public String key() {
        return key(sender, eventId);
    }

    public static String key(String sender, String eventId) {
        return sender + "/" + eventId;
    }
}
