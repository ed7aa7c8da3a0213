import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.inbox.InboxWriter;
import io.opsbridge.ingest.InboundEvent;
import io.opsbridge.storage.Database;
import io.opsbridge.storage.Jdbc;

/**
 * The store alone: what the intake's hot path commits, through the hub's own InboxWriter (the same
 * INSERT, batched and committed as it batches them) on the schema the migrations make, with as many
 * waiting callers as the HTTP server has request threads. No HTTP, no parsing, no Camel: the most the
 * intake could store per second on this database. Run by bench/store.sh.
 *
 * <p>What a row costs grows with the store (a random key's index page is less often in H2's cache), so
 * the store is first filled to {@code fill} rows by the same callers, as the hub's store is filled by
 * bench/intake.sh's warm-up before it is measured. Then it is saturated for {@code seconds}; then, for
 * each {@code rate}, rows come at that fixed rate for {@code seconds}, open loop (a row's time counts
 * from when it was due, not from when it was sent), and the latency to each row's commit is printed:
 * the store's own p99 beside the intake's at the same rates.
 * usage: StoreAlone <jdbc-url> <user> <password> <seconds> <callers> [fill rows=0] [rate rows/s]...
 */
public final class StoreAlone {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int seconds = Integer.parseInt(args[3]);
        int callers = Integer.parseInt(args[4]);
        long fill = args.length > 5 ? Long.parseLong(args[5]) : 0;
        byte[] template = Files.readAllBytes(Path.of("schemas/examples/ORDER.CREATED.json"));
        try (HikariDataSource dataSource = Database.open(url, args[1].isEmpty() ? null : args[1],
                args[2].isEmpty() ? null : args[2], 10, 5000)) {
            // as the hub wires it: on H2 the inserts run as units of the group commit
            Jdbc jdbc = new Jdbc(dataSource, 400);
            InboxWriter writer = new InboxWriter(jdbc, Clock.systemUTC(), 0, 200);
            // warm-up: at least 5 s, and until the store holds `fill` rows
            long held = run(writer, template, 5, callers);
            while (held < fill) {
                held += run(writer, template, 1, callers);
            }
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long rows = run(writer, template, seconds, callers);
            long cpu = os.getProcessCpuTime() - cpu0;
            System.out.printf("store alone: %d rows in %d s = %.0f rows/s, %.1f us CPU per row (%d callers, %d rows held before)%n",
                    rows, seconds, rows / (double) seconds, cpu / 1000.0 / rows, callers, held);
            held += rows;
            for (int i = 6; i < args.length; i++) {
                int rate = Integer.parseInt(args[i]);
                fixedRate(writer, template, rate, seconds, held);
                held += (long) rate * seconds;
            }
            writer.close();
            jdbc.close();
        }
    }

    /** Rows due at a fixed rate, each queued when due without waiting for the last: open loop. */
    private static void fixedRate(InboxWriter writer, byte[] template, int rate, int seconds, long held)
            throws InterruptedException {
        String body = new String(template, StandardCharsets.UTF_8);
        int n = rate * seconds;
        long[] latency = new long[n];
        CountDownLatch committed = new CountDownLatch(n);
        AtomicLong failed = new AtomicLong();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * 1_000_000_000L / rate;
            for (long wait; (wait = due - System.nanoTime()) > 0;) {
                LockSupport.parkNanos(wait);
            }
            int row = i;
            writer.insert(event(body, random), "received", Instant.now().plusSeconds(86_400 * 30))
                    .whenComplete((inserted, failure) -> {
                        if (failure != null) {
                            failed.incrementAndGet();
                        }
                        latency[row] = System.nanoTime() - due;
                        committed.countDown();
                    });
        }
        committed.await();
        Arrays.sort(latency);
        System.out.printf("store alone at %d rows/s for %d s (%d rows held before): p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms"
                + "  max %.2f ms%s%n", rate, seconds, held, latency[n / 2] / 1e6, latency[(int) (n * 0.99)] / 1e6,
                latency[(int) (n * 0.999)] / 1e6, latency[n - 1] / 1e6,
                failed.get() == 0 ? "" : "  FAILED " + failed.get() + " of " + n);
    }

    /** An ORDER.CREATED with a random-looking event id and order id, as vendors' are. */
    private static InboundEvent event(String body, ThreadLocalRandom random) {
        String eventId = "evt_" + Long.toHexString(random.nextLong());
        String orderId = "ORD-" + Long.toHexString(random.nextLong() >>> 24);
        byte[] raw = body.replace("evt_ord_1001_created", eventId).replace("ORD-1001", orderId).getBytes(StandardCharsets.UTF_8);
        return new InboundEvent("crm", eventId, "ORDER.CREATED", "1.0", Instant.now(), orderId, raw, Secrets.sha256Hex(raw), null);
    }

    /** Callers that each insert one event and wait for its commit, as request threads do. */
    private static long run(InboxWriter writer, byte[] template, int seconds, int callers) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong stored = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        String body = new String(template, StandardCharsets.UTF_8);
        for (int i = 0; i < callers; i++) {
            Thread t = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    try {
                        if (writer.insert(event(body, random), "received", Instant.now().plusSeconds(86_400 * 30)).get()) {
                            stored.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        return stored.get();
    }
}
