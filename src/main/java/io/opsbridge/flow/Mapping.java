package io.opsbridge.flow;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The field mapping of SPEC section 3: {@code order_id → external_ref.id}, {@code items[].sku/qty →
 * line_items[]}, {@code customer.account_priority → priority} through a configurable table,
 * {@code requested_date D → due_date (D−1)T23:59:00Z}.
 */
public final class Mapping {

    private final Map<String, String> priorities;
    private final String defaultPriority;

    /** @param table {@code gold:high,silver:normal,…} */
    public Mapping(List<String> table, String defaultPriority) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : table) {
            String[] pair = entry.split(":", 2);
            if (pair.length != 2) {
                throw new IllegalStateException("opsbridge.mapping.priority entries are account_priority:task_priority, got " + entry);
            }
            map.put(pair[0].trim().toLowerCase(Locale.ROOT), pair[1].trim());
        }
        this.priorities = Map.copyOf(map);
        this.defaultPriority = defaultPriority;
    }

    public String priority(JsonNode accountPriority) {
        if (accountPriority == null || !accountPriority.isTextual()) {
            return defaultPriority;
        }
        return priorities.getOrDefault(accountPriority.textValue().toLowerCase(Locale.ROOT), defaultPriority);
    }

    /** {@code D} → {@code (D−1)T23:59:00Z}; null when there is no valid date. */
    public static String dueDate(JsonNode requestedDate) {
        LocalDate date = date(requestedDate);
        return date == null ? null : date.minusDays(1) + "T23:59:00Z";
    }

    /** The order's requested date: {@code fulfillment.requested_date} of an ORDER.CREATED or ORDER.UPDATED payload. */
    public static JsonNode requestedDate(JsonNode order) {
        return order == null ? null : order.path("fulfillment").get("requested_date");
    }

    /** The pick id proposed for an order's PICK.REQUEST: derived, never random, so a retry proposes the same. */
    public static String pickId(String orderId) {
        return "PICK-" + orderId;
    }

    /** {@code [{sku, qty}]} of the items (an array of them, or one). */
    public static List<Map<String, Object>> lines(JsonNode items) {
        List<Map<String, Object>> lines = new ArrayList<>();
        if (items != null) {
            // a template may hand over one item as itself (JSONata unwraps a sequence of one)
            for (JsonNode item : items.isObject() ? List.of(items) : items) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("sku", item.path("sku").asText());
                line.put("qty", item.path("qty").asInt());
                lines.add(line);
            }
        }
        return lines;
    }

    private static LocalDate date(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        try {
            return LocalDate.parse(node.textValue());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
