package io.opsbridge.inbox;

/** States of an inbox event (docs/operators.md draws the transitions). */
public final class InboxState {

    /** Accepted, waiting for its flow. */
    public static final String RECEIVED = "received";
    /** Accepted, but its type has no flow: kept and visible to operators, not processed. */
    public static final String UNROUTED = "unrouted";
    /** Claimed by a node (leased) and running through its flow. */
    public static final String PROCESSING = "processing";
    /** Waiting to be tried again: a retry (keeps its place) or a missing prerequisite (steps aside). */
    public static final String WAITING = "waiting";
    public static final String DONE = "done";
    public static final String DEAD = "dead";
    public static final String DISCARDED = "discarded";

    private InboxState() {
    }
}
