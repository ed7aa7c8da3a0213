package io.opsbridge.ops;

import java.time.Duration;
import java.time.Instant;

import io.opsbridge.storage.Jdbc;

/**
 * How full the inbox is, read from the database (so it holds for every node): events in a state, the
 * age of the oldest unfinished one, open dead letters. Each read is an index range, never the whole
 * table. Read by the gauges on their schedule and by {@code GET /admin/overview} on request.
 */
final class InboxCounts {

    /** The unfinished states: the backlog. */
    static final String[] BACKLOG = {"received", "processing", "waiting"};

    private final Jdbc jdbc;

    InboxCounts(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Events in {@code state}: one range of the state index (a GROUP BY would read the whole table). */
    long inState(String state) {
        return jdbc.one("SELECT COUNT(*) FROM inbox_event WHERE state = ?", rs -> rs.getLong(1), state).orElse(0L);
    }

    /**
     * Seconds since the oldest unfinished event was received, 0 with none: the first event of each
     * unfinished state in ix_inbox_event_state's order (ids follow commit order), one index entry each.
     */
    double oldestAgeSeconds(Instant now) {
        Instant oldest = null;
        for (String state : BACKLOG) {
            Instant first = jdbc.one("SELECT received_at FROM inbox_event WHERE state = ? ORDER BY state, id LIMIT 1",
                    rs -> Jdbc.instant(rs, "received_at"), state).orElse(null);
            if (first != null && (oldest == null || first.isBefore(oldest))) {
                oldest = first;
            }
        }
        return oldest == null ? 0.0 : Math.max(0, Duration.between(oldest, now).toMillis()) / 1000.0;
    }

    long openDeadLetters() {
        return jdbc.one("SELECT COUNT(*) FROM dead_letter WHERE state = 'open'", rs -> rs.getLong(1)).orElse(0L);
    }
}
