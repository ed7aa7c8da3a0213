package io.opsbridge.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

import javax.sql.DataSource;

import io.opsbridge.ingest.InboundEvent;
import io.opsbridge.storage.StorageException;
import io.opsbridge.ingest.Sender;
import io.opsbridge.ingest.Senders;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The idempotent repository behind the intake routes' {@code idempotentConsumer}, over the inbox
 * table: adding a key stores the whole event (raw body, sender, type, state) in the same row, in
 * one committed transaction. So the idempotency record and the inbox row exist together or not at
 * all, and concurrent duplicates resolve on the primary key: one insert wins, the rest are
 * duplicates. Keys are {@code <sender>/<event_id>}; the database is shared by every node.
 */
public final class InboxRepository extends ServiceSupport implements IdempotentRepository {

    private static final String FIND = "SELECT body_sha256, received_at, state, outcome FROM inbox_event "
            + "WHERE sender = ? AND event_id = ?";
    private static final String DELETE = "DELETE FROM inbox_event WHERE sender = ? AND event_id = ?";

    /** Longer than any healthy commit; past it the vendor gets a 503 and retries, rather than a stuck worker. */
    private static final long WRITE_TIMEOUT_SECONDS = 20;

    private final DataSource dataSource;
    private final InboxWriter writer;
    private final Senders senders;
    private final Clock clock;

    public InboxRepository(DataSource dataSource, InboxWriter writer, Senders senders, Clock clock) {
        this.dataSource = dataSource;
        this.writer = writer;
        this.senders = senders;
        this.clock = clock;
    }

    /** Stores the exchange's event; false when the inbox already holds its key. Returns after the commit. */
    @Override
    public boolean add(Exchange exchange, String key) {
        InboundEvent event = exchange.getProperty(InboundEvent.PROPERTY, InboundEvent.class);
        if (event == null || !event.key().equals(key)) {
            throw new IllegalStateException("idempotentConsumer key must be ${exchangeProperty." + InboundEvent.KEY_PROPERTY + "}");
        }
        Sender sender = senders.of(exchange);
        boolean inserted = accept(sender, event);
        if (!inserted) {
            sender.rateLimiter().release(); // a duplicate is answered, not admitted: it costs no token
        }
        return inserted;
    }

    /**
     * Stores an event of {@code sender} as a webhook's is stored (routed or unrouted by the sender's
     * event types, kept for its retention); false when the inbox already holds its key. Returns after
     * the commit. Also the way in for events no webhook brought (the reconciler's).
     */
    public boolean accept(Sender sender, InboundEvent event) {
        String state = sender.routedTypes().contains(event.eventType()) ? InboxState.RECEIVED : InboxState.UNROUTED;
        return StorageException.await(writer.insert(event, state, clock.instant().plus(sender.retention())),
                WRITE_TIMEOUT_SECONDS);
    }

    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("the inbox stores events, not bare keys: use add(exchange, key)");
    }

    @Override
    public boolean contains(String key) {
        int slash = key.indexOf('/');
        return find(key.substring(0, slash), key.substring(slash + 1)).isPresent();
    }

    /** The event held under this key, if any. */
    public Optional<HeldEvent> find(String sender, String eventId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(FIND)) {
            q.setString(1, sender);
            q.setString(2, eventId);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new HeldEvent(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4)));
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Removes the event and its record. The intake routes never call it (removeOnFailure is off). */
    @Override
    public boolean remove(String key) {
        int slash = key.indexOf('/');
        try (Connection c = dataSource.getConnection(); PreparedStatement d = c.prepareStatement(DELETE)) {
            d.setString(1, key.substring(0, slash));
            d.setString(2, key.substring(slash + 1));
            return d.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Nothing to confirm: {@link #add(Exchange, String)} has already committed. */
    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("the inbox is never cleared wholesale; events are purged by retention");
    }
}
