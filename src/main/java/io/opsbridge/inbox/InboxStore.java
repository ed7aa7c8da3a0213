package io.opsbridge.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import io.opsbridge.ops.Metrics;
import io.opsbridge.storage.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of an inbox event's state after the intake stored it: claim, renew, recover, release,
 * done, retry at, wait for a prerequisite, unrouted, dead, replay, discard. No other code writes an
 * event's state.
 *
 * <p>A claim gives the event a lease held by one claim of one node ({@link Lease#owner()}, unique per
 * claim). Every outcome of the flow that follows is fenced by that owner and the event's generation:
 * when the lease ran out meanwhile (a long pause, a stalled disk) and another node or another claim
 * took the event over, the late outcome changes nothing; it is logged and counted
 * ({@code opsbridge_inbox_fenced_total}), never written over the new owner's work.
 */
public final class InboxStore {

    private static final Logger LOG = LoggerFactory.getLogger(InboxStore.class);

    /** The event's lease as a claim handed it to a worker: what every outcome of its flow is fenced by. */
    public record Lease(long pk, String owner, int generation) {
    }

    private static final String FENCE = " WHERE id = ? AND lease_owner = ? AND generation = ? AND state = '"
            + InboxState.PROCESSING + "'";
    private static final String FREE = "lease_owner = NULL, lease_until = NULL";
    private static final String OF_DEAD_LETTER = " WHERE id = (SELECT event_pk FROM dead_letter WHERE id = ?)";

    /**
     * Per order only its oldest unfinished event may run: none of its events is processing, and no older
     * one is new or waiting out a retry. One parked for a prerequisite steps aside.
     */
    private static final String ORDER_FREE = "(e.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM inbox_event o "
            + "WHERE o.order_key = e.order_key AND o.id <> e.id AND (o.state = '" + InboxState.PROCESSING + "' OR (o.id < e.id "
            + "AND (o.state = '" + InboxState.RECEIVED + "' OR (o.state = 'waiting' AND o.waiting_reason = 'retry'))))))";
    /** New events, oldest first, read in the order of ix_inbox_event_state: the rest of the backlog is not read. */
    private static final String DUE_RECEIVED = "SELECT e.id, e.order_key, e.state FROM inbox_event e WHERE e.state = '"
            + InboxState.RECEIVED + "' AND " + ORDER_FREE + " ORDER BY e.state, e.id LIMIT ?";
    /** Waiting events whose time has come (retries, prerequisites): few, read whole. */
    private static final String DUE_WAITING = "SELECT e.id, e.order_key, e.state FROM inbox_event e WHERE e.state = 'waiting' "
            + "AND e.next_attempt_at <= ? AND " + ORDER_FREE + " ORDER BY e.state, e.id LIMIT ?";
    /**
     * The event's row when the lease is still the claim's, locked until the caller's transaction ends
     * ({@link io.opsbridge.storage.Store#lockCheckedRow}): a recovery or another claim then waits for the
     * caller's commit, so nothing it writes lands after the lease moved.
     */
    private static final String HOLD = "SELECT 1 FROM inbox_event" + FENCE;
    /** The claim checks again, on what is committed now, that the event is still due and its order free. */
    private static final String CLAIM = "UPDATE inbox_event e SET state = '" + InboxState.PROCESSING
            + "', lease_owner = ?, lease_until = ? WHERE e.id = ? AND e.state = ? AND " + ORDER_FREE;

    private static final String RENEW = "UPDATE inbox_event SET lease_until = ? WHERE state = '" + InboxState.PROCESSING
            + "' AND lease_owner LIKE ?";
    private static final String RECOVER = "UPDATE inbox_event SET state = 'waiting', waiting_reason = 'retry', "
            + "next_attempt_at = ?, " + FREE + " WHERE state = '" + InboxState.PROCESSING + "' AND lease_until < ?";

    private final Jdbc jdbc;
    private final Metrics metrics;

    public InboxStore(Jdbc jdbc, Metrics metrics) {
        this.jdbc = jdbc;
        this.metrics = metrics;
    }

    // ---- the dispatcher: due, lockOrders and claim, in the transaction the store's claim gives them

    /** An event that may run now: the oldest unfinished one of its order, or one without an order. */
    public record Due(long id, String orderKey, String state) {
    }

    /**
     * Due events, oldest first: new ones and, when {@code withWaiting}, waiting ones whose time has come.
     * On a database several nodes share the rows are locked until the caller's transaction ends, and rows
     * another node is claiming are skipped rather than waited for ({@link io.opsbridge.storage.Store#lockDueRows}).
     */
    public List<Due> due(Connection c, Instant now, int limit, boolean withWaiting) throws SQLException {
        String lock = jdbc.store().lockDueRows();
        Jdbc.RowMapper<Due> row = rs -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3));
        List<Due> due = new ArrayList<>(Jdbc.query(c, DUE_RECEIVED + lock, row, limit));
        if (withWaiting) {
            due.addAll(Jdbc.query(c, DUE_WAITING + lock, row, now, limit));
            due.sort(Comparator.comparingLong(Due::id));
        }
        return due;
    }

    /**
     * The orders this transaction may claim an event of: on a database several nodes share, those no
     * other node is claiming for at this moment, so the claim's own check sees what the last one committed.
     */
    public Set<String> lockOrders(Connection c, Collection<String> orderKeys) throws SQLException {
        return jdbc.store().lockOrders(c, orderKeys);
    }

    /**
     * Claims events in the state each was due in, in one batched statement on the caller's transaction;
     * element i of the answer is 1 when the claim of {@code ids[i]} (with {@code owners[i]}) was won. A
     * claim is lost when the event was taken meanwhile, or its order has another event running now.
     */
    public static int[] claim(Connection c, long[] ids, List<String> dueStates, String[] owners, Instant leaseUntil)
            throws SQLException {
        try (PreparedStatement claim = c.prepareStatement(CLAIM)) {
            Timestamp until = Timestamp.from(leaseUntil);
            for (int i = 0; i < ids.length; i++) {
                claim.setString(1, owners[i]);
                claim.setTimestamp(2, until);
                claim.setLong(3, ids[i]);
                claim.setString(4, dueStates.get(i));
                claim.addBatch();
            }
            return claim.executeBatch();
        }
    }

    /** Extends every lease this node's claims hold ({@code <node>/<claim>}), in one statement. */
    public void renew(String node, Instant until) {
        jdbc.update(RENEW, until, node + "/%");
    }

    /** Events whose lease ran out (their node stopped or stalled) become due again now. */
    public int recoverExpired(Instant now) {
        return jdbc.update(RECOVER, now, now);
    }

    /** The claim gives the event back, due at once (stopping, or a failure outside any flow, due {@code at}). */
    public boolean release(Lease lease, Instant at) {
        return fenced(lease, "release", jdbc.update("UPDATE inbox_event SET state = 'waiting', waiting_reason = 'retry', "
                + "next_attempt_at = ?, " + FREE + FENCE, at, lease.pk(), lease.owner(), lease.generation()));
    }

    // ---- a flow's writes and outcome

    /**
     * Whether the claim still holds the event, checked on the caller's transaction, which then holds the
     * event's row until it ends: every write a flow makes for its event (order links, timeline, delivery
     * attempts) goes in only when this is true. When it is false the caller writes nothing; it is logged
     * and counted ({@code opsbridge_inbox_fenced_total{outcome=<what>}}).
     */
    public boolean holds(Connection c, Lease lease, String what) throws SQLException {
        return fenced(lease, what, jdbc.checkOnce(c, lease,
                t -> !Jdbc.query(t, HOLD + jdbc.store().lockCheckedRow(), rs -> 1, lease.pk(), lease.owner(), lease.generation()).isEmpty()) ? 1 : 0);
    }

    /**
     * Done, with its outcome; the events of its order waiting for a prerequisite become due now. On the
     * caller's transaction.
     */
    public boolean done(Connection c, Lease lease, Instant now, String outcomeJson, String orderKey) throws SQLException {
        if (!fenced(lease, "done", Jdbc.update(c, "UPDATE inbox_event SET state = '" + InboxState.DONE + "', finished_at = ?, "
                + "outcome = ?, waiting_reason = NULL, next_attempt_at = NULL, " + FREE + FENCE, now, outcomeJson, lease.pk(),
                lease.owner(), lease.generation()))) {
            return false;
        }
        if (orderKey != null) {
            Jdbc.update(c, "UPDATE inbox_event SET next_attempt_at = ? WHERE order_key = ? AND state = 'waiting' "
                    + "AND waiting_reason = 'prerequisite'", now, orderKey);
        }
        return true;
    }

    /** A retry the policy allowed: waits until {@code at}, keeping its place in its order. */
    public boolean retryAt(Lease lease, Instant at, String outcomeJson) {
        return fenced(lease, "retry", jdbc.update("UPDATE inbox_event SET state = 'waiting', waiting_reason = 'retry', "
                + "next_attempt_at = ?, attempts = attempts + 1, outcome = ?, " + FREE + FENCE, at, outcomeJson, lease.pk(),
                lease.owner(), lease.generation()));
    }

    /** When it first waited for a prerequisite (null if never). */
    public Instant waitingSince(long pk) {
        return jdbc.one("SELECT parked_since FROM inbox_event WHERE id = ?", rs -> Jdbc.instant(rs, "parked_since"), pk)
                .orElse(null);
    }

    /** Needs what an earlier event creates: steps aside for its order's other events until {@code at}. */
    public boolean waitForPrerequisite(Lease lease, Instant at, Instant now, String outcomeJson) {
        return fenced(lease, "parked", jdbc.update("UPDATE inbox_event SET state = 'waiting', waiting_reason = 'prerequisite', "
                + "next_attempt_at = ?, parked_since = COALESCE(parked_since, ?), outcome = ?, " + FREE + FENCE, at, now,
                outcomeJson, lease.pk(), lease.owner(), lease.generation()));
    }

    /** No flow for its type any more (the route files changed since it was received). */
    public boolean unrouted(Lease lease, Instant now) {
        return fenced(lease, "unrouted", jdbc.update("UPDATE inbox_event SET state = '" + InboxState.UNROUTED
                + "', finished_at = ?, " + FREE + FENCE, now, lease.pk(), lease.owner(), lease.generation()));
    }

    /** Dead (its dead letter is written by the caller in the same transaction, only when this is true). */
    public boolean dead(Connection c, Lease lease, Instant now) throws SQLException {
        return fenced(lease, "dead", Jdbc.update(c, "UPDATE inbox_event SET state = '" + InboxState.DEAD + "', finished_at = ?, "
                + FREE + FENCE, now, lease.pk(), lease.owner(), lease.generation()));
    }

    /** The outcome recorded with a state this flow has just set (the dead letter's id, once it has one). */
    public static void describe(Connection c, long pk, String outcomeJson) throws SQLException {
        Jdbc.update(c, "UPDATE inbox_event SET outcome = ? WHERE id = ?", outcomeJson, pk);
    }

    // ---- the operator

    /** The event of an open dead letter back to received, with fresh attempts in a new generation; on the caller's transaction. */
    public static void replay(Connection c, long deadLetterId) throws SQLException {
        Jdbc.update(c, "UPDATE inbox_event SET state = '" + InboxState.RECEIVED + "', generation = generation + 1, "
                + "attempts = 0, next_attempt_at = NULL, waiting_reason = NULL, parked_since = NULL, " + FREE
                + ", finished_at = NULL" + OF_DEAD_LETTER, deadLetterId);
    }

    /** The event of an open dead letter given up; on the caller's transaction. */
    public static void discard(Connection c, long deadLetterId, Instant now) throws SQLException {
        Jdbc.update(c, "UPDATE inbox_event SET state = '" + InboxState.DISCARDED + "', finished_at = ?" + OF_DEAD_LETTER,
                now, deadLetterId);
    }

    /** True when the fenced change was made; a lease lost meanwhile makes it a logged, counted no-op. */
    private boolean fenced(Lease lease, String outcome, int changed) {
        if (changed == 1) {
            return true;
        }
        LOG.warn("Event {}: its lease ({}) was lost before the flow ended; its write '{}' was not made "
                + "(the event is another claim's now)", lease.pk(), lease.owner(), outcome);
        metrics.fenced(outcome);
        return false;
    }
}
