package io.opsbridge.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;

import javax.sql.DataSource;

/**
 * Deletes finished events whose retention (per sender, set when they were received) has passed.
 * With them go their idempotency records: a re-send after that is a new event. Events still to be
 * processed, or dead, are never purged.
 */
public final class InboxPurge {

    private static final String PURGEABLE = "SELECT id FROM inbox_event WHERE retain_until < ? AND state IN ('"
            + InboxState.DONE + "', '" + InboxState.UNROUTED + "', '" + InboxState.DISCARDED + "')";

    private final DataSource dataSource;
    private final Clock clock;

    public InboxPurge(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** @return how many events were purged, with their attempts and resolved dead letters */
    public int purge() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Timestamp now = Timestamp.from(clock.instant());
                for (String table : new String[] {"delivery_attempt", "dead_letter"}) {
                    try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE event_pk IN (" + PURGEABLE + ")")) {
                        d.setTimestamp(1, now);
                        d.executeUpdate();
                    }
                }
                int purged;
                try (PreparedStatement d = c.prepareStatement("DELETE FROM inbox_event WHERE id IN (" + PURGEABLE + ")")) {
                    d.setTimestamp(1, now);
                    purged = d.executeUpdate();
                }
                c.commit();
                return purged;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
