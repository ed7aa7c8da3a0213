package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the small write transactions of many threads in one database transaction each time, so
 * they share one durable commit (on the embedded H2 file with {@code WRITE_DELAY=0} a commit is the
 * dearest thing a delivery does; a worker used to pay one for each attempt, outcome and link).
 *
 * <p>Each unit runs inside a savepoint: one that fails is rolled back alone and its caller gets the
 * error, the others commit. A caller returns only after the commit that holds its unit, so it sees
 * exactly what it saw before: its writes are durable when it goes on. Work started from inside a
 * unit (a bean that writes and calls another that writes) joins the running unit.
 *
 * <p>It is how the embedded H2 file commits ({@link H2Store}): the one writer of the hub's hot paths;
 * the intake's inserts are units too ({@code inbox/InboxWriter}). An H2 commit stores every page changed since the last one,
 * the undo log of any other open transaction included, so two writers committing apart wrote each
 * other's undo log (docs/performance.md, flows).
 */
final class GroupCommit extends UnitTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** Longer than any healthy commit; past it the caller fails rather than hangs. */
    private static final long WAIT_SECONDS = 60;

    private final DataSource dataSource;
    private final int maxUnits;
    private final BlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;

    GroupCommit(DataSource dataSource, int maxUnits) {
        this.dataSource = dataSource;
        this.maxUnits = Math.max(1, maxUnits);
        this.writer = new Thread(this::run, "db-group-commit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Runs {@code work} in the next group transaction and returns its result once that has committed. */
    @Override
    public <T> T run(Jdbc.Work<T> work) {
        requireRunning();
        Unit<T> unit = unit(work);
        queue.add(unit);
        return StorageException.await(unit.done(), WAIT_SECONDS);
    }

    /**
     * Queues {@code work} for the next group transaction and returns at once: for a write nobody reads
     * before the caller's next write (units commit in the order they are queued). Inside a running unit
     * it runs now.
     */
    @Override
    public <T> CompletableFuture<T> later(Jdbc.Work<T> work) {
        Unit<T> unit = unit(work);
        if (!unit.done().isDone()) {
            queue.add(unit);
        }
        return unit.done();
    }

    private void run() {
        List<Unit<?>> batch = new ArrayList<>(maxUnits);
        while (running || !queue.isEmpty()) {
            try {
                Unit<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxUnits - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Unit<?>> batch) {
        List<Runnable> completions = new ArrayList<>(batch.size());
        try (Connection c = dataSource.getConnection()) {
            transaction(c, t -> {
                for (Unit<?> unit : batch) {
                    runUnit(t, unit, completions);
                }
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            LOG.error("Group commit of {} unit(s) failed: {}", batch.size(), StorageException.describe(e));
            StorageException failure = new StorageException(e instanceof SQLException s ? s : new SQLException(e));
            batch.forEach(u -> u.done().completeExceptionally(failure));
            return;
        }
        completions.forEach(Runnable::run);
    }

    private static <T> void runUnit(Connection c, Unit<T> unit, List<Runnable> completions) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            T result = unit.work().run(c);
            c.releaseSavepoint(savepoint);
            completions.add(() -> unit.done().complete(result));
        } catch (SQLException | RuntimeException e) {
            c.rollback(savepoint);
            // answered at once: nothing of this unit is in the commit
            unit.done().completeExceptionally(e instanceof SQLException s ? new StorageException(s) : e);
        }
    }

    /** None: a group carries many threads' units, and one may change what another checked. */
    @Override
    public java.util.Map<Object, Boolean> checked() {
        return null;
    }

    /** Nothing to do: what a thread queued is in the writer's queue already, ahead of its next write. */
    @Override
    public void flush() {
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Unit<?> u; (u = queue.poll()) != null;) {
            u.done().completeExceptionally(closed());
        }
    }
}
