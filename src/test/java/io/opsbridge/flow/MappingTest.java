package io.opsbridge.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The field mapping of SPEC section 3 as tables: priority, due date, ship-by date, line items. */
class MappingTest {

    static final Mapping SHIPPED = new Mapping(List.of("gold:high", "platinum:urgent", "silver:normal", "bronze:low"), "normal");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "gold,     high",
            "GOLD,     high",
            "Gold,     high",
            "platinum, urgent",
            "silver,   normal",
            "bronze,   low",
            "diamond,  normal",   // not in the table: the default
            "'',       normal",
    })
    void accountPriorityBecomesTaskPriorityThroughTheTable(String account, String task) {
        assertThat(SHIPPED.priority(TextNode.valueOf(account))).isEqualTo(task);
    }

    @Test
    void aMissingOrNonTextPriorityIsTheDefault() {
        assertThat(SHIPPED.priority(null)).isEqualTo("normal");
        assertThat(SHIPPED.priority(JsonNodeFactory.instance.numberNode(1))).isEqualTo("normal");
        assertThat(SHIPPED.priority(JsonNodeFactory.instance.nullNode())).isEqualTo("normal");
        assertThat(new Mapping(List.of(), "low").priority(TextNode.valueOf("gold"))).isEqualTo("low");
    }

    @Test
    void theTableIsReadLeniently() {
        Mapping spaced = new Mapping(List.of(" Gold : high ", "tin:basic:extra"), "normal");
        assertThat(spaced.priority(TextNode.valueOf("gold"))).isEqualTo("high");
        assertThat(spaced.priority(TextNode.valueOf("tin"))).isEqualTo("basic:extra");
        assertThatThrownBy(() -> new Mapping(List.of("gold"), "normal")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gold");
    }

    @ParameterizedTest(name = "requested {0}: due {1}, ship by {2}")
    @CsvSource({
            "2026-12-01, 2026-11-30T23:59:00Z",
            "2026-12-31, 2026-12-30T23:59:00Z",
            "2027-01-01, 2026-12-31T23:59:00Z",   // across a year
            "2026-03-01, 2026-02-28T23:59:00Z",
            "2028-03-01, 2028-02-29T23:59:00Z",   // a leap year
    })
    void requestedDateDBecomesDueDateTheDayBeforeAt2359Utc(String requested, String due) {
        assertThat(Mapping.dueDate(TextNode.valueOf(requested))).isEqualTo(due);
    }

    @Test
    void noValidRequestedDateGivesNoDueDate() {
        for (JsonNode date : List.of(TextNode.valueOf("2026-02-30"), TextNode.valueOf("2026-12-01T10:00:00Z"),
                TextNode.valueOf("tomorrow"), JsonNodeFactory.instance.numberNode(20261201))) {
            assertThat(Mapping.dueDate(date)).as(date.toString()).isNull();
        }
        assertThat(Mapping.dueDate(null)).isNull();
    }

    @Test
    void itemsBecomeLinesOfSkuAndQuantityOnly() throws Exception {
        JsonNode items = new ObjectMapper().readTree("""
                [{"sku":"SKU-RED-1","qty":2,"name":"Red","price":9.5},{"sku":"SKU-BLU-7","qty":1}]""");
        assertThat(Mapping.lines(items)).isEqualTo(List.of(
                Map.of("sku", "SKU-RED-1", "qty", 2),
                Map.of("sku", "SKU-BLU-7", "qty", 1)));
        assertThat(Mapping.lines(null)).isEmpty();
        assertThat(Mapping.lines(new ObjectMapper().readTree("[]"))).isEmpty();
    }
}
