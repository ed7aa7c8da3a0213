package io.opsbridge.tenant;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.opsbridge.Json;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * Writes validated WMS orders in one transaction: customers found or created by address, orders
 * upserted by (tenant, externalOrderId), and, for the webhook, the integration's lastReceivedAt.
 * All or nothing. Answers {@code 200 {accepted, processed, orders[{externalOrderId, orderId, created}]}}.
 */
public final class WmsOrderStore {

    /** Exchange property: the answer's body, for the pull to record. */
    public static final String RESULT_PROPERTY = "wmsOrderResult";

    private final Jdbc jdbc;
    private final Clock clock;
    private final boolean geocoding;

    public WmsOrderStore(Jdbc jdbc, Clock clock, boolean geocoding) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.geocoding = geocoding;
    }

    @SuppressWarnings("unchecked")
    public void store(Exchange exchange) {
        String tenantId = exchange.getProperty(WmsOrder.TENANT_PROPERTY, String.class);
        String source = exchange.getProperty(WmsOrder.SOURCE_PROPERTY, String.class);
        List<WmsOrder> orders = exchange.getProperty(WmsOrder.ORDERS_PROPERTY, List.class);
        Instant now = clock.instant();
        List<Map<String, Object>> results = jdbc.inTransaction(c -> {
            List<Map<String, Object>> written = new ArrayList<>(orders.size());
            for (WmsOrder order : orders) {
                String customerId = order.customerId() != null ? order.customerId() : customer(c, tenantId, order, now);
                written.add(upsert(c, tenantId, customerId, order, source, now));
            }
            if ("webhook".equals(source)) {
                Jdbc.update(c, "UPDATE wms_integration SET last_received_at = ? WHERE tenant_id = ?", now, tenantId);
            }
            return written;
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", true);
        body.put("processed", results.size());
        body.put("orders", results);
        exchange.setProperty(RESULT_PROPERTY, body);
        HttpReplies.json(exchange, 200, body);
    }

    /** The tenant's customer at this address, created (to be geocoded) when there is none. */
    private String customer(Connection c, String tenantId, WmsOrder order, Instant now) throws SQLException {
        String key = AddressKey.of(order.deliveryAddress());
        Jdbc.update(c, "INSERT INTO customer (id, tenant_id, name, contact, address, address_key, geocode_status, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", UUID.randomUUID().toString(), tenantId,
                order.customerName(), order.customerContact(), order.deliveryAddress(), key,
                geocoding ? Geocoder.PENDING : Geocoder.NONE, now);
        return Jdbc.query(c, "SELECT id FROM customer WHERE tenant_id = ? AND address_key = ?", rs -> rs.getString(1),
                tenantId, key).get(0);
    }

    private static Map<String, Object> upsert(Connection c, String tenantId, String customerId, WmsOrder order,
            String source, Instant now) throws SQLException {
        String handling = order.specialHandling().isEmpty() ? null : new String(Json.write(order.specialHandling()),
                java.nio.charset.StandardCharsets.UTF_8);
        Optional<String> existing = Jdbc.query(c, "SELECT id FROM tenant_order WHERE tenant_id = ? AND external_order_id = ? "
                + "FOR UPDATE", rs -> rs.getString(1), tenantId, order.externalOrderId()).stream().findFirst();
        boolean created = false;
        String orderId;
        if (existing.isPresent()) {
            orderId = existing.get();
        } else {
            orderId = UUID.randomUUID().toString();
            created = Jdbc.update(c, "INSERT INTO tenant_order (id, tenant_id, external_order_id, customer_id, source, "
                    + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", orderId, tenantId,
                    order.externalOrderId(), customerId, source, now, now) == 1;
            if (!created) { // another request created it a moment ago: update that one
                orderId = Jdbc.query(c, "SELECT id FROM tenant_order WHERE tenant_id = ? AND external_order_id = ?",
                        rs -> rs.getString(1), tenantId, order.externalOrderId()).get(0);
            }
        }
        Jdbc.update(c, "UPDATE tenant_order SET customer_id = ?, total_weight = ?, volume = ?, pallet_count = ?, "
                + "special_handling = ?, planned_date = ?, source = ?, updated_at = ? WHERE id = ?", customerId,
                order.totalWeight(), order.volume(), order.palletCount(), handling, order.plannedDate(), source, now, orderId);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("externalOrderId", order.externalOrderId());
        result.put("orderId", orderId);
        result.put("created", created);
        return result;
    }
}
