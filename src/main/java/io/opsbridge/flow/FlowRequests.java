package io.opsbridge.flow;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.delivery.FlowEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Prepares each downstream request a flow makes. The route file names the rest: the
 * {@code Idempotency-Key} (derived from the event, never random, so a retry, a restart or a replay
 * repeats it), the body's template ({@code templates/<name>.jsonata}) and the call ({@code toD}).
 * This bean clears what an earlier answer left, sets the headers every call carries (JSON, the
 * system's Bearer token) and hands the template its input as the body:
 * <pre>
 * { "event":  the envelope: event_id, event_type, timestamp, source, payload,
 *   "order":  the order's ORDER.CREATED payload, with later ORDER.UPDATED changes merged in,
 *   "link":   { order_id, task_id, pick_id, backorder_id } as known so far,
 *   "sequence": the event's per-order sequence number (PICK.PARTIAL), when it has one,
 *   "config": { source, location_preferences } }
 * </pre>
 */
public final class FlowRequests {

    private final Map<String, String> tokens;
    private final Map<String, Object> config;

    /**
     * @param tokens Bearer token per system (crm, taskmanager, wms), when one is configured
     * @param source the {@code source} OpsBridge names in the requests it sends
     * @param locationPreferences every PICK.REQUEST's {@code location_preferences}
     */
    public FlowRequests(Map<String, String> tokens, String source, List<String> locationPreferences) {
        this.tokens = Map.copyOf(tokens);
        this.config = Map.of("source", source, "location_preferences", List.copyOf(locationPreferences));
    }

    /** A request to {@code system} (crm, taskmanager, wms): its headers, and its template's input as the body. */
    public void request(Exchange exchange, String system) {
        Message message = exchange.getMessage();
        message.getHeaders().clear(); // nothing of an earlier answer goes out with this request
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("Accept", "application/json");
        String token = tokens.get(system);
        if (token != null) {
            message.setHeader("Authorization", "Bearer " + token);
        }
        message.setBody(templateInput(exchange));
    }

    private ObjectNode templateInput(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        OrderLink link = exchange.getProperty(OrderLink.PROPERTY, OrderLink.class);
        ObjectNode input = Json.MAPPER.createObjectNode();
        input.set("event", event.envelope());
        if (link != null && link.getOrderPayload() != null) {
            input.set("order", link.getOrderPayload());
        }
        ObjectNode ids = input.putObject("link");
        if (link != null) {
            ids.put("order_id", link.getOrderId());
            ids.put("task_id", link.getTaskId());
            ids.put("pick_id", link.getPickId());
            ids.put("backorder_id", link.getBackorderId());
        }
        Object sequence = exchange.getProperty("sequence");
        if (sequence != null) {
            input.put("sequence", ((Number) sequence).intValue());
        }
        input.set("config", Json.MAPPER.valueToTree(config));
        return input;
    }
}
