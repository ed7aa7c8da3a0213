package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write transactions on PostgreSQL: each thread commits on a connection of the pool, side by side with
 * the others; the server makes concurrent commits share WAL flushes, so no thread of ours waits for
 * another's. A write queued for later ({@link #later}) is not committed alone: it runs at the start of
 * the same thread's next transaction, so a flow's writes and the step or state change that follows them
 * commit together, in one transaction and one WAL flush.
 *
 * <p>As in {@link GroupCommit}, a queued unit that fails fails alone: the transaction is rolled back and
 * run again without it, and its caller learns of it from its future.
 */
final class ConcurrentCommits extends UnitTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(ConcurrentCommits.class);

    /** A queued unit failed: the transaction is rolled back and run again without it. */
    private static final class UnitFailed extends RuntimeException {
        final transient Unit<?> unit;
        final Exception failure;

        UnitFailed(Unit<?> unit, Exception failure) {
            super(null, null, false, false);
            this.unit = unit;
            this.failure = failure;
        }

        void fail() {
            unit.done().completeExceptionally(failure instanceof SQLException s ? new StorageException(s) : failure);
        }
    }

    /** The caller's own work failed: its transaction is rolled back. */
    private static final class WorkFailed extends RuntimeException {
        final Exception failure;

        WorkFailed(Exception failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private final DataSource dataSource;
    /** What the running transaction of this thread has checked already (one thread's transaction is its own). */
    private final ThreadLocal<Map<Object, Boolean>> checked = ThreadLocal.withInitial(HashMap::new);
    private final ThreadLocal<List<Unit<?>>> queued = ThreadLocal.withInitial(ArrayList::new);

    ConcurrentCommits(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> T run(Jdbc.Work<T> work) {
        requireRunning();
        List<Unit<?>> units = takeQueued();
        while (true) {
            try {
                return commit(units, work);
            } catch (UnitFailed failed) {
                units.remove(failed.unit);
                failed.fail();
            } catch (WorkFailed failed) {
                if (!units.isEmpty()) {
                    flushUnits(units); // what was queued before the caller's work commits without it
                }
                throw failed.failure instanceof SQLException s ? new StorageException(s) : (RuntimeException) failed.failure;
            }
        }
    }

    @Override
    public <T> CompletableFuture<T> later(Jdbc.Work<T> work) {
        Unit<T> unit = unit(work);
        if (!unit.done().isDone()) {
            queued.get().add(unit);
        }
        return unit.done();
    }

    @Override
    public Map<Object, Boolean> checked() {
        return current.get() == null ? null : checked.get();
    }

    @Override
    public void flush() {
        if (current.get() == null && !queued.get().isEmpty()) {
            flushUnits(takeQueued());
        }
    }

    private void flushUnits(List<Unit<?>> units) {
        try {
            while (true) {
                try {
                    commit(units, c -> null);
                    return;
                } catch (UnitFailed failed) {
                    units.remove(failed.unit);
                    failed.fail();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Queued write(s) failed: {}", StorageException.describe(e));
        }
    }

    private List<Unit<?>> takeQueued() {
        List<Unit<?>> units = queued.get();
        if (units.isEmpty()) {
            return units;
        }
        queued.set(new ArrayList<>());
        return units;
    }

    /**
     * The queued units, then {@code work}, in one transaction; the units' futures complete after the
     * commit. A unit that fails throws {@link UnitFailed}, the work {@link WorkFailed} (both rolled
     * back, nothing failed yet); a failure of the connection or the commit fails every unit.
     */
    private <T> T commit(List<Unit<?>> units, Jdbc.Work<T> work) {
        List<Runnable> completions = new ArrayList<>(units.size());
        T result;
        try (Connection c = dataSource.getConnection()) {
            checked.get().clear();
            try {
                result = transaction(c, t -> {
                    for (Unit<?> unit : units) {
                        completions.add(runUnit(t, unit));
                    }
                    try {
                        return work.run(t);
                    } catch (SQLException | RuntimeException e) {
                        throw new WorkFailed(e);
                    }
                });
            } finally {
                checked.get().clear();
            }
        } catch (SQLException e) {
            StorageException failure = new StorageException(e);
            units.forEach(u -> u.done().completeExceptionally(failure));
            throw failure;
        }
        completions.forEach(Runnable::run);
        return result;
    }

    private static <T> Runnable runUnit(Connection c, Unit<T> unit) {
        try {
            T result = unit.work().run(c);
            return () -> unit.done().complete(result);
        } catch (SQLException | RuntimeException e) {
            throw new UnitFailed(unit, e);
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
