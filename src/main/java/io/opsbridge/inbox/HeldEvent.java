package io.opsbridge.inbox;

import java.time.Instant;

/** What the inbox holds of an event already received: enough to answer its duplicate. */
public record HeldEvent(String bodySha256, Instant receivedAt, String state, String outcome) {
}
