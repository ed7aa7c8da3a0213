package io.opsbridge.storage;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;

/**
 * How the hub's write transactions reach the database; each kind of server has its own ({@link Store}):
 * one writer that groups every thread's commits on the embedded H2 file ({@link GroupCommit}), many
 * connections committing side by side on PostgreSQL ({@link ConcurrentCommits}). Both keep one
 * contract: a write returns once it is durable, a write queued for later commits before or with the
 * same thread's next write, in the order queued, and work started inside a running unit joins it.
 */
interface Transactions {

    /** The connection of the unit running on this thread, if any (work nested in a unit joins it). */
    Connection joined();

    /**
     * Runs {@code work} in a transaction and returns its result once that has committed. Called only
     * outside a running unit ({@link Jdbc} runs nested work on the unit's connection).
     */
    <T> T run(Jdbc.Work<T> work);

    /**
     * Queues {@code work} and returns at once; it commits before or with this thread's next write. The
     * future fails (before any commit) when the work failed. Called only outside a running unit.
     */
    <T> CompletableFuture<T> later(Jdbc.Work<T> work);

    /**
     * Whether this thread's running transaction checked {@code key} already, and with what answer: a
     * check whose answer holds until the transaction ends (a row it locked) is then made once per
     * transaction. Null where a transaction is not one thread's alone (a group of many threads' units).
     */
    java.util.Map<Object, Boolean> checked();

    /** Commits what this thread queued and has not committed yet. */
    void flush();

    /** Commits what is queued, then stops; later callers get a StorageException. */
    void close();
}
