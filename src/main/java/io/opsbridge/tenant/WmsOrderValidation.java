package io.opsbridge.tenant;

import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * Validates a tenant's WMS orders (one object or an array), the same for the webhook and for pulls.
 * Fail-fast: the first invalid item is a 400 naming its index; otherwise every item with an
 * invalid {@code plannedDate} is listed in a 422. Nothing is written unless every item is valid.
 */
public final class WmsOrderValidation {

    /** YYYY-MM-DD and a real calendar date: 2025-02-30 is refused, not rolled over. */
    private static final DateTimeFormatter PLANNED_DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd")
            .withResolverStyle(ResolverStyle.STRICT);

    private final Jdbc jdbc;
    private final int maxOrders;

    public WmsOrderValidation(Jdbc jdbc, int maxOrders) {
        this.jdbc = jdbc;
        this.maxOrders = maxOrders;
    }

    /** Parses the body once and validates every item; the orders go to exchange property wmsOrders. */
    public void validate(Exchange exchange) {
        JsonNode root;
        try {
            root = Json.readStrictUtf8(HttpRequestView.body(exchange));
        } catch (IOException e) {
            throw invalid("Invalid JSON", "The body is not well-formed JSON in UTF-8.");
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            throw invalid("Invalid request body", "Send one order object or an array of order objects.");
        }
        List<JsonNode> items = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(items::add);
        } else {
            items.add(root);
        }
        if (items.size() > maxOrders) {
            throw invalid("Too many orders", "At most " + maxOrders + " orders per request; this one has " + items.size() + ".");
        }
        String tenantId = exchange.getProperty(WmsOrder.TENANT_PROPERTY, String.class);
        List<WmsOrder> orders = new ArrayList<>(items.size());
        List<String> dateErrors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            orders.add(order(i, items.get(i), dateErrors));
        }
        requireCustomersExist(tenantId, orders);
        if (!dateErrors.isEmpty()) {
            throw new Rejection(new Problem(422, "invalid-planned-date", "Invalid plannedDate",
                    "plannedDate must be a real calendar date, YYYY-MM-DD.")
                    .withMember("error", "Invalid plannedDate")
                    .withMember("fieldErrors", Map.of("plannedDate", dateErrors)));
        }
        exchange.setProperty(WmsOrder.ORDERS_PROPERTY, orders);
    }

    private static WmsOrder order(int i, JsonNode item, List<String> dateErrors) {
        if (!item.isObject()) {
            throw item(i, "must be an order object");
        }
        String externalOrderId = id(i, item, "externalOrderId");
        if (externalOrderId == null) {
            throw item(i, "externalOrderId is required");
        }
        String address = string(i, item, "deliveryAddress", 1000);
        String customerId = string(i, item, "customerId", 36);
        if (address == null && customerId == null) {
            throw item(i, "deliveryAddress is required when there is no customerId");
        }
        String name = string(i, item, "customerName", 200);
        String contact = string(i, item, "customerContact", 200);
        Double weight = nonNegative(i, item, "totalWeight");
        Double volume = nonNegative(i, item, "volume");
        Integer pallets = null;
        JsonNode palletNode = item.get("palletCount");
        if (palletNode != null && !palletNode.isNull()) {
            if (!palletNode.canConvertToInt() || !palletNode.isIntegralNumber() || palletNode.intValue() < 0) {
                throw item(i, "palletCount must be a whole number, 0 or more");
            }
            pallets = palletNode.intValue();
        }
        List<String> handling = new ArrayList<>();
        JsonNode handlingNode = item.get("specialHandling");
        if (handlingNode != null && !handlingNode.isNull()) {
            if (!handlingNode.isArray() || handlingNode.size() > 50) {
                throw item(i, "specialHandling must be an array of at most 50 strings");
            }
            for (JsonNode h : handlingNode) {
                if (!h.isTextual() || h.textValue().length() > 100) {
                    throw item(i, "specialHandling must hold strings of at most 100 characters");
                }
                handling.add(h.textValue());
            }
        }
        LocalDate plannedDate = null;
        JsonNode dateNode = item.get("plannedDate");
        if (dateNode != null && !dateNode.isNull()) {
            try {
                plannedDate = LocalDate.parse(dateNode.isTextual() ? dateNode.textValue() : "", PLANNED_DATE);
            } catch (DateTimeParseException e) {
                dateErrors.add("orders[" + i + "]: " + (dateNode.isTextual() ? "'" + dateNode.textValue() + "'" : dateNode.toString())
                        + " is not a real calendar date in the form YYYY-MM-DD");
            }
        }
        return new WmsOrder(i, externalOrderId, address, customerId,
                name == null ? WmsOrder.DEFAULT_CUSTOMER_NAME : name,
                contact == null ? WmsOrder.DEFAULT_CUSTOMER_CONTACT : contact,
                weight, volume, pallets, List.copyOf(handling), plannedDate);
    }

    private void requireCustomersExist(String tenantId, List<WmsOrder> orders) {
        Set<String> known = new HashSet<>();
        for (WmsOrder order : orders) {
            if (order.customerId() == null || known.contains(order.customerId())) {
                continue;
            }
            if (jdbc.one("SELECT id FROM customer WHERE id = ? AND tenant_id = ?", rs -> rs.getString(1),
                    order.customerId(), tenantId).isEmpty()) {
                throw item(order.index(), "customerId " + order.customerId() + " is not a customer of this tenant");
            }
            known.add(order.customerId());
        }
    }

    /** externalOrderId: a string, or a whole number as WMSs often send, of at most 200 characters. */
    private static String id(int i, JsonNode item, String field) {
        JsonNode node = item.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        String value = node.isTextual() ? node.textValue().trim() : node.isIntegralNumber() ? node.asText() : null;
        if (value == null || value.isEmpty() || value.length() > 200) {
            throw item(i, field + " must be a non-empty string of at most 200 characters");
        }
        return value;
    }

    private static String string(int i, JsonNode item, String field, int maxLength) {
        JsonNode node = item.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.textValue().isBlank() || node.textValue().length() > maxLength) {
            throw item(i, field + " must be a non-empty string of at most " + maxLength + " characters");
        }
        return node.textValue().trim();
    }

    private static Double nonNegative(int i, JsonNode item, String field) {
        JsonNode node = item.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || node.doubleValue() < 0 || !Double.isFinite(node.doubleValue())) {
            throw item(i, field + " must be a number, 0 or more");
        }
        return node.doubleValue();
    }

    private static Rejection item(int index, String message) {
        return invalid("Validation failed", "orders[" + index + "]: " + message);
    }

    private static Rejection invalid(String error, String details) {
        return new Rejection(new Problem(400, "invalid-orders", error, details)
                .withMember("error", error).withMember("details", details));
    }
}
