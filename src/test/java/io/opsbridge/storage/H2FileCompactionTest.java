package io.opsbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import com.zaxxer.hikari.HikariDataSource;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.inbox.InboxPurge;
import io.opsbridge.inbox.InboxWriter;
import io.opsbridge.ingest.InboundEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events written through the hub's own path (the inbox writer and its group commit on the H2 file, with
 * the shipped WRITE_DELAY=0) and purged again grow the file to over 30 times H2's own SHUTDOWN COMPACT of
 * a copy; the compaction job's ticks bring it to within 4 times that, and every committed row is still
 * there. (SHUTDOWN COMPACT writes full pages, LZF-compressed: on a file this small, 12 MB, the chunk
 * granularity shows; at the hub's sizes the file was within 3 times it, docs/performance.md.) H2's retention time is 0 here so that the ticks need not wait the 45 s for chunks to age,
 * and the job looks at files from 1 MB on (the hub: 64 MB) so that a few seconds of writes are enough.
 */
class H2FileCompactionTest {

    private static final String SETTINGS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    @TempDir
    Path dir;

    @Test
    void ticksBringTheFileNearItsCompactedSize() throws Exception {
        Path file = dir.resolve("opsbridge.mv.db");
        long grown;
        long kept;
        try (HikariDataSource dataSource = grown()) {
            grown = Files.size(file);
            // the idle budget as the tick's: the loop below commits nothing between ticks
            H2FileCompaction compaction = new H2FileCompaction(dataSource, new H2FileCompaction.Budgets(200, 200, 10_000, 0), 1 << 20);
            long end = System.nanoTime() + 10_000_000_000L;
            while (compaction.run() > 0 && System.nanoTime() < end) {
                // one tick after the other, as the scheduler calls them
            }
            kept = Files.size(file);
            assertThat(count(dataSource.getConnection())).isEqualTo(12_000);
        }
        long compacted = compactedCopy(file);
        // what the job has to undo: the file had grown to many times its data
        assertThat(grown).as("file before compaction (compacted copy %d bytes)", compacted).isGreaterThan(20 * compacted);
        assertThat(kept).as("file after compaction (compacted copy %d bytes, before %d)", compacted, grown)
                .isLessThanOrEqualTo(4 * compacted);
        assertThat(count(open(dir))).isEqualTo(12_000);
    }

    /**
     * With H2's retention time on (here 1 s, shipped 45 s), on a hub that went idle (nothing commits any
     * more) the ticks still bring the file down. (Here the ticks' own rewrites commit, which frees the dead
     * chunks too; the hub's file after saturated intake had no sparse live chunks to rewrite, and only the
     * freeing at the start of each tick brought it down: bench/h2-size.sh, docs/performance.md.)
     */
    @Test
    void ticksOnAnIdleHubFreeTheChunksThatDiedUnderLoad() throws Exception {
        Path file = dir.resolve("opsbridge.mv.db");
        try (HikariDataSource dataSource = grown(";RETENTION_TIME=1000")) {
            long grown = Files.size(file);
            Thread.sleep(1_500); // the dead chunks are older than the retention time now; nothing commits
            H2FileCompaction compaction = new H2FileCompaction(dataSource, new H2FileCompaction.Budgets(200, 200, 10_000, 0), 1 << 20);
            long end = System.nanoTime() + 10_000_000_000L;
            while (compaction.run() > 0 && System.nanoTime() < end) {
                // one tick after the other
            }
            assertThat(Files.size(file)).as("file after the idle ticks (before %d)", grown).isLessThan(grown / 4);
            assertThat(count(dataSource.getConnection())).isEqualTo(12_000);
        }
    }

    /** On stop a file whose live data is small enough is copied by H2's SHUTDOWN COMPACT: as small as a compacted copy. */
    @Test
    void onStopASmallEnoughFileIsCopiedCompact() throws Exception {
        Path file = dir.resolve("opsbridge.mv.db");
        long grown;
        try (HikariDataSource dataSource = grown()) {
            grown = Files.size(file);
            new H2FileCompaction(dataSource, new H2FileCompaction.Budgets(0, 0, 0, 64L << 20), 1 << 20).beforeClose();
        }
        long stopped = Files.size(file);
        long compacted = compactedCopy(file);
        assertThat(grown).isGreaterThan(20 * compacted);
        assertThat(stopped).as("file after the stop (compacted copy %d bytes, before %d)", compacted, grown)
                .isLessThanOrEqualTo(compacted + compacted / 4);
        assertThat(count(open(dir))).isEqualTo(12_000);
    }

    /** On stop a file whose live data is over the copy's bound is left to the steps (none here: a budget of 0). */
    @Test
    void onStopALargerFileIsNotCopied() throws Exception {
        Path file = dir.resolve("opsbridge.mv.db");
        try (HikariDataSource dataSource = grown()) {
            long grown = Files.size(file);
            new H2FileCompaction(dataSource, new H2FileCompaction.Budgets(0, 0, 0, 1024), 1 << 20).beforeClose();
            assertThat(count(dataSource.getConnection())).as("the database is still open").isEqualTo(12_000);
            assertThat(Files.size(file)).isEqualTo(grown);
        }
    }

    /**
     * The hub's file after 12,000 events were kept and 12,000 purged, written through the inbox writer,
     * with WRITE_DELAY=0 and RETENTION_TIME=0.
     */
    private HikariDataSource grown() throws Exception {
        return grown(";RETENTION_TIME=0");
    }

    private HikariDataSource grown(String retention) throws Exception {
        HikariDataSource dataSource = Database.open("jdbc:h2:file:" + dir.resolve("opsbridge") + SETTINGS
                + ";WRITE_DELAY=0" + retention, "sa", null, 10, 5000);
        Jdbc jdbc = new Jdbc(dataSource, 400);
        InboxWriter writer = new InboxWriter(jdbc, Clock.systemUTC(), 1, 200);
        // kept: received events; purged: finished events past their retention
        write(writer, 12_000, "received", Instant.now().plusSeconds(86_400));
        write(writer, 12_000, "done", Instant.now().minusSeconds(1));
        assertThat(new InboxPurge(dataSource, Clock.systemUTC()).purge()).isEqualTo(12_000);
        writer.close();
        jdbc.close();
        return dataSource;
    }

    /** The size of H2's own SHUTDOWN COMPACT of a copy of {@code file}. */
    private long compactedCopy(Path file) throws Exception {
        Path copy = Files.createDirectories(dir.resolve("copy"));
        Files.copy(file, copy.resolve("opsbridge.mv.db"));
        try (Connection c = open(copy)) {
            c.createStatement().execute("SHUTDOWN COMPACT");
        }
        return Files.size(copy.resolve("opsbridge.mv.db"));
    }

    private static Connection open(Path directory) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + directory.resolve("opsbridge") + SETTINGS, "sa", "");
    }

    /** {@code n} ORDER.CREATED events (the shipped example, fresh ids), committed 16 at a time as concurrent requests are. */
    private static void write(InboxWriter writer, int n, String state, Instant retainUntil) throws Exception {
        String template = Files.readString(Path.of("schemas/examples/ORDER.CREATED.json"));
        List<CompletableFuture<Boolean>> pending = new ArrayList<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            String eventId = "evt_" + Long.toHexString(random.nextLong());
            String orderId = "ORD-" + Long.toHexString(random.nextLong() >>> 24);
            byte[] raw = template.replace("evt_ord_1001_created", eventId).replace("ORD-1001", orderId).getBytes(StandardCharsets.UTF_8);
            pending.add(writer.insert(new InboundEvent("crm", eventId, "ORDER.CREATED", "1.0", Instant.now(), orderId, raw,
                    Secrets.sha256Hex(raw), null), state, retainUntil));
            if (pending.size() == 16) {
                pending.forEach(CompletableFuture::join);
                pending.clear();
            }
        }
        pending.forEach(CompletableFuture::join);
    }

    private static long count(Connection c) throws SQLException {
        try (c; ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM inbox_event")) {
            r.next();
            return r.getLong(1);
        }
    }
}
