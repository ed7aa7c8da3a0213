import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.inbox.InboxWriter;
import io.opsbridge.ingest.InboundEvent;
import io.opsbridge.storage.Database;
import io.opsbridge.storage.GroupCommit;
import io.opsbridge.storage.Jdbc;

/**
 * The store alone: what the intake's hot path commits, through the hub's own InboxWriter (the same
 * INSERT, batched and committed as it batches them) on the schema the migrations make, with as many
 * waiting callers as the HTTP server has request threads. No HTTP, no parsing, no Camel: the most the
 * intake could store per second on this database. Run by bench/store.sh.
 * usage: StoreAlone <jdbc-url> <user> <password> <seconds> <callers>
 */
public final class StoreAlone {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int seconds = Integer.parseInt(args[3]);
        int callers = Integer.parseInt(args[4]);
        byte[] template = Files.readAllBytes(Path.of("schemas/examples/ORDER.CREATED.json"));
        try (HikariDataSource dataSource = Database.open(url, args[1].isEmpty() ? null : args[1],
                args[2].isEmpty() ? null : args[2], 10, 5000)) {
            // as the hub wires it: on H2 the inserts run as units of the group commit
            GroupCommit groupCommit = new GroupCommit(dataSource, 400);
            InboxWriter writer = new InboxWriter(new Jdbc(dataSource, groupCommit), Clock.systemUTC(), 1, 200);
            run(writer, template, 5, callers); // warm-up
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long rows = run(writer, template, seconds, callers);
            long cpu = os.getProcessCpuTime() - cpu0;
            System.out.printf("store alone: %d rows in %d s = %.0f rows/s, %.1f us CPU per row (%d callers)%n",
                    rows, seconds, rows / (double) seconds, cpu / 1000.0 / rows, callers);
            writer.close();
            groupCommit.close();
        }
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
                    // random-looking ids, as vendors' are
                    String eventId = "evt_" + Long.toHexString(random.nextLong());
                    String orderId = "ORD-" + Long.toHexString(random.nextLong() >>> 24);
                    byte[] raw = body.replace("evt_ord_1001_created", eventId).replace("ORD-1001", orderId)
                            .getBytes(StandardCharsets.UTF_8);
                    InboundEvent event = new InboundEvent("crm", eventId, "ORDER.CREATED", "1.0", Instant.now(), orderId, raw,
                            Secrets.sha256Hex(raw), null);
                    try {
                        if (writer.insert(event, "received", Instant.now().plusSeconds(86_400 * 30)).get()) {
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
