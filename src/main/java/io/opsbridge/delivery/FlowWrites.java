package io.opsbridge.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.opsbridge.storage.StorageException;
import org.apache.camel.Exchange;

/**
 * The writes a flow queues without waiting for their commit (its order links and timeline): exchange
 * property {@value #PROPERTY}. They commit in the order queued, before or with the flow's next write
 * that waits (the attempt row before a call, or the outcome), so nothing is reordered; and the outcome
 * {@code done} commits only if every one of them went in, else the event runs again.
 */
public final class FlowWrites {

    public static final String PROPERTY = "flowWrites";

    private final List<CompletableFuture<?>> queued = new ArrayList<>();

    /** The flow's writes, created with its first. */
    public static FlowWrites of(Exchange exchange) {
        FlowWrites writes = exchange.getProperty(PROPERTY, FlowWrites.class);
        if (writes == null) {
            writes = new FlowWrites();
            exchange.setProperty(PROPERTY, writes);
        }
        return writes;
    }

    public void add(CompletableFuture<?> write) {
        queued.add(write);
    }

    /**
     * Throws when one of the flow's queued writes failed. Called inside the unit that records the
     * outcome: the writes queued before it have run by then, and a failed one has already failed its
     * future (the others complete with the commit they share).
     */
    static void requireAllWentIn(Exchange exchange) {
        FlowWrites writes = exchange.getProperty(PROPERTY, FlowWrites.class);
        if (writes == null) {
            return;
        }
        for (CompletableFuture<?> write : writes.queued) {
            if (write.isCompletedExceptionally()) {
                throw new StorageException(write.handle((ok, e) -> e).join());
            }
        }
    }
}
