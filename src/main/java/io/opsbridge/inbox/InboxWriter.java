package io.opsbridge.inbox;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.opsbridge.ingest.InboundEvent;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes accepted events to the inbox with group commit: each writer thread takes every event
 * waiting at that moment and inserts them in one transaction, so concurrent requests share one
 * durable commit instead of paying for one each. An insert that meets an existing key is skipped
 * ({@code ON CONFLICT DO NOTHING}) and reported as a duplicate: no query before the insert.
 *
 * <p>Each batch is one transaction of the store's ({@link io.opsbridge.storage.Store}): on the embedded
 * H2 file a unit of the one writer's group commit, which the intake and delivery share; on PostgreSQL,
 * whose commits overlap well, a transaction of its own on each writer thread's connection.
 */
public final class InboxWriter {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);

    static final String INSERT = "INSERT INTO inbox_event (sender, event_id, event_type, event_version, body_sha256, "
            + "raw_body, signed_at, received_at, retain_until, state, order_key) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    /** An event to insert, completed with true when inserted, false when its key was already there. */
    public record Pending(InboundEvent event, String state, Instant retainUntil, CompletableFuture<Boolean> done) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final int maxBatch;
    private final int threads;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean running;
    private volatile Runnable afterCommit = () -> { };

    /** @param threads writer threads (at least one) */
    public InboxWriter(Jdbc jdbc, Clock clock, int threads, int maxBatch) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.threads = Math.max(1, threads);
        this.maxBatch = Math.max(1, maxBatch);
        running = true;
    }

    /** The writer threads, started with the first event (when the database, and so its kind, is known). */
    private void start() {
        synchronized (writers) {
            if (started) {
                return;
            }
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(this::run, "inbox-writer-" + i);
                t.setDaemon(true);
                t.start();
                writers.add(t);
            }
            started = true;
        }
    }

    /** Called after each commit that stored a new event (the dispatcher's wake-up); must not block. */
    public void afterCommit(Runnable listener) {
        this.afterCommit = listener;
    }

    /** Queues the event; the future completes once its transaction has committed. */
    public CompletableFuture<Boolean> insert(InboundEvent event, String state, Instant retainUntil) {
        if (!running) {
            return CompletableFuture.failedFuture(new StorageException(new IllegalStateException("the inbox is shutting down")));
        }
        if (!started) {
            start();
        }
        Pending pending = new Pending(event, state, retainUntil, new CompletableFuture<>());
        queue.add(pending);
        return pending.done();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        // The same key twice in one batch (concurrent duplicates): the first is inserted, the rest
        // are duplicates, answered only after the first is committed.
        Set<String> keys = new HashSet<>();
        List<Pending> firsts = new ArrayList<>(batch.size());
        List<Pending> repeats = new ArrayList<>();
        for (Pending p : batch) {
            (keys.add(p.event().key()) ? firsts : repeats).add(p);
        }
        Timestamp now = Timestamp.from(clock.instant());
        try {
            Jdbc.Work<int[]> insert = c -> {
                try (PreparedStatement statement = c.prepareStatement(INSERT)) {
                    for (Pending p : firsts) {
                        bind(statement, p, now);
                        statement.addBatch();
                    }
                    return statement.executeBatch();
                }
            };
            int[] counts = jdbc.inTransaction(insert);
            boolean stored = false;
            for (int i = 0; i < firsts.size(); i++) {
                stored |= counts[i] == 1;
                if (counts[i] < 0) {
                    // the driver did not say whether the row went in (e.g. PostgreSQL reWriteBatchedInserts)
                    firsts.get(i).done().completeExceptionally(new IllegalStateException("no row count from the JDBC driver"));
                } else {
                    firsts.get(i).done().complete(counts[i] == 1);
                }
            }
            repeats.forEach(p -> p.done().complete(false));
            if (stored) {
                afterCommit.run();
            }
        } catch (RuntimeException e) {
            if (firsts.size() > 1) {
                // one bad row must not fail its neighbours: write each on its own
                LOG.warn("Inbox group write of {} event(s) failed ({}); writing them one by one", batch.size(),
                        StorageException.describe(e));
                firsts.forEach(p -> write(List.of(p)));
                repeats.forEach(p -> write(List.of(p)));
            } else {
                LOG.error("Inbox write failed: {}", StorageException.describe(e));
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    private static void bind(PreparedStatement insert, Pending p, Timestamp now) throws SQLException {
        InboundEvent e = p.event();
        insert.setString(1, e.sender());
        insert.setString(2, e.eventId());
        insert.setString(3, e.eventType());
        insert.setString(4, e.eventVersion());
        insert.setString(5, e.bodySha256());
        insert.setBytes(6, e.rawBody());
        insert.setTimestamp(7, e.signedAt() == null ? null : Timestamp.from(e.signedAt()));
        insert.setTimestamp(8, now);
        insert.setTimestamp(9, Timestamp.from(p.retainUntil()));
        insert.setString(10, p.state());
        insert.setString(11, e.orderKey());
    }

    /** Stops taking events, writes those already queued, then returns; any left unwritten are failed (503). */
    public void close() {
        running = false;
        List<Thread> threads;
        synchronized (writers) {
            threads = List.copyOf(writers);
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Pending p; (p = queue.poll()) != null;) {
            p.done().completeExceptionally(new StorageException(new IllegalStateException("the inbox shut down")));
        }
    }
}
