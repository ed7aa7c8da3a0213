import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL server for the benchmarks (the same embedded server the tests use), on a fixed port,
 * data under target/bench/postgres, until the process is stopped. Prints its JDBC URL.
 * usage: EmbeddedPostgresServer <port>
 */
public final class EmbeddedPostgresServer {

    public static void main(String[] args) throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(Integer.parseInt(args[0]))
                .setOverrideWorkingDirectory(Path.of("target/bench/epg").toAbsolutePath().toFile())
                .setDataDirectory(Path.of("target/bench/postgres").toAbsolutePath())
                .setCleanDataDirectory(true)
                // durable commits, as in production (the embedded server's defaults turn them off for tests)
                .setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on")
                // statements counted per kind (bench/pg-costs.sh reads them per order)
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track_utility", "off").start();
        try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        System.out.println("READY " + postgres.getJdbcUrl("postgres", "postgres"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (Exception ignored) {
                // the process ends anyway
            }
        }));
        Thread.currentThread().join();
    }
}
