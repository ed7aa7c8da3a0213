package io.opsbridge.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.opsbridge.http.RouterHandlers;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Every HTTP request the server answers, timed in Micrometer's own series {@code http.server.requests}
 * (Prometheus {@code http_server_requests_seconds}) with the tags Micrometer's web binders use:
 * {@code method}, {@code uri} (the route's path template, {@code /admin/tenants/:tenantId}, never the
 * path itself: ids stay out of the series), {@code status} and {@code outcome}. Taken by the HTTP
 * server before any route runs, so a 401, 404 or 413 answered there is counted too.
 */
public final class HttpServerMetrics implements RouterHandlers {

    private final Metrics metrics;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public HttpServerMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void addTo(VertxPlatformHttpRouter router) {
        router.route().order(-1000).handler(this::time);
    }

    private void time(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(ended -> record(ctx, System.nanoTime() - start));
        ctx.next();
    }

    private void record(RoutingContext ctx, long nanos) {
        int status = ctx.response().getStatusCode();
        String method = ctx.request().method().name();
        String uri = uri(ctx.currentRoute(), status);
        timers.computeIfAbsent(method + ' ' + uri + ' ' + status, k -> Timer.builder("http.server.requests")
                .description("HTTP requests the hub answered, by method, route, status and outcome")
                .tag("method", method).tag("uri", uri).tag("status", Integer.toString(status)).tag("outcome", outcome(status))
                .register(registry())).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The path template of the route that answered; one value for every path no route serves. */
    private static String uri(Route route, int status) {
        String path = route == null ? null : route.getPath();
        if (path != null) {
            return route.isExactPath() ? path : path + "*"; // /admin/* (the token check) for a wildcard route
        }
        return status == 404 ? "NOT_FOUND" : "UNKNOWN";
    }

    private static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }

    private MeterRegistry registry() {
        return metrics.registry();
    }
}
