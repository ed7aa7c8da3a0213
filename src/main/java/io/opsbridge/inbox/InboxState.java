package io.opsbridge.inbox;

/** States of an inbox event (docs/operators.md draws the transitions). */
public final class InboxState {

    /** Accepted, waiting for its flow. */
    public static final String RECEIVED = "received";
    /** Accepted, but its type has no flow: kept and visible to operators, not processed. */
    public static final String UNROUTED = "unrouted";
    public static final String DONE = "done";
    public static final String DEAD = "dead";
    public static final String DISCARDED = "discarded";

    private InboxState() {
    }
}
