package io.opsbridge.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.opsbridge.http.Problem;
import io.opsbridge.http.ServerErrorPages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.opsbridge.http.RouterHandlers;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The web console's static files (HTML, CSS, JS modules), served by the hub's own HTTP server under
 * {@code /console/} from {@code console/} on the classpath, so the packaged jar carries them. The
 * files hold no data and need no token; everything they show comes from {@code /admin/} with the
 * token the operator typed. Every answer carries a Content-Security-Policy without inline script
 * or style, so data a page renders can never run as code even if a page made a mistake.
 */
public final class ConsoleFiles implements RouterHandlers {

    /** Scripts, styles, images and fetches from this origin only; no inline code; never framed. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private static final Pattern FILE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,60}\\.(html|css|js|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");
    private static final Problem NOT_FOUND = new Problem(404, "not-found", "Not found", "No console file at this path.");
    private static final Problem METHOD = new Problem(405, "method-not-allowed", "Method not allowed",
            "The console's files take GET and HEAD.").withHeader("Allow", "GET, HEAD");

    private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

    @Override
    public void addTo(VertxPlatformHttpRouter router) {
        router.route("/console").handler(ctx -> {
            if (!ctx.request().path().equals("/console")) {
                ctx.next(); // Vert.x matches "/console/" here too: that is the index, below
                return;
            }
            if (!readMethod(ctx)) {
                ServerErrorPages.reply(ctx, METHOD);
                return;
            }
            securityHeaders(ctx);
            ctx.response().setStatusCode(301).putHeader("Location", "/console/").end();
        });
        router.route("/console/*").handler(this::serve);
    }

    private void serve(RoutingContext ctx) {
        if (!readMethod(ctx)) {
            ServerErrorPages.reply(ctx, METHOD);
            return;
        }
        String path = ctx.normalizedPath().substring("/console/".length());
        String name = path.isEmpty() ? "index.html" : path;
        Optional<byte[]> file = FILE_NAME.matcher(name).matches() ? cache.computeIfAbsent(name, ConsoleFiles::read)
                : Optional.empty();
        if (file.isEmpty()) {
            ServerErrorPages.reply(ctx, NOT_FOUND);
            return;
        }
        byte[] bytes = file.get();
        securityHeaders(ctx);
        ctx.response().setStatusCode(200)
                .putHeader("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)))
                // a new hub version's files are fetched again; the browser may still revalidate cheaply
                .putHeader("Cache-Control", "no-cache");
        if (ctx.request().method() == HttpMethod.HEAD) {
            ctx.response().putHeader("Content-Length", Integer.toString(bytes.length)).end();
        } else {
            ctx.response().end(Buffer.buffer(bytes));
        }
    }

    private static boolean readMethod(RoutingContext ctx) {
        return ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD;
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer");
    }

    private static Optional<byte[]> read(String name) {
        try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream("console/" + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read console/" + name, e);
        }
    }
}
