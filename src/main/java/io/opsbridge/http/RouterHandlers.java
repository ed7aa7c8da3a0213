package io.opsbridge.http;

import java.util.List;

import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Handlers the hub puts on its HTTP server's router itself, before or after the routes' own: the admin
 * token check, the HTTP timer, the console's files, problem+json for what no route serves.
 */
public interface RouterHandlers {

    /** Adds this one's handlers to a router of the server (there is one router per server port). */
    void addTo(VertxPlatformHttpRouter router);

    /**
     * A startup listener that adds {@code handlers}, in this order, to every router once Camel has started.
     * Once only: Camel calls startup listeners again for each route added later (a pull schedule), and
     * handlers added again would run twice per request.
     */
    static StartupListener installedOnce(List<RouterHandlers> handlers) {
        return (context, alreadyStarted) -> {
            if (alreadyStarted) {
                return;
            }
            for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
                handlers.forEach(h -> h.addTo(router));
            }
        };
    }
}
