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

    private static final String[] BACKLOG = {"received", "processing", "waiting"};
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
        // the backlog's oldest: the first event of each unfinished state in ix_inbox_event_state's order (ids
        // follow commit order), one index entry each instead of every row of the backlog
        Instant oldest = null;
        for (String state : BACKLOG) {
            Instant first = jdbc.one("SELECT received_at FROM inbox_event WHERE state = ? ORDER BY state, id LIMIT 1",
                    rs -> Jdbc.instant(rs, "received_at"), state).orElse(null);
            if (first != null && (oldest == null || first.isBefore(oldest))) {
                oldest = first;
            }
        }
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
