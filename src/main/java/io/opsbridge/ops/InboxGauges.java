package io.opsbridge.ops;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Gauge;
import io.opsbridge.storage.Jdbc;

/**
 * The inbox as gauges, refreshed on a schedule (routes/inbox-gauges.yaml) rather than queried on
 * every scrape: the backlog by state (opsbridge_inbox_events{state}: received, processing, waiting),
 * its oldest age (opsbridge_inbox_oldest_age_seconds) and open dead letters
 * (opsbridge_dead_letters_open).
 *
 * <p>Finished events (done, dead, unrouted, discarded) are not counted: they are the whole history the
 * inbox keeps for its retention, and counting a state reads every index entry of it, on every node,
 * at every refresh (a week at 100 events/s is 60 million entries). What finished is counted as it
 * happens instead: opsbridge_event_processing_seconds, opsbridge_webhooks_total, the dead letters.
 *
 * <p>The backlog itself can grow large (delivery stopped, a system down for hours), and its count
 * with it. The counts get a budget: after a refresh whose counts took T, the next one waits at
 * least {@link #BUDGET} T, so they never take more than a fiftieth of a core (a backlog of 250,000
 * events: about 0.3 s to count, so a refresh every 15 s instead of every 5).
 */
public final class InboxGauges {

    /** A refresh whose counts took T is followed by none before BUDGET T has passed. */
    static final int BUDGET = 50;

    private final InboxCounts counts;
    private final Clock clock;
    private final Metrics metrics;
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private volatile boolean registered;
    /** No refresh counts before this (System.nanoTime's scale); the first may count at once. */
    private volatile long notBefore;

    public InboxGauges(Jdbc jdbc, Clock clock, Metrics metrics) {
        this(jdbc, clock, metrics, System::nanoTime);
    }

    /** {@code nanoTime}: what the counts' duration is read from (System.nanoTime but in tests). */
    InboxGauges(Jdbc jdbc, Clock clock, Metrics metrics, LongSupplier nanoTime) {
        this.counts = new InboxCounts(jdbc);
        this.clock = clock;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.notBefore = nanoTime.getAsLong();
    }

    public void refresh() {
        register();
        long start = nanoTime.getAsLong();
        if (start - notBefore < 0) {
            return; // the last counts were long: the budget is spent until notBefore
        }
        for (String state : InboxCounts.BACKLOG) {
            values.put("state:" + state, (double) counts.inState(state));
        }
        values.put("oldest", counts.oldestAgeSeconds(clock.instant()));
        values.put("dead", (double) counts.openDeadLetters());
        notBefore = start + (nanoTime.getAsLong() - start) * BUDGET;
    }

    private void register() {
        if (registered) {
            return;
        }
        registered = true;
        var registry = metrics.registry();
        for (String state : InboxCounts.BACKLOG) {
            Gauge.builder("opsbridge.inbox.events", values, v -> v.getOrDefault("state:" + state, 0.0))
                    .description("Inbox events by state").tag("state", state).register(registry);
        }
        Gauge.builder("opsbridge.inbox.oldest.age", values, v -> v.getOrDefault("oldest", 0.0)).baseUnit("seconds")
                .description("Age of the oldest event not yet finished (the backlog's age)").register(registry);
        Gauge.builder("opsbridge.dead.letters.open", values, v -> v.getOrDefault("dead", 0.0))
                .description("Dead letters waiting for an operator").register(registry);
    }
}
