package io.opsbridge.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.opsbridge.storage.Jdbc;

/**
 * The inbox as gauges, refreshed on a schedule (routes/inbox-gauges.yaml) rather than queried on
 * every scrape: events by state (opsbridge_inbox_events{state}), the backlog's oldest age
 * (opsbridge_inbox_oldest_age_seconds) and open dead letters (opsbridge_dead_letters_open).
 */
public final class InboxGauges {

    private static final String[] STATES = {"received", "processing", "waiting", "done", "dead", "unrouted", "discarded"};

    private final Jdbc jdbc;
    private final Clock clock;
    private final Metrics metrics;
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private volatile boolean registered;

    public InboxGauges(Jdbc jdbc, Clock clock, Metrics metrics) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.metrics = metrics;
    }

    public void refresh() {
        register();
        // one count per state, each a range of the state index (a GROUP BY would read the whole table)
        for (String state : STATES) {
            values.put("state:" + state, jdbc.one("SELECT COUNT(*) FROM inbox_event WHERE state = ?", rs -> rs.getDouble(1),
                    state).orElse(0.0));
        }
        Instant oldest = jdbc.one("SELECT MIN(received_at) AS oldest FROM inbox_event WHERE state IN ('received', 'processing', 'waiting')",
                rs -> Jdbc.instant(rs, "oldest")).orElse(null);
        values.put("oldest", oldest == null ? 0.0 : Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
        values.put("dead", jdbc.one("SELECT COUNT(*) FROM dead_letter WHERE state = 'open'", rs -> rs.getDouble(1)).orElse(0.0));
    }

    private void register() {
        if (registered) {
            return;
        }
        registered = true;
        var registry = metrics.registry();
        for (String state : STATES) {
            Gauge.builder("opsbridge.inbox.events", values, v -> v.getOrDefault("state:" + state, 0.0))
                    .description("Inbox events by state").tag("state", state).register(registry);
        }
        Gauge.builder("opsbridge.inbox.oldest.age", values, v -> v.getOrDefault("oldest", 0.0)).baseUnit("seconds")
                .description("Age of the oldest event not yet finished (the backlog's age)").register(registry);
        Gauge.builder("opsbridge.dead.letters.open", values, v -> v.getOrDefault("dead", 0.0))
                .description("Dead letters waiting for an operator").register(registry);
    }
}
