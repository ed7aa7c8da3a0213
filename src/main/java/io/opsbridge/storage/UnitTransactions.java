package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

/**
 * What both ways of committing share ({@link GroupCommit}, {@link ConcurrentCommits}): a unit of work
 * with the future its caller waits on, the connection of the unit running on this thread (nested work
 * joins it), and the refusal once the store is closed.
 */
abstract class UnitTransactions implements Transactions {

    /** A piece of work and what its caller learns of it once its transaction ends. */
    protected record Unit<T>(Jdbc.Work<T> work, CompletableFuture<T> done) {
    }

    /** The connection of the transaction running on this thread, while it runs. */
    protected final ThreadLocal<Connection> current = new ThreadLocal<>();
    protected volatile boolean running = true;

    @Override
    public final Connection joined() {
        return current.get();
    }

    /** Throws once the store is closed: no new transaction starts. */
    protected final void requireRunning() {
        if (!running) {
            throw closed();
        }
    }

    /** A new unit of {@code work}; already failed when the store is closed. */
    protected final <T> Unit<T> unit(Jdbc.Work<T> work) {
        Unit<T> unit = new Unit<>(work, new CompletableFuture<>());
        if (!running) {
            unit.done().completeExceptionally(closed());
        }
        return unit;
    }

    /**
     * Runs {@code body} in one transaction on {@code c}, which is this thread's joined connection
     * meanwhile: committed when it returns, rolled back when it throws. (The pool resets autocommit when
     * the connection goes back.)
     */
    protected final <T> T transaction(Connection c, Jdbc.Work<T> body) throws SQLException {
        c.setAutoCommit(false);
        current.set(c);
        try {
            T result = body.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            current.remove();
        }
    }

    protected static StorageException closed() {
        return new StorageException(new IllegalStateException("the database writer is shut down"));
    }

    protected static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next; the transaction dies with it
        }
    }
}
