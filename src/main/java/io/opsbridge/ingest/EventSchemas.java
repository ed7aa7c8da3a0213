package io.opsbridge.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.opsbridge.Background;
import io.opsbridge.http.FieldError;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 6 of intake: the envelope against {@code schemas/envelope.schema.json}, the payload against
 * {@code schemas/events/<TYPE>.schema.json} when the type has one, and the major version (400 with
 * {@code errors[{pointer, message}]}).
 *
 * <p>Validates the tree {@link EnvelopeParser} already parsed: camel-json-validator's endpoint
 * would parse the body again, so this bean uses the same validator library (networknt) directly.
 * Schemas are read from the file system once, at start.
 */
public final class EventSchemas implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(EventSchemas.class);
    static final int SUPPORTED_MAJOR = 1;
    private static final int MAX_ERRORS = 50;
    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("\\d+\\.\\d+");

    /** The envelope's schema and each event type's payload schema. */
    private record Loaded(JsonSchema envelope, Map<String, JsonSchema> payloads) {
    }

    private final Background<Loaded> loaded;

    private EventSchemas(Background<Loaded> loaded) {
        this.loaded = loaded;
    }

    /** Loads {@code envelope.schema.json} and every {@code events/*.schema.json} under {@code dir}. */
    public static EventSchemas load(Path dir) {
        return new EventSchemas(Background.of(read(dir)));
    }

    /**
     * The same, on a thread of its own: the first schemas a JVM reads cost most of a second (the
     * validator's classes), which the hub's start spends building its routes meanwhile. A validation
     * asked for earlier waits; {@link #awaitLoaded()} throws what made the loading fail.
     */
    public static EventSchemas loadInBackground(Path dir) {
        return new EventSchemas(Background.start("schemas-load", () -> read(dir)));
    }

    /** Waits until the schemas are read; a file that could not be read or parsed is thrown here. */
    public void awaitLoaded() {
        loaded.get();
    }

    private static Loaded read(Path dir) {
        Map<String, JsonSchema> payloads = new HashMap<>();
        try (Stream<Path> files = Files.list(dir.resolve("events"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".schema.json")).sorted().forEach(f -> {
                String type = f.getFileName().toString().replace(".schema.json", "");
                payloads.put(type, schema(f));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read event schemas in " + dir.resolve("events"), e);
        }
        LOG.info("Event schemas loaded from {}: {}", dir, payloads.keySet().stream().sorted().toList());
        return new Loaded(schema(dir.resolve("envelope.schema.json")), Map.copyOf(payloads));
    }

    /** One schema file, Draft 2020-12, errors located by JSON Pointer, formats asserted. */
    public static JsonSchema schema(Path file) {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .formatAssertionsEnabled(true)
                .build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of(file.toAbsolutePath().toUri().toString()), config);
    }

    @Override
    public void process(Exchange exchange) {
        InboundEvent event = exchange.getProperty(InboundEvent.PROPERTY, InboundEvent.class);
        // the parser already read the timestamp: no second parse on the hot path
        List<FieldError> errors = validate(event.envelope(), event.signedAt() != null);
        if (!errors.isEmpty()) {
            throw Rejection.unlessDuplicate(new Problem(400, "schema-violation", "Schema violation",
                    "The event does not match its schema; see errors.").withErrors(errors));
        }
    }

    /** Every error of the envelope, its version and its payload; empty when the event is valid. */
    public List<FieldError> validate(JsonNode envelopeNode) {
        JsonNode timestamp = envelopeNode.get("timestamp");
        return validate(envelopeNode, timestamp == null || !timestamp.isTextual()
                || EnvelopeParser.instant(timestamp.textValue()) != null);
    }

    /** @param timestampReadable whether the envelope timestamp is absent or one the tolerance check can read */
    private List<FieldError> validate(JsonNode envelopeNode, boolean timestampReadable) {
        Loaded schemas = loaded.get();
        List<FieldError> errors = new ArrayList<>(toErrors(schemas.envelope().validate(envelopeNode), ""));
        JsonNode timestamp = envelopeNode.get("timestamp");
        if (!timestampReadable && timestamp != null && timestamp.isTextual()
                && errors.stream().noneMatch(e -> e.pointer().equals("/timestamp"))) {
            // the signed time must be one the tolerance check can read: T separator, offset or Z, no leap second
            errors.add(new FieldError("/timestamp", "must be an RFC 3339 date-time such as 2026-11-20T09:30:00Z"));
        }
        JsonNode version = envelopeNode.get("event_version");
        if (version != null && version.isTextual() && VERSION.matcher(version.textValue()).matches()) {
            String major = version.textValue().substring(0, version.textValue().indexOf('.'));
            if (!major.equals(Integer.toString(SUPPORTED_MAJOR))) {
                errors.add(new FieldError("/event_version",
                        "major version " + major + " is not supported; supported: " + SUPPORTED_MAJOR + ".x"));
            }
        }
        JsonNode type = envelopeNode.get("event_type");
        JsonNode payload = envelopeNode.get("payload");
        JsonSchema payloadSchema = type != null && type.isTextual() ? schemas.payloads().get(type.textValue()) : null;
        if (payloadSchema != null && payload != null && payload.isObject()) {
            errors.addAll(toErrors(payloadSchema.validate(payload), "/payload"));
        }
        return errors.size() > MAX_ERRORS ? List.copyOf(errors.subList(0, MAX_ERRORS)) : errors;
    }

    public static List<FieldError> toErrors(Iterable<ValidationMessage> messages, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        for (ValidationMessage m : messages) {
            String location = m.getInstanceLocation().toString();
            String pointer = prefix + location;
            if ("required".equals(m.getType()) && m.getProperty() != null) {
                pointer = pointer + "/" + m.getProperty().replace("~", "~0").replace("/", "~1");
            }
            String message = m.getMessage();
            if (message.startsWith(location + ": ")) {
                message = message.substring(location.length() + 2);
            }
            errors.add(new FieldError(pointer, message));
        }
        return errors;
    }
}
