package io.opsbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade across migration V8 keeps every order findable by the task and pick ids it led to: the
 * links a hub stored before V8 (task and pick ids as columns of order_link) become rows of order_ref,
 * through which task and pick events find their order from then on.
 */
class OrderRefMigrationTest {

    @TempDir
    Path dir;

    @Test
    void linksStoredBeforeTheUpgradeAreFoundByTaskAndPickOnH2() {
        try (HikariDataSource h2 = pool("jdbc:h2:file:" + dir.resolve("opsbridge")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa")) {
            upgradeWithLinks(h2, "classpath:db/h2");
        }
    }

    @Test
    void linksStoredBeforeTheUpgradeAreFoundByTaskAndPickOnPostgres() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                HikariDataSource pg = pool(postgres.getJdbcUrl("postgres", "postgres"), "postgres")) {
            upgradeWithLinks(pg, "classpath:db/postgresql");
        }
    }

    private static void upgradeWithLinks(DataSource dataSource, String ownLocation) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration", ownLocation).target("7").load().migrate();
        Jdbc jdbc = new Jdbc(dataSource);
        link(jdbc, "ORD-A", "TASK-1", "PICK-1");
        link(jdbc, "ORD-B", "TASK-2", null);
        link(jdbc, "ORD-C", null, null);
        link(jdbc, "ORD-D", "TASK-1", null); // a task id two orders claimed: the first order keeps it

        Database.migrate(dataSource);

        List<String> refs = jdbc.query("SELECT kind, ref_id, order_id FROM order_ref ORDER BY kind, ref_id",
                rs -> rs.getString(1) + " " + rs.getString(2) + " -> " + rs.getString(3));
        assertThat(refs).containsExactly("pick PICK-1 -> ORD-A", "task TASK-1 -> ORD-A", "task TASK-2 -> ORD-B");
        assertThat(jdbc.query("SELECT task_id FROM order_link WHERE order_id = 'ORD-A'", rs -> rs.getString(1)))
                .as("the link keeps its columns").containsExactly("TASK-1");
    }

    private static void link(Jdbc jdbc, String orderId, String taskId, String pickId) {
        jdbc.update("INSERT INTO order_link (order_id, task_id, pick_id, status, updated_at) VALUES (?, ?, ?, 'open', now())",
                orderId, taskId, pickId);
    }

    private static HikariDataSource pool(String url, String user) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setMaximumPoolSize(2);
        return pool;
    }
}
