package io.opsbridge.http;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import org.apache.camel.Exchange;

/** Reading an API request: its JSON object body, its path and query parameters. */
public final class Requests {

    private Requests() {
    }

    /** The body as a JSON object; 415 when not JSON, 400 when not a JSON object. An empty body is {}. */
    public static ObjectNode jsonObject(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        if (!JsonContentType.isJson(HttpRequestView.header(exchange, "Content-Type"))) {
            throw new Rejection(new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send application/json (UTF-8)."));
        }
        try {
            JsonNode tree = Json.readUtf8(body);
            if (tree instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below
        }
        throw new Rejection(new Problem(400, "invalid-json", "Invalid JSON", "The body must be one JSON object."));
    }


    public static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.textValue().isBlank() ? value.textValue().trim() : null;
    }

    public static Rejection badRequest(String detail) {
        return new Rejection(new Problem(400, "invalid-request", "Invalid request", detail));
    }

    public static Rejection notFound(String what) {
        return new Rejection(new Problem(404, "not-found", "Not found", what + " does not exist."));
    }
}
