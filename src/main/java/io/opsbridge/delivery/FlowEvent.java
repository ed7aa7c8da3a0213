package io.opsbridge.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.inbox.InboxStore;

/**
 * An inbox event being processed by its flow: exchange property {@value #PROPERTY}. Flows read the
 * payload from here; {@code pk} keys its attempts, dead letter and trace; {@code leaseOwner} is the
 * claim that handed it out, which fences every outcome of the flow ({@link InboxStore}).
 */
public record FlowEvent(long pk, String sender, String eventId, String eventType, String orderKey, int generation,
        java.time.Instant receivedAt, byte[] rawBody, JsonNode envelope, String leaseOwner) {

    public static final String PROPERTY = "flowEvent";
    /** Exchange property: the flow step making the current downstream call (names attempts and dead letters). */
    public static final String STEP = "step";
    /** Exchange property: the event type as a plain string, for the router's choice (no OGNL on the record). */
    public static final String TYPE = "eventType";
    /** Exchange property set when the flow's outcome is already stored: retry, parked, dead. */
    public static final String OUTCOME = "deliveryOutcome";

    public JsonNode payload() {
        return envelope.path("payload");
    }

    /** The lease its outcome is written under. */
    public InboxStore.Lease lease() {
        return new InboxStore.Lease(pk, leaseOwner, generation);
    }
}
