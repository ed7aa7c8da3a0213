package io.opsbridge.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Events for tests, made from the seed examples in schemas/examples with a fresh id and timestamp. */
public final class Events {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Events() {
    }

    /** The example of {@code type} with this event id, signed now. */
    public static ObjectNode example(String type, String eventId) {
        return example(type, eventId, Instant.now());
    }

    public static ObjectNode example(String type, String eventId, Instant timestamp) {
        try {
            ObjectNode event = (ObjectNode) MAPPER.readTree(Files.readAllBytes(Path.of("schemas/examples", type + ".json")));
            event.put("event_id", eventId);
            event.put("timestamp", timestamp.toString());
            return event;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String json(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode parse(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
