package io.opsbridge.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import org.apache.camel.Exchange;

/** Reading an API request: its JSON object body, its path and query parameters. */
public final class Requests {

    private Requests() {
    }

    /**
     * An admin request's body as a JSON object with only the {@code allowed} members: 415 when not
     * JSON, 400 when not a JSON object or not well-formed UTF-8, and 400 {@code unknown-field} naming
     * every other member (a misspelt {@code schedule} for {@code intervalSeconds} must not create an
     * endpoint that never runs). An empty body is {}. Vendor-facing payloads stay lenient: they do
     * not come through here.
     */
    public static ObjectNode jsonObject(Exchange exchange, Set<String> allowed) {
        ObjectNode body = jsonObject(exchange);
        List<FieldError> unknown = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                unknown.add(new FieldError("/" + name.replace("~", "~0").replace("/", "~1"), "unknown field"));
            }
        }
        if (!unknown.isEmpty()) {
            String names = String.join(", ", unknown.stream().map(e -> e.pointer().substring(1)).toList());
            throw new Rejection(new Problem(400, "unknown-field", "Unknown field",
                    "This request takes " + (allowed.isEmpty() ? "no fields" : "only " + String.join(", ", allowed.stream().sorted().toList()))
                            + "; unknown: " + names + ".").withErrors(unknown));
        }
        return body;
    }

    /** The body as a JSON object; 415 when not JSON, 400 when not a JSON object. An empty body is {}. */
    private static ObjectNode jsonObject(Exchange exchange) {
        byte[] body = HttpRequestView.body(exchange);
        if (body.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        if (!JsonContentType.isJson(HttpRequestView.header(exchange, "Content-Type"))) {
            throw new Rejection(new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send application/json (UTF-8)."));
        }
        try {
            JsonNode tree = Json.readStrictUtf8(body);
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
