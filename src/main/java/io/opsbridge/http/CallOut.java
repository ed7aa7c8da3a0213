package io.opsbridge.http;

import java.net.URI;

import org.apache.camel.Exchange;

/**
 * A call out that is not a flow's (a pull, a geocoder lookup, the reconciler's poll), sent by its
 * route with camel-http like the flows' calls: the route names {@code toD: "${exchangeProperty.callOrigin}"}
 * and the full URL travels in the {@code CamelHttpUri} header, so its query stays the remote
 * system's own (apart from the camel-http options) and out of Camel's endpoint registry. The
 * system's name labels the call in {@code opsbridge_downstream_attempts_total}.
 */
public final class CallOut {

    /** Exchange properties: the camel-http endpoint ({@code scheme://host[:port]}) and the system called. */
    public static final String ORIGIN = "callOrigin";
    public static final String SYSTEM = "callSystem";

    private CallOut() {
    }

    /** Points the exchange's next {@code toD} at {@code url}, as a call to {@code system}. */
    public static void to(Exchange exchange, String url, String system) {
        URI uri = URI.create(url);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, url);
        exchange.setProperty(ORIGIN, uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        exchange.setProperty(SYSTEM, system);
    }
}
