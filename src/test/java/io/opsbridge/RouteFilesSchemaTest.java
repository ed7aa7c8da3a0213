package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route file integrators edit (routes/*.yaml, and sandbox/*.yaml when that folder exists) must
 * validate against the Camel YAML DSL JSON schema shipped in camel-yaml-dsl, so a misspelt key or a
 * misplaced step fails the build instead of failing when the hub loads the route. The files in
 * src/test/resources/broken-routes prove the check has teeth: each must fail, at the place its
 * {@code # expect-at:} / {@code # expect-text:} header names.
 */
class RouteFilesSchemaTest {

    static final List<Path> ROUTE_DIRS = List.of(Path.of("routes"), Path.of("sandbox"));
    static final Path BROKEN = Path.of("src/test/resources/broken-routes");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final JsonSchema SCHEMA = loadSchema();

    static Stream<Path> routeFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : ROUTE_DIRS) {
            if (Files.isDirectory(dir)) { // sandbox/ is optional
                files.addAll(yamlFiles(dir));
            }
        }
        return files.stream();
    }

    static Stream<Path> brokenFiles() throws IOException {
        return yamlFiles(BROKEN).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void routeFileMatchesTheCamelSchema(Path file) throws IOException {
        assertThat(errors(file)).as("schema errors in %s", file).isEmpty();
    }

    @Test
    void thereAreFilesToCheck() throws IOException {
        // Without this a moved or renamed folder would make the parametrized test pass vacuously.
        assertThat(yamlFiles(Path.of("routes"))).isNotEmpty();
        assertThat(yamlFiles(BROKEN)).hasSizeGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenRouteIsRejectedAtTheRightPlace(Path file) throws IOException {
        String expectedAt = header(file, "expect-at");
        String expectedText = header(file, "expect-text");
        // An error somewhere in the file is not enough: it must point at the broken node and name it.
        assertThat(errors(file)).as("errors for %s", file)
                .anySatisfy(e -> assertThat(e).startsWith(file + " " + expectedAt + ":").contains(expectedText));
    }

    /** One line per message, "file pointer: message", so a failure says where to look. */
    static List<String> errors(Path file) throws IOException {
        List<String> errors = new ArrayList<>();
        // Camel reads exactly one YAML document per file (a "---" second document fails the load), so
        // count the documents rather than read just the first. (readValues() would not do: it unwraps a
        // top-level array into its items.)
        List<JsonNode> documents = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(file.toFile())) {
            for (JsonNode doc; (doc = YAML.readTree(parser)) != null; ) {
                documents.add(doc);
            }
        }
        if (documents.size() != 1) {
            errors.add(file + " /: " + documents.size() + " YAML documents, Camel loads a file of exactly one");
        } else {
            for (ValidationMessage m : SCHEMA.validate(documents.get(0))) {
                String pointer = m.getInstanceLocation().toString();
                errors.add(file + " " + (pointer.isEmpty() ? "/" : pointer) + ": " + m.getError());
            }
        }
        errors.forEach(System.out::println);
        return errors;
    }

    static JsonSchema loadSchema() {
        try (InputStream in = RouteFilesSchemaTest.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
            assertThat(in).as("schema/camelYamlDsl.json from camel-yaml-dsl on the classpath").isNotNull();
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .pathType(PathType.JSON_POINTER) // "/0/route/from" rather than "$[0].route.from"
                    .locale(Locale.ENGLISH) // stable message text for the expect-text checks
                    .build();
            JsonNode schema = new ObjectMapper().readTree(in);
            acceptScalarsAsCamelDoes(schema);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema, config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The schema types scalar options strictly, but Camel's model keeps them as Strings, resolves
     * {{placeholders}} and converts them when the route starts: "constant: true" and
     * "autoStartup: '{{opsbridge.delivery.enabled}}'" load fine yet fail the raw schema. So a string
     * option also takes a YAML boolean or number, and a boolean or number option also takes its text
     * form or a placeholder ("pattern" only applies to strings). Keys and structure stay strict.
     */
    static void acceptScalarsAsCamelDoes(JsonNode node) {
        if (node instanceof ObjectNode schema && schema.path("type").isTextual()) {
            String type = schema.get("type").asText();
            switch (type) {
                case "string" -> schema.putArray("type").add("string").add("boolean").add("number");
                case "boolean" -> schema.put("pattern", "^(?i:true|false)$|\\{\\{.+}}").putArray("type").add(type).add("string");
                case "number", "integer" -> schema.put("pattern", "^-?[0-9]+(\\.[0-9]+)?$|\\{\\{.+}}").putArray("type").add(type).add("string");
                default -> { }
            }
        }
        node.forEach(RouteFilesSchemaTest::acceptScalarsAsCamelDoes);
    }

    static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /** The value of a "# name: value" comment line in a broken example. */
    static String header(Path file, String name) throws IOException {
        String prefix = "# " + name + ":";
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length()).trim()).findFirst()
                .orElseThrow(() -> new AssertionError(file + " has no '" + prefix + "' line"));
    }
}
