package io.opsbridge.http;

import io.opsbridge.Json;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Answers the errors the HTTP server raises before any route runs (no such path, a body over the
 * server's ceiling, a failure while writing) as problem+json too, never Vert.x's plain-text pages.
 */
public final class ServerErrorPages implements StartupListener {

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context);
        if (router == null) {
            return;
        }
        router.errorHandler(404, ctx -> reply(ctx, new Problem(404, "not-found", "Not found",
                "No endpoint at this path.")));
        router.errorHandler(405, ctx -> reply(ctx, new Problem(405, "method-not-allowed", "Method not allowed",
                "This endpoint does not accept this method.")));
        router.errorHandler(413, ctx -> reply(ctx, new Problem(413, "payload-too-large", "Payload too large",
                "The body is over the server's limit.")));
        router.errorHandler(500, ctx -> reply(ctx, new Problem(500, "internal-error", "Internal error",
                "The request could not be processed.")));
    }

    private static void reply(RoutingContext ctx, Problem problem) {
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response().setStatusCode(problem.status()).putHeader("Content-Type", Problem.CONTENT_TYPE)
                .end(io.vertx.core.buffer.Buffer.buffer(Json.write(problem.body())));
    }
}
