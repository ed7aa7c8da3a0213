package io.opsbridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.opsbridge.storage.Database;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.MigratedPool;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbox gauges on a real H2 file migrated as the hub migrates it: they show the backlog by state,
 * not the finished history, and a refresh after counts that took long waits out its budget.
 */
class InboxGaugesTest {

    @TempDir
    Path dir;
    MigratedPool pool;
    Jdbc jdbc;
    Metrics metrics;
    /** The gauges' timer: every reading is 10 ms after the one before, so each refresh's counts take 10 ms. */
    final AtomicLong now = new AtomicLong();
    InboxGauges gauges;
    int events;

    @BeforeEach
    void start() {
        String url = "jdbc:h2:file:" + dir.resolve("opsbridge") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        pool = new MigratedPool(() -> Database.open(url, "sa", "", 2, 5000)); // opened and migrated as the hub does
        jdbc = new Jdbc(pool);
        metrics = new Metrics(new DefaultCamelContext());
        gauges = new InboxGauges(jdbc, Clock.systemUTC(), metrics, () -> now.getAndAdd(TimeUnit.MILLISECONDS.toNanos(10)));
    }

    @AfterEach
    void stop() {
        pool.close();
    }

    void event(String state) {
        events++;
        jdbc.update("INSERT INTO inbox_event (sender, event_id, event_type, event_version, body_sha256, raw_body, received_at, "
                + "retain_until, state) VALUES ('crm', ?, 'ORDER.CREATED', '1.0', ?, ?, now(), now(), ?)",
                "evt_" + events, "0".repeat(64), "{}".getBytes(), state);
    }

    double gauge(String state) {
        return metrics.registry().get("opsbridge.inbox.events").tag("state", state).gauge().value();
    }

    @Test
    void theBacklogIsCountedByStateAndFinishedEventsAreNot() {
        event("received");
        event("received");
        event("waiting");
        event("done");
        event("dead");

        gauges.refresh();

        assertThat(gauge("received")).isEqualTo(2.0);
        assertThat(gauge("waiting")).isEqualTo(1.0);
        assertThat(gauge("processing")).isZero();
        for (String finished : new String[] {"done", "dead", "unrouted", "discarded"}) {
            Gauge none = metrics.registry().find("opsbridge.inbox.events").tag("state", finished).gauge();
            assertThat(none).as(finished).isNull();
        }
    }

    @Test
    void afterLongCountsTheNextRefreshWaitsOutItsBudget() {
        event("received");
        gauges.refresh(); // its counts took 10 ms: nothing is counted again for 50 × 10 ms
        assertThat(gauge("received")).isEqualTo(1.0);

        event("received");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        gauges.refresh();
        assertThat(gauge("received")).as("within the budget: the last counts stand").isEqualTo(1.0);

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        gauges.refresh();
        assertThat(gauge("received")).as("past it: counted again").isEqualTo(2.0);
    }
}
