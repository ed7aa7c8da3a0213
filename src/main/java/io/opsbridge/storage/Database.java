package io.opsbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opsbridge.config.Settings;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection pool, with the schema brought up to date by the versioned migrations first. */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    public static HikariDataSource open(Settings settings) {
        String url = settings.get("opsbridge.db.url");
        if (url.toLowerCase(java.util.Locale.ROOT).contains("rewritebatchedinserts=true")) {
            // the driver then reports no per-row counts, and a duplicate could not be told from a new event
            throw new IllegalStateException("opsbridge.db.url must not set reWriteBatchedInserts=true");
        }
        return open(url, settings.get("opsbridge.db.user", null), settings.get("opsbridge.db.password", null),
                settings.getInt("opsbridge.db.pool-size", 10), settings.getLong("opsbridge.db.connection-timeout-ms", 5000));
    }

    /** The pool for this URL, migrated (also what bench/StoreAlone.java measures the inbox on). */
    public static HikariDataSource open(String url, String user, String password, int poolSize, long connectionTimeoutMillis) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("opsbridge-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectionTimeoutMillis);
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            migrate(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return dataSource;
    }

    static void migrate(DataSource dataSource) {
        // db/migration runs on every database; db/h2 holds the few settings only H2 has, db/postgresql
        // the rules only a database that several nodes share needs
        Store store;
        try (Connection c = dataSource.getConnection()) {
            store = Store.of(c);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        var result = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration", store.migrations())
                .load().migrate();
        LOG.info("Database schema at version {} ({} migration(s) applied now)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                result.migrationsExecuted);
    }
}
