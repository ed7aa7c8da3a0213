package io.opsbridge.ops;

import java.sql.Connection;
import java.util.Map;

import javax.sql.DataSource;

import io.opsbridge.storage.StorageException;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness includes the database: a hub that cannot store a webhook must not be sent any. */
public final class DatabaseHealth extends AbstractHealthCheck {

    private final DataSource dataSource;

    public DatabaseHealth(DataSource dataSource) {
        super("opsbridge", "database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false; // a database outage is not fixed by restarting the hub
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                builder.up();
            } else {
                builder.message("database connection not valid").down();
            }
        } catch (Exception e) {
            builder.message("database unreachable: " + StorageException.describe(e)).down();
        }
    }
}
