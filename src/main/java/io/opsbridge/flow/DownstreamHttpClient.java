package io.opsbridge.flow;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * How the flows' HTTP client behaves. No retries of its own: Apache HttpClient 5 retries 429 and
 * 503 by itself, sleeping out any Retry-After (999999 s included) on the worker thread and out of
 * sight of the trace; OpsBridge's redelivery policy decides every retry instead. And it notes the
 * URL each request really went to (Camel sends a dynamic {@code toD} through one endpoint per
 * host), for the attempt's trace.
 */
public final class DownstreamHttpClient implements HttpClientConfigurer {

    private static final ThreadLocal<String> LAST_URL = new ThreadLocal<>();

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
        builder.addRequestInterceptorFirst((request, entity, context) -> {
            try {
                LAST_URL.set(request.getUri().toString());
            } catch (java.net.URISyntaxException e) {
                LAST_URL.set(request.getRequestUri());
            }
        });
    }

    /** The URL of the last request sent from this thread, once (then forgotten). */
    public static String takeLastUrl() {
        String url = LAST_URL.get();
        LAST_URL.remove();
        return url;
    }
}
