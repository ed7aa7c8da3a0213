package io.opsbridge.http;

import java.util.function.ToLongFunction;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Step 1 of every POST-only JSON intake: POST (405), a JSON content type (415), a body within the
 * limit (413). The content type is checked before anything reads the body, so a form post is a 415.
 */
public final class RequestGuard implements Processor {

    private final ToLongFunction<Exchange> maxBodyBytes;

    /** @param maxBodyBytes the limit for this exchange (per sender, per API) */
    public RequestGuard(ToLongFunction<Exchange> maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        if (!"POST".equals(in.getHeader(Exchange.HTTP_METHOD, String.class))) {
            throw new Rejection(new Problem(405, "method-not-allowed", "Method not allowed",
                    "This endpoint takes POST.").withHeader("Allow", "POST"));
        }
        if (!JsonContentType.isJson(HttpRequestView.header(exchange, "Content-Type"))) {
            throw new Rejection(new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send application/json (UTF-8)."));
        }
        long limit = maxBodyBytes.applyAsLong(exchange);
        byte[] body = HttpRequestView.body(exchange);
        if (body.length > limit) {
            throw new Rejection(new Problem(413, "payload-too-large", "Payload too large",
                    "The body is " + body.length + " bytes; the limit is " + limit + " bytes."));
        }
        in.setBody(body);
    }
}
