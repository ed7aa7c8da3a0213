package io.opsbridge.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.ingest.EventSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request templates (templates/*.jsonata) on their own: each compiles and renders from the
 * input the flows hand it, and the commands' bodies satisfy their contracts in schemas/commands/.
 */
class TemplatesTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final TemplateFunctions FUNCTIONS = new TemplateFunctions(new Mapping(List.of("gold:high", "silver:normal"), "normal"));

    static JsonNode render(String template, JsonNode input) throws IOException {
        Jsonata expression = Jsonata.jsonata(Files.readString(Path.of("templates", template + ".jsonata")));
        Jsonata.Frame frame = expression.createFrame();
        FUNCTIONS.bindToFrame(frame);
        return MAPPER.valueToTree(expression.evaluate(MAPPER.convertValue(input, Object.class), frame));
    }

    /** What FlowRequests hands a template for the example ORDER.CREATED, its task and pick known. */
    static ObjectNode input() throws IOException {
        JsonNode event = MAPPER.readTree(Path.of("schemas/examples/ORDER.CREATED.json").toFile());
        ObjectNode input = MAPPER.createObjectNode();
        input.set("event", event);
        input.set("order", event.get("payload"));
        input.set("link", MAPPER.valueToTree(Map.of("order_id", "ORD-1001", "task_id", "TASK-77", "pick_id", "PICK-ORD-1001")));
        input.set("config", MAPPER.valueToTree(Map.of("source", "opsbridge", "location_preferences", List.of("zone-A"))));
        return input;
    }

    static Stream<String> templates() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("templates"))) {
            return files.map(f -> f.getFileName().toString().replace(".jsonata", "")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void everyTemplateRendersAnObject(String template) throws IOException {
        assertThat(render(template, input()).isObject()).isTrue();
    }

    @Test
    void theCommandsMeetTheirSchemas() throws IOException {
        JsonNode task = render("task-create", input());
        assertThat(EventSchemas.toErrors(EventSchemas.schema(Path.of("schemas/commands/task-create.schema.json")).validate(task), ""))
                .isEmpty();
        assertThat(task.get("due_date").asText()).isEqualTo("2026-11-30T23:59:00Z");
        assertThat(task.get("priority").asText()).isEqualTo("high");

        JsonNode pick = render("pick-request", input());
        assertThat(EventSchemas.toErrors(EventSchemas.schema(Path.of("schemas/commands/PICK.REQUEST.schema.json")).validate(pick), ""))
                .isEmpty();
        assertThat(pick.get("payload").get("location_preferences").toString()).isEqualTo("[\"zone-A\"]"); // one zone: still an array
    }

    @Test
    void aSingleItemIsStillAListAndAbsentFieldsAreLeftOut() throws IOException {
        ObjectNode input = input();
        ((ObjectNode) input.get("order")).set("items", MAPPER.readTree("[{\"sku\":\"SKU-1\",\"qty\":3}]"));
        assertThat(render("pick-request", input).get("payload").get("line_items").toString())
                .isEqualTo("[{\"sku\":\"SKU-1\",\"qty\":3}]");

        ObjectNode update = input();
        update.set("event", MAPPER.readTree("{\"event_id\":\"e\",\"payload\":{\"order_id\":\"ORD-1001\",\"customer\":{\"account_priority\":\"silver\"}}}"));
        assertThat(render("task-update", update).toString()).isEqualTo("{\"priority\":\"normal\"}");
    }
}
