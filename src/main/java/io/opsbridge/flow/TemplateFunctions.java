package io.opsbridge.flow;

import java.util.List;
import java.util.Map;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import org.apache.camel.component.jsonata.JsonataFrameBinding;

/**
 * The mapping helpers, callable from every request template (templates/*.jsonata):
 * <ul>
 * <li>{@code $dueDate(requested_date)}: {@code D} → {@code (D−1)T23:59:00Z}, null for no valid date;</li>
 * <li>{@code $priority(account_priority)}: the account table ({@code opsbridge.mapping.priority});</li>
 * <li>{@code $lines(items)}: {@code [{sku, qty}]}, always an array;</li>
 * <li>{@code $pickId(order_id)}: the pick id OpsBridge proposes, {@code PICK-<order_id>}.</li>
 * </ul>
 * Each is one of {@link Mapping}'s small pure functions; bound as the JSONata component's frame
 * binding ({@code camel.component.jsonata.frame-binding}).
 */
public final class TemplateFunctions implements JsonataFrameBinding {

    private final Mapping mapping;

    public TemplateFunctions(Mapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public void bindToFrame(Jsonata.Frame frame) {
        frame.bind("dueDate", (Jsonata.Fn1<Object, String>) date -> Mapping.dueDate(node(date)));
        frame.bind("priority", (Jsonata.Fn1<Object, String>) account -> mapping.priority(node(account)));
        frame.bind("lines", (Jsonata.Fn1<Object, List<Map<String, Object>>>) items -> Mapping.lines(node(items)));
        frame.bind("pickId", (Jsonata.Fn1<Object, String>) orderId -> orderId == null ? null : Mapping.pickId(orderId.toString()));
    }

    private static JsonNode node(Object value) {
        return value == null ? null : Json.MAPPER.valueToTree(value);
    }
}
