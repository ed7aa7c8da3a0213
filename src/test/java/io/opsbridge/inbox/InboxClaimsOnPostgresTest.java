package io.opsbridge.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.opsbridge.ops.Metrics;
import io.opsbridge.storage.Database;
import io.opsbridge.storage.Jdbc;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The claim protocol on PostgreSQL, which several nodes share: each transaction below is what one
 * node's dispatcher runs, on the migrated schema of a real server. Two of them at once never take the
 * same rows, never run two events of one order, and never let a later event of an order overtake an
 * earlier one that is new or waiting out a retry.
 */
class InboxClaimsOnPostgresTest {

    static EmbeddedPostgres postgres;
    static HikariDataSource dataSource;
    static Jdbc jdbc;
    static InboxStore store;
    final Instant now = Instant.parse("2026-11-29T12:00:00Z");

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        dataSource = Database.open(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null, 4, 5000);
        jdbc = new Jdbc(dataSource);
        store = new InboxStore(jdbc, new Metrics(new DefaultCamelContext()));
    }

    @AfterAll
    static void stop() throws Exception {
        dataSource.close();
        postgres.close();
    }

    @BeforeEach
    void empty() {
        jdbc.update("DELETE FROM inbox_event");
    }

    @Test
    void aSecondNodePassesByTheRowsTheFirstIsClaiming() throws SQLException {
        long first = event("evt_1", "ORD-1", "received");
        long second = event("evt_2", "ORD-2", "received");
        try (Connection a = transaction(); Connection b = transaction()) {
            assertThat(ids(store.due(a, now, 10, false))).containsExactly(first, second);
            assertThat(store.due(b, now, 10, false)).as("rows node A holds are skipped, not waited for").isEmpty();
            a.rollback();
            assertThat(ids(store.due(b, now, 10, false))).containsExactly(first, second);
        }
    }

    @Test
    void oneNodeAtATimeClaimsForAnOrder() throws SQLException {
        try (Connection a = transaction(); Connection b = transaction()) {
            assertThat(store.lockOrders(a, List.of("ORD-1", "ORD-2"))).containsExactlyInAnyOrder("ORD-1", "ORD-2");
            assertThat(store.lockOrders(b, List.of("ORD-1", "ORD-3"))).containsExactly("ORD-3");
            a.commit();
            b.commit();
            assertThat(store.lockOrders(b, List.of("ORD-1"))).as("free once A's claim committed").containsExactly("ORD-1");
        }
    }

    /**
     * The race of two nodes: two events of one order both looked due (the first was parked for a
     * prerequisite when they were read); node A claims the first and commits; node B's claim of the
     * second, checked again on what is committed, is lost.
     */
    @Test
    void aClaimIsCheckedAgainOnWhatOtherNodesCommitted() throws SQLException {
        long parked = event("evt_1", "ORD-1", "waiting");
        jdbc.update("UPDATE inbox_event SET waiting_reason = 'prerequisite', next_attempt_at = ? WHERE id = ?", now.minusSeconds(1), parked);
        long later = event("evt_2", "ORD-1", "received");
        try (Connection a = transaction()) {
            assertThat(InboxStore.claim(a, new long[] {parked}, List.of("waiting"), new String[] {"A/1"},
                    now.plusSeconds(60))).containsExactly(1);
            a.commit();
        }
        try (Connection b = transaction()) {
            assertThat(InboxStore.claim(b, new long[] {later}, List.of("received"), new String[] {"B/1"},
                    now.plusSeconds(60))).as("the order has an event running").containsExactly(0);
            b.commit();
        }
        assertThat(state(later)).isEqualTo("received");
    }

    /** A later event may run while an earlier one waits for a prerequisite; one waiting out a retry keeps its place. */
    @Test
    void anEventParkedForAPrerequisiteStepsAsideAndOneInRetryDoesNot() throws SQLException {
        long parked = event("evt_1", "ORD-1", "waiting");
        long later = event("evt_2", "ORD-1", "received");
        jdbc.update("UPDATE inbox_event SET waiting_reason = 'prerequisite', next_attempt_at = ? WHERE id = ?", now.plusSeconds(30), parked);
        try (Connection c = transaction()) {
            assertThat(ids(store.due(c, now, 10, true))).containsExactly(later);
            c.rollback();
        }
        jdbc.update("UPDATE inbox_event SET waiting_reason = 'retry' WHERE id = ?", parked);
        try (Connection c = transaction()) {
            assertThat(store.due(c, now, 10, true)).isEmpty();
            c.rollback();
        }
    }

    @Test
    void theDatabaseRefusesASecondRunningEventOfAnOrder() {
        event("evt_1", "ORD-1", "processing");
        long second = event("evt_2", "ORD-1", "received");
        assertThatThrownBy(() -> jdbc.update("UPDATE inbox_event SET state = 'processing' WHERE id = ?", second))
                .rootCause().hasMessageContaining("ux_inbox_event_order_running");
    }

    static long event(String eventId, String orderKey, String state) {
        jdbc.update("INSERT INTO inbox_event (sender, event_id, event_type, event_version, body_sha256, raw_body, "
                + "received_at, retain_until, state, order_key) VALUES ('crm', ?, 'ORDER.CREATED', '1', ?, ?, now(), "
                + "now() + interval '1 day', ?, ?)", eventId, "0".repeat(64), "{}".getBytes(), state, orderKey);
        return jdbc.one("SELECT id FROM inbox_event WHERE event_id = ?", rs -> rs.getLong(1), eventId).orElseThrow();
    }

    static String state(long id) {
        return jdbc.one("SELECT state FROM inbox_event WHERE id = ?", rs -> rs.getString(1), id).orElseThrow();
    }

    static Connection transaction() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    static List<Long> ids(List<InboxStore.Due> due) {
        return due.stream().map(InboxStore.Due::id).toList();
    }

}
