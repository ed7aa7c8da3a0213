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
    private final List<String> locationPreferences;
    private final String source;

    /**
     * @param table {@code gold:high,silver:normal,…}
     * @param locationPreferences the PICK.REQUEST's {@code location_preferences}
     * @param source the {@code source} of the requests OpsBridge sends
     */
    public Mapping(List<String> table, String defaultPriority, List<String> locationPreferences, String source) {
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
        this.locationPreferences = List.copyOf(locationPreferences);
        this.source = source;
    }

    public List<String> locationPreferences() {
        return locationPreferences;
    }

    public String source() {
        return source;
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

    public static List<Map<String, Object>> lines(JsonNode items) {
        List<Map<String, Object>> lines = new ArrayList<>();
        if (items != null) {
            for (JsonNode item : items) {
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
