package io.opsbridge.ops;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * {@code route-files}: DOWN while a changed route file did not load (the last good version of its
 * routes keeps running), naming the file, the line and why; its details also list files whose change
 * waits for a restart. Neither liveness nor readiness: the hub serves on, with the last good routes.
 */
public final class RouteFilesHealth extends AbstractHealthCheck {

    private final RouteFilesReloader reloader;

    public RouteFilesHealth(RouteFilesReloader reloader) {
        super("opsbridge", "route-files");
        this.reloader = reloader;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> details = reloader.details();
        builder.details(details);
        boolean failed = reloader.problems().stream().anyMatch(p -> "failed".equals(p.outcome()));
        if (failed) {
            builder.message("a route file did not load; its last good version runs: " + details).down();
        } else {
            builder.up();
        }
    }
}
