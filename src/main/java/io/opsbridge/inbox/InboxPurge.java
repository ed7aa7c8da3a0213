package io.opsbridge.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import javax.sql.DataSource;

/**
 * Deletes finished events whose retention (per sender, set when they were received) has passed.
 * With them go their delivery state, their attempts and their resolved dead letters, and their
 * idempotency records: a re-send after that is a new event. Events still to be processed, or dead,
 * are never purged. A thousand events per transaction, so a large purge never holds one long.
 */
public final class InboxPurge {

    private static final int CHUNK = 1000;
    private static final String PURGEABLE = "SELECT e.id FROM inbox_event e JOIN inbox_delivery d ON d.id = e.id "
            + "WHERE e.retain_until < ? AND d.state IN ('" + InboxState.DONE + "', '" + InboxState.UNROUTED + "', '"
            + InboxState.DISCARDED + "') LIMIT " + CHUNK;
    /** What goes with each purged event: the table and the column that holds the event's id. */
    private static final String[][] WITH_EVENT = {
        {"delivery_attempt", "event_pk"}, {"dead_letter", "event_pk"}, {"inbox_delivery", "id"}, {"inbox_event", "id"}};

    private final DataSource dataSource;
    private final Clock clock;

    public InboxPurge(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** @return how many events were purged, with their attempts and resolved dead letters */
    public int purge() throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        int purged = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (List<Long> ids = purgeable(c, now); !ids.isEmpty(); ids = purgeable(c, now)) {
                    // ids read from the database, never from a request: safe to write into the statement
                    String in = ids.stream().map(String::valueOf).collect(Collectors.joining(", ", " IN (", ")"));
                    try (Statement d = c.createStatement()) {
                        for (String[] table : WITH_EVENT) {
                            d.executeUpdate("DELETE FROM " + table[0] + " WHERE " + table[1] + in);
                        }
                    }
                    c.commit();
                    purged += ids.size();
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return purged;
    }

    private static List<Long> purgeable(Connection c, Timestamp now) throws SQLException {
        List<Long> ids = new ArrayList<>(CHUNK);
        try (PreparedStatement q = c.prepareStatement(PURGEABLE)) {
            q.setTimestamp(1, now);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }
}
