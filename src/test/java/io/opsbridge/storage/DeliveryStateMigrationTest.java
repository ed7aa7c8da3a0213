package io.opsbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade across migration V9 keeps every event's delivery state: what a hub stored before V9 in
 * inbox_event's own columns (state, attempts, replays, lease, wait, outcome) is found in inbox_delivery
 * afterwards, event by event, and the events themselves keep their bodies and keys.
 */
class DeliveryStateMigrationTest {

    @TempDir
    Path dir;

    @Test
    void statesStoredBeforeTheUpgradeAreKeptOnH2() {
        try (HikariDataSource h2 = pool("jdbc:h2:file:" + dir.resolve("opsbridge")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa")) {
            upgradeWithEvents(h2, "classpath:db/h2");
        }
    }

    @Test
    void statesStoredBeforeTheUpgradeAreKeptOnPostgresAndItsOneRunningPerOrderRuleMovesWithThem() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                HikariDataSource pg = pool(postgres.getJdbcUrl("postgres", "postgres"), "postgres")) {
            Jdbc jdbc = upgradeWithEvents(pg, "classpath:db/postgresql");
            jdbc.update("UPDATE inbox_delivery SET state = 'processing' WHERE id = (SELECT id FROM inbox_event WHERE event_id = 'evt_2')");
            assertThatThrownBy(() -> jdbc.update("UPDATE inbox_delivery SET state = 'processing' "
                    + "WHERE id = (SELECT id FROM inbox_event WHERE event_id = 'evt_1')"))
                    .rootCause().hasMessageContaining("ux_inbox_delivery_order_running");
        }
    }

    private static Jdbc upgradeWithEvents(DataSource dataSource, String ownLocation) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration", ownLocation).target("8").load().migrate();
        Jdbc jdbc = new Jdbc(dataSource);
        jdbc.update(insert("evt_1", "ORD-1") + "'done', 2, 1, NULL, NULL, NULL, NULL, 3, '{\"status\":\"done\"}')");
        jdbc.update(insert("evt_2", "ORD-1") + "'waiting', 1, 0, now() + interval '1' minute, NULL, NULL, 'retry', NULL, "
                + "'{\"status\":\"retrying\"}')");
        jdbc.update(insert("evt_3", null) + "'processing', 0, 0, NULL, 'node-a/7', now() + interval '1' minute, NULL, NULL, NULL)");

        Database.migrate(dataSource);

        List<String> states = jdbc.query("SELECT e.event_id, d.state, d.order_key, d.attempts, d.generation, d.lease_owner, "
                + "d.waiting_reason, d.order_sequence, d.outcome, d.next_attempt_at IS NOT NULL, e.raw_body "
                + "FROM inbox_event e JOIN inbox_delivery d ON d.id = e.id ORDER BY e.id", rs -> rs.getString(1) + " "
                + rs.getString(2) + " " + rs.getString(3) + " " + rs.getInt(4) + " " + rs.getInt(5) + " " + rs.getString(6)
                + " " + rs.getString(7) + " " + rs.getObject(8) + " " + rs.getString(9) + " " + rs.getBoolean(10) + " "
                + new String(rs.getBytes(11)));
        assertThat(states).containsExactly(
                "evt_1 done ORD-1 2 1 null null 3 {\"status\":\"done\"} false {\"n\":\"evt_1\"}",
                "evt_2 waiting ORD-1 1 0 null retry null {\"status\":\"retrying\"} true {\"n\":\"evt_2\"}",
                "evt_3 processing null 0 0 node-a/7 null null null false {\"n\":\"evt_3\"}");
        assertThat(jdbc.query("SELECT COUNT(*) FROM inbox_delivery", rs -> rs.getLong(1))).containsExactly(3L);
        return jdbc;
    }

    /** An inbox row as a hub before V9 stored it, with its state columns (the rest of the values to follow). */
    private static String insert(String eventId, String orderKey) {
        return "INSERT INTO inbox_event (sender, event_id, event_type, event_version, body_sha256, raw_body, received_at, "
                + "retain_until, order_key, state, attempts, generation, next_attempt_at, lease_owner, lease_until, "
                + "waiting_reason, order_sequence, outcome) VALUES ('crm', '" + eventId + "', 'ORDER.CREATED', '1.0', '"
                + "0".repeat(64) + "', CAST('{\"n\":\"" + eventId + "\"}' AS BYTEA), now(), now() + interval '1' day, "
                + (orderKey == null ? "NULL" : "'" + orderKey + "'") + ", ";
    }

    private static HikariDataSource pool(String url, String user) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setMaximumPoolSize(2);
        return pool;
    }
}
