package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opsbridge.http.FieldError;
import io.opsbridge.ingest.EventSchemas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed examples in schemas/examples must validate against their schemas, and every example in
 * schemas/examples/invalid must fail. Events go through the hub's own check (envelope, version,
 * payload); commands (task-create, PICK.REQUEST) against schemas/commands.
 */
class SchemaExamplesTest {

    static final Path SCHEMAS = Path.of("schemas");
    static final EventSchemas EVENTS = EventSchemas.load(SCHEMAS);
    static final ObjectMapper MAPPER = new ObjectMapper();

    static Stream<Path> valid() throws IOException {
        return examples(SCHEMAS.resolve("examples"));
    }

    static Stream<Path> invalid() throws IOException {
        return examples(SCHEMAS.resolve("examples/invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validExampleValidates(Path example) throws IOException {
        assertThat(errors(example)).isEmpty();
    }

    /** The integration template pack's own examples, copied verbatim (src/test/resources/seeds). */
    static Stream<Path> seeds() throws IOException {
        return examples(Path.of("src/test/resources/seeds"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void theTemplatePacksExamplesValidate(Path seed) throws IOException {
        assertThat(errors(seed)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidExampleFails(Path example) throws IOException {
        assertThat(errors(example)).isNotEmpty().allSatisfy(e -> assertThat(e.pointer()).startsWith("/"));
    }

    @org.junit.jupiter.api.Test
    void theSeedExamplesAndEveryEventTypeHaveAnExample() throws IOException {
        List<String> names = valid().map(p -> p.getFileName().toString()).toList();
        assertThat(names).contains("ORDER.CREATED.json", "TASK.CREATED.json", "PICK.REQUEST.json", "task-create.json");
        try (Stream<Path> schemas = Files.list(SCHEMAS.resolve("events"))) {
            schemas.forEach(s -> assertThat(names).contains(s.getFileName().toString().replace(".schema.json", ".json")));
        }
        assertThat(invalid().count()).isGreaterThanOrEqualTo(5);
    }

    /** {@code <name>.json} or {@code <name>.<case>.json}: the schema is named by what precedes the case. */
    static List<FieldError> errors(Path example) throws IOException {
        JsonNode node = MAPPER.readTree(example.toFile());
        String name = example.getFileName().toString().replaceFirst("\\.json$", "");
        Path command = commandSchema(name);
        if (command != null) {
            return EventSchemas.toErrors(EventSchemas.schema(command).validate(node), "");
        }
        return EVENTS.validate(node);
    }

    static Path command(String name) {
        return SCHEMAS.resolve("commands").resolve(name + ".schema.json");
    }

    static Path commandSchema(String name) {
        String[] parts = name.split("\\.");
        for (int n = parts.length; n > 0; n--) {
            Path candidate = command(String.join(".", java.util.Arrays.copyOf(parts, n)));
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    static Stream<Path> examples(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream();
        }
    }
}
