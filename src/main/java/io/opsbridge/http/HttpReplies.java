package io.opsbridge.http;

import java.util.Map;

import io.opsbridge.Json;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Writes an HTTP answer on the exchange. Platform-http sends every exchange header back as a
 * response header, so the request's headers are dropped first: no request header is ever echoed.
 */
public final class HttpReplies {

    private HttpReplies() {
    }

    public static void json(Exchange exchange, int status, Object body) {
        write(exchange, status, "application/json", Json.write(body), Map.of());
    }

    public static void problem(Exchange exchange, Problem problem) {
        write(exchange, problem.status(), Problem.CONTENT_TYPE, Json.write(problem.body()), problem.headers());
    }

    public static void write(Exchange exchange, int status, String contentType, byte[] body,
            Map<String, String> extraHeaders) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        extraHeaders.forEach(message::setHeader);
        // a Vert.x buffer is written as it is; a byte[] would go through a type converter and a stream pump
        message.setBody(Buffer.buffer(body));
    }
}
