package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 file near the size of what it holds. H2 writes every commit as a new chunk
 * of the pages it changed; a chunk stays on disk as long as one of its pages is still live, and with
 * {@code WRITE_DELAY=0} (every commit written before its 202) H2 runs none of its own background
 * compaction. Under load nearly every chunk keeps a few live pages (the appended rows) beside many
 * replaced ones (index pages), and the file grew to 40 times its data.
 *
 * <p>Each tick (routes/h2-file-compaction.yaml) that finds the file more than twice its live data
 * works for at most a short budget, in steps: it rewrites the live pages of sparse chunks into a new
 * commit (the old chunks then hold nothing and are freed once older than H2's {@code RETENTION_TIME}),
 * and moves chunks towards the start of the file so that its free end can be cut off. Each step holds
 * H2's store lock, which commits wait for, so steps are small; every rewrite is an ordinary H2 commit
 * and a move writes the chunk at its new place and syncs before the old space is reused, so no commit
 * is lost. Each tick first frees the chunks that died longer ago than the retention time (H2 frees them
 * only when it commits, so on an idle hub they stayed and the file looked full). A tick that finds
 * at most a few commits since the last one (an idle hub, its own jobs aside: no commit waits for the lock) works for a longer
 * budget.
 *
 * <p>On stop, after the last write and before the pool closes: when the file is large but H2's live data
 * small enough to be copied in a few seconds ({@code stopCopyMaxBytes}), H2's own {@code SHUTDOWN COMPACT} (it closes the file, copies every
 * live page into a new one and puts it in place by an atomic rename; a copy cut short is deleted at
 * the next open, the old file untouched); otherwise steps as above for at most the stop budget.
 *
 * <p>Only on H2 (as {@link Store#of} tells it from the server); on PostgreSQL every call does nothing.
 */
public final class H2FileCompaction {

    private static final Logger LOG = LoggerFactory.getLogger(H2FileCompaction.class);

    /** Chunks whose live share is below this are rewritten; a file whose used share is below it is moved. */
    static final int FILL_TARGET = 80;
    /** A file smaller than this is left alone (a test sets less). */
    static final long MIN_FILE_BYTES = 64L << 20;
    /** Work starts when the file is more than this many times its live data. */
    static final double MAX_RATIO = 2;
    /**
     * Most live data one step rewrites, or chunk data it moves, while the hub runs: a step of 4 MB held
     * the store lock (and so the commits waiting for it) for 30-150 ms on a loaded 2-core machine.
     */
    static final int STEP_BYTES = 4 << 20;
    /** The same on stop, when nothing waits. */
    static final int STOP_STEP_BYTES = 16 << 20;

    /** What the hub's settings give the job (opsbridge.db.h2-compaction.*). */
    public record Budgets(long tickMillis, long idleTickMillis, long stopMillis, long stopCopyMaxBytes) {
    }

    private final DataSource dataSource;
    private final Budgets budgets;
    private final long minFileBytes;
    /** null until the first call; then whether the database is H2. */
    private volatile Boolean h2;
    /**
     * Commits between two ticks that still leave the hub idle: its own scheduled jobs (leases, gauges,
     * escalations) commit a few times a second; a load commits hundreds of times.
     */
    static final int IDLE_COMMITS = 10;
    /** H2's version (one a commit) when the last tick ended; at most IDLE_COMMITS more at the next tick: the hub is idle. */
    private long versionAfterLastTick = -1;

    public H2FileCompaction(DataSource dataSource, Budgets budgets) {
        this(dataSource, budgets, MIN_FILE_BYTES);
    }

    /** @param minFileBytes a smaller file is left alone */
    H2FileCompaction(DataSource dataSource, Budgets budgets, long minFileBytes) {
        this.dataSource = dataSource;
        this.budgets = budgets;
        this.minFileBytes = minFileBytes;
    }

    /**
     * One tick: compacts for at most the budget (the idle budget when at most a few commits since the last
     * tick) if the file has grown past its data. @return steps taken
     */
    public synchronized int run() throws SQLException {
        return compact(false);
    }

    /** On stop, after the last write and before the pool closes (see the class's comment). */
    public synchronized void beforeClose() {
        try {
            int steps = compact(true);
            if (steps > 0) {
                LOG.info("H2 file compacted on stop in {} step(s)", steps);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("H2 file compaction on stop failed; the file is compacted on the next run: {}", e.toString());
        }
    }

    /** @return the steps taken (none when H2 copies the file on stop: it logs that itself) */
    int compact(boolean stopping) throws SQLException {
        if (Boolean.FALSE.equals(h2)) {
            return 0;
        }
        long[] copy = {0};
        int steps = compactOnce(stopping, copy);
        if (copy[0] > 0) {
            shutdownCompact(copy[0]);
        }
        return steps;
    }

    /** Steps, or on stop the size of a file to copy in {@code copy[0]} (copied once the pool's connection is back). */
    private int compactOnce(boolean stopping, long[] copy) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (h2 == null) {
                h2 = Store.of(c) instanceof H2Store; // told by the server, in the one place that tells it
                if (!h2) {
                    return 0;
                }
            }
            MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
            FileStore<?> file = store.getFileStore();
            if (file == null || store.isClosed()) {
                return 0;
            }
            if (stopping && file.size() > minFileBytes && live(file) <= budgets.stopCopyMaxBytes()) {
                // whatever H2 counts as live: the copy writes it compressed, as a copy of the file would be measured
                copy[0] = file.size();
                return 0;
            }
            // before anything of this tick commits (freeing dead chunks below stores H2's layout, a commit)
            boolean idle = versionAfterLastTick >= 0 && store.getCurrentVersion() - versionAfterLastTick <= IDLE_COMMITS;
            if (file instanceof RandomAccessStore moving) {
                // frees the chunks that died long enough ago: H2 does it only when it commits, so on an idle
                // hub they were never freed and the file looked full (a move to a fill rate of 0 moves nothing)
                moving.compactMoveChunks(0, 0, store);
            }
            if (!needed(file)) {
                versionAfterLastTick = -1;
                return 0;
            }
            long budget = budgets.tickMillis();
            if (stopping) {
                // nothing else writes any more; H2 sets the same when it closes the file a moment later
                store.setRetentionTime(0);
                budget = budgets.stopMillis();
            } else if (idle) {
                budget = budgets.idleTickMillis();
            }
            long end = System.nanoTime() + budget * 1_000_000L;
            int step = stopping ? STOP_STEP_BYTES : STEP_BYTES;
            int steps = 0;
            int rewritableFill = stopping ? file.getChunksFillRate() : rewritableChunksFillRate(c);
            while (System.nanoTime() < end && needed(file)) {
                if (rewritableFill < FILL_TARGET) {
                    // rewrites the live pages of the sparsest chunks older than the retention time
                    if (!store.compact(101, step)) {
                        rewritableFill = 100;
                        continue;
                    }
                    store.commit();
                    rewritableFill = stopping ? file.getChunksFillRate() : rewritableChunksFillRate(c);
                } else if (store.getFillRate() < FILL_TARGET && file instanceof RandomAccessStore moving) {
                    // the file is cut once its end is free, which may take several steps
                    moving.compactMoveChunks(101, step, store);
                } else {
                    break;
                }
                steps++;
            }
            versionAfterLastTick = store.getCurrentVersion();
            return steps;
        }
    }

    /**
     * H2's own SHUTDOWN COMPACT, on a connection of its own outside the pool: the database closes (the
     * pool closes next) and its file is rewritten. (A pooled connection would be reset by the pool after
     * the database closed under it, which H2 reports as an error in its trace file.)
     */
    private void shutdownCompact(long size) throws SQLException {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        Properties credentials = new Properties();
        credentials.setProperty("user", pool.getUsername() == null ? "" : pool.getUsername());
        credentials.setProperty("password", pool.getPassword() == null ? "" : pool.getPassword());
        long start = System.nanoTime();
        try (Connection c = new org.h2.Driver().connect(pool.getJdbcUrl(), credentials); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        LOG.info("H2 file compacted on stop by SHUTDOWN COMPACT: {} MB to what it holds, in {} ms", size >> 20,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** True when the file is large and more than maxRatio times its live data (H2's own accounting). */
    private boolean needed(FileStore<?> file) {
        long size = file.size();
        return size > minFileBytes && size > MAX_RATIO * live(file);
    }

    /** The live data in the file, by H2's own accounting: the used share of its chunks' live share. */
    private static long live(FileStore<?> file) {
        return (long) (file.size() * (file.getFillRate() / 100.0) * (file.getChunksFillRate() / 100.0));
    }

    /** The live share of the chunks H2 may rewrite now (older than its retention time), from H2's own figures. */
    private static int rewritableChunksFillRate(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CHUNKS_FILL_RATE_RW'")) {
            return r.next() ? Integer.parseInt(r.getString(1)) : 100;
        }
    }
}
