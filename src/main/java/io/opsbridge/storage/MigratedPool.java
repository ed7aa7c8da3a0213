package io.opsbridge.storage;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.opsbridge.Background;

/**
 * The connection pool, opened and migrated on a thread of its own while the hub builds its routes:
 * on a fresh H2 file the migrations and the file's opening take as long as loading the route files,
 * and they need different cores. A connection asked for before the schema is ready waits for it; a
 * pool that could not be opened or migrated fails every such request, with the reason.
 */
public final class MigratedPool implements DataSource, AutoCloseable {

    private final Background<HikariDataSource> pool;

    /** Starts opening {@code open} (which migrates) at once, in the background. */
    public MigratedPool(java.util.function.Supplier<HikariDataSource> open) {
        this.pool = Background.start("db-open", open);
    }

    /** The pool once the schema is migrated; a failure to open or migrate it is thrown here, as it was. */
    public HikariDataSource pool() {
        return pool.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return pool().getConnection(username, password);
    }

    public void setMetricsTrackerFactory(MetricsTrackerFactory factory) {
        pool().setMetricsTrackerFactory(factory);
    }

    /** Closes the pool once it is open (a start that failed has nothing to close). */
    @Override
    public void close() {
        pool.whenMade(HikariDataSource::close);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool().getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool().setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool().setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool().getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool().isWrapperFor(type);
    }
}
