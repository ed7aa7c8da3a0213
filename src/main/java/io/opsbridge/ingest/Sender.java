package io.opsbridge.ingest;

import java.time.Duration;
import java.util.Set;

import io.opsbridge.signature.WebhookSignature;

/**
 * A webhook sender (crm, tasks, wms, …) as configured under {@code opsbridge.sender.<name>.*}.
 *
 * @param routedTypes event types with a flow; any other type is stored as unrouted
 * @param retention how long the idempotency record of a finished event is kept
 * @param tolerance how far the signed timestamp may be from the server clock
 */
public record Sender(String name, String scheme, WebhookSignature signature, Set<String> routedTypes,
        Duration retention, Duration tolerance, long maxBodyBytes, RateLimiter rateLimiter) {

    /** Exchange property naming the sender; set by the sender's ingest route. */
    public static final String PROPERTY = "sender";
}
