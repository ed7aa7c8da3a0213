package io.opsbridge.delivery;

import java.sql.SQLException;

import io.opsbridge.inbox.InboxStore;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.StorageException;
import org.apache.camel.Exchange;

/**
 * The writes a flow queues without waiting for their commit (its order links and timeline): exchange
 * property {@value #PROPERTY}. They commit in the order queued, before or with the flow's next write
 * that waits (the attempt row before a call, or the outcome), so nothing is reordered. Once one of
 * them fails, none after it commits, nor the outcome {@code done}: the event runs again from what
 * was committed, with the same idempotency keys.
 *
 * <p>Each is fenced by the event's lease ({@link InboxStore#holds}): made after the claim lost the
 * event (its lease lapsed and another claim took it over), it changes nothing and is counted.
 */
public final class FlowWrites {

    public static final String PROPERTY = "flowWrites";

    /** The first failure; set on the database writer's thread before it runs the flow's next write. */
    private volatile Throwable failed;
    private final InboxStore.Lease lease;

    private FlowWrites(InboxStore.Lease lease) {
        this.lease = lease;
    }

    /** The writes of the flow running the exchange's event, created with its first. */
    public static FlowWrites of(Exchange exchange) {
        FlowWrites writes = exchange.getProperty(PROPERTY, FlowWrites.class);
        if (writes == null) {
            writes = new FlowWrites(exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class).lease());
            exchange.setProperty(PROPERTY, writes);
        }
        return writes;
    }

    /**
     * Queues {@code work} after the flow's earlier writes; it does nothing if one of them failed, nor
     * when the claim no longer holds the event (counted as fenced {@code what}).
     */
    public <T> void queue(Jdbc jdbc, InboxStore store, String what, Jdbc.Work<T> work) {
        jdbc.writeLater(c -> {
            requireNoneFailed();
            try {
                if (!store.holds(c, lease, what)) {
                    return null;
                }
                return work.run(c);
            } catch (SQLException | RuntimeException e) {
                failed = e;
                throw e;
            }
        }).whenComplete((ok, e) -> {
            if (e != null && failed == null) {
                failed = e; // the whole group commit failed
            }
        });
    }

    /** Throws when one of the flow's queued writes failed; called inside the unit that records the outcome. */
    static void requireAllWentIn(Exchange exchange) {
        FlowWrites writes = exchange.getProperty(PROPERTY, FlowWrites.class);
        if (writes != null) {
            writes.requireNoneFailed();
        }
    }

    private void requireNoneFailed() {
        Throwable cause = failed;
        if (cause != null) {
            throw cause instanceof StorageException storage ? storage : new StorageException(cause);
        }
    }
}
