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

    static final String PURGE = "DELETE FROM inbox_event WHERE retain_until < ? AND state IN ('"
            + InboxState.DONE + "', '" + InboxState.UNROUTED + "', '" + InboxState.DISCARDED + "')";

    private final DataSource dataSource;
    private final Clock clock;

    public InboxPurge(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** @return how many events were purged */
    public int purge() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement d = c.prepareStatement(PURGE)) {
            d.setTimestamp(1, Timestamp.from(clock.instant()));
            return d.executeUpdate();
        }
    }
}
