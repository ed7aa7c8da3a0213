package io.opsbridge.ops;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A health check of files edited under a running hub ({@code route-files}, {@code templates}): DOWN
 * while a changed file did not load (its last good version keeps running), naming the file, where in
 * it and why; its details also list the files' other problems (a change that waits for a restart).
 * Neither liveness nor readiness: the hub serves on, with the last good versions.
 */
public final class LiveFilesHealth extends AbstractHealthCheck {

    private final LiveFiles files;
    private final String downMessage;

    /** @param downMessage the message while DOWN, before the details ({@code a route file did not load; …}) */
    public LiveFilesHealth(String id, LiveFiles files, String downMessage) {
        super("opsbridge", id);
        this.files = files;
        this.downMessage = downMessage;
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
        Map<String, Object> details = files.details();
        builder.details(details);
        if (files.failed()) {
            builder.message(downMessage + ": " + details).down();
        } else {
            builder.up();
        }
    }
}
