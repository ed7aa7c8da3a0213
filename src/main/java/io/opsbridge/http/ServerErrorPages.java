package io.opsbridge.http;

import io.opsbridge.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Answers what the HTTP server refuses before any route runs (no such path, a body over the
 * server's ceiling, a failure while writing) as problem+json too, never Vert.x's plain-text pages.
 */
public final class ServerErrorPages implements RouterHandlers {

    private static final Problem NOT_FOUND = new Problem(404, "not-found", "Not found", "No endpoint at this path.");

    @Override
    public void addTo(VertxPlatformHttpRouter router) {
        // Runs after every endpoint's route: a path nobody serves (404), or not with this method (405).
        router.route().last().handler(ctx -> notServed(router, ctx));
        // Failures raised inside the server's handlers (the body limit answers 413 this way).
        router.route().failureHandler(ServerErrorPages::failure);
    }

    /** 405 with Allow when some route serves this path with other methods, else 404. */
    private static void notServed(VertxPlatformHttpRouter router, RoutingContext ctx) {
        java.util.Set<String> allowed = new java.util.TreeSet<>();
        String path = ctx.normalizedPath();
        for (io.vertx.ext.web.Route route : router.getRoutes()) {
            String pattern = route.getPath();
            if (pattern != null && route.methods() != null && !route.methods().isEmpty() && matches(pattern, path)) {
                route.methods().forEach(m -> allowed.add(m.name()));
            }
        }
        if (allowed.isEmpty()) {
            reply(ctx, NOT_FOUND);
        } else {
            reply(ctx, new Problem(405, "method-not-allowed", "Method not allowed",
                    "This path takes " + String.join(", ", allowed) + ".").withHeader("Allow", String.join(", ", allowed)));
        }
    }

    /** A Vert.x route path ({@code /admin/tenants/:tenantId}) against a request path. */
    static boolean matches(String pattern, String path) {
        String[] want = pattern.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (!(want[i].startsWith(":") && !got[i].isEmpty()) && !want[i].equals(got[i])) {
                return false;
            }
        }
        return true;
    }

    private static void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        Problem problem = switch (status) {
            case 404 -> NOT_FOUND;
            case 405 -> new Problem(405, "method-not-allowed", "Method not allowed",
                    "This endpoint does not accept this method.");
            case 413 -> new Problem(413, "payload-too-large", "Payload too large", "The body is over the server's limit.");
            default -> status >= 400 && status < 500
                    ? new Problem(status, "bad-request", "Bad request", "The request was refused.")
                    : new Problem(500, "internal-error", "Internal error", "The request could not be processed.");
        };
        reply(ctx, problem);
    }

    /** Writes a problem straight from the HTTP server, before (or instead of) any route. */
    public static void reply(RoutingContext ctx, Problem problem) {
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        problem.headers().forEach(ctx.response()::putHeader);
        ctx.response().setStatusCode(problem.status()).putHeader("Content-Type", Problem.CONTENT_TYPE)
                .end(Buffer.buffer(Json.write(problem.body())));
    }
}
