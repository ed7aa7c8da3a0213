package io.opsbridge.tenant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.Json;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.http.Requests;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * Admin API for tenants and their WMS order webhook (routes/admin-tenants-api.yaml): create a
 * tenant, connect its WMS (webhook URL + a secret shown once, stored as a hash), regenerate the
 * secret, deactivate / reactivate, read the integration, and read orders and customers.
 */
public final class TenantAdmin {

    static final String SECRET_PREFIX = "wms_";

    private final Jdbc jdbc;
    private final Clock clock;
    private final String publicUrl;

    public TenantAdmin(Jdbc jdbc, Clock clock, String publicUrl) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }

    public void createTenant(Exchange exchange) {
        ObjectNode body = Requests.jsonObject(exchange, Set.of("name"));
        String name = Requests.text(body, "name");
        if (name == null || name.length() > 200) {
            throw Requests.badRequest("name is required: 1 to 200 characters.");
        }
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        jdbc.update("INSERT INTO tenant (id, name, created_at) VALUES (?, ?, ?)", id, name, now);
        HttpReplies.json(exchange, 201, jdbc.one("SELECT id, name, created_at FROM tenant WHERE id = ?", Jdbc::camelRow, id)
                .orElseThrow());
    }

    public void listTenants(Exchange exchange) {
        HttpReplies.json(exchange, 200, Map.of("tenants",
                jdbc.query("SELECT id, name, created_at FROM tenant ORDER BY created_at, id", Jdbc::camelRow)));
    }

    public void getTenant(Exchange exchange) {
        HttpReplies.json(exchange, 200, requireTenant(exchange));
    }

    /** Connect WMS: the webhook URL and its secret, shown this once. 409 when already connected. */
    public void connectWms(Exchange exchange) {
        String tenantId = (String) requireTenant(exchange).get("id");
        Requests.jsonObject(exchange, Set.of());
        String secret = Secrets.generate(SECRET_PREFIX);
        Instant now = clock.instant();
        int inserted = jdbc.update("INSERT INTO wms_integration (tenant_id, secret_sha256, active, created_at, secret_rotated_at) "
                + "VALUES (?, ?, TRUE, ?, ?) ON CONFLICT DO NOTHING", tenantId, Secrets.sha256Hex(secret), now, now);
        if (inserted == 0) {
            throw new Rejection(new Problem(409, "already-connected", "Already connected",
                    "This tenant's WMS is already connected; regenerate its secret instead."));
        }
        HttpReplies.json(exchange, 201, withSecret(integration(tenantId), secret));
    }

    public void getWms(Exchange exchange) {
        HttpReplies.json(exchange, 200, integration((String) requireTenant(exchange).get("id")));
    }

    /** A new secret, shown this once; the old one stops working at once. */
    public void regenerateWmsSecret(Exchange exchange) {
        String tenantId = (String) requireTenant(exchange).get("id");
        Requests.jsonObject(exchange, Set.of());
        String secret = Secrets.generate(SECRET_PREFIX);
        int updated = jdbc.update("UPDATE wms_integration SET secret_sha256 = ?, secret_rotated_at = ? WHERE tenant_id = ?",
                Secrets.sha256Hex(secret), clock.instant(), tenantId);
        if (updated == 0) {
            throw Requests.notFound("This tenant's WMS integration");
        }
        HttpReplies.json(exchange, 200, withSecret(integration(tenantId), secret));
    }

    public void deactivateWms(Exchange exchange) {
        setActive(exchange, false);
    }

    public void activateWms(Exchange exchange) {
        setActive(exchange, true);
    }

    /** Orders of the tenant, optionally of one planned date ({@code ?plannedDate=YYYY-MM-DD}), for planning. */
    public void listOrders(Exchange exchange) {
        String tenantId = (String) requireTenant(exchange).get("id");
        String sql = "SELECT o.id, o.external_order_id, o.total_weight, o.volume, o.pallet_count, o.special_handling, "
                + "o.planned_date, o.source, o.created_at, o.updated_at, c.id AS customer_id, c.name AS customer_name, "
                + "c.contact AS customer_contact, c.address, c.latitude, c.longitude "
                + "FROM tenant_order o JOIN customer c ON c.id = o.customer_id WHERE o.tenant_id = ?";
        List<Map<String, Object>> orders;
        var plannedDate = HttpRequestView.queryParam(exchange, "plannedDate");
        if (plannedDate.isPresent()) {
            LocalDate date;
            try {
                date = LocalDate.parse(plannedDate.get());
            } catch (DateTimeParseException e) {
                throw Requests.badRequest("plannedDate must be a calendar date, YYYY-MM-DD.");
            }
            orders = jdbc.query(sql + " AND o.planned_date = ? ORDER BY o.external_order_id", TenantAdmin::order, tenantId, date);
        } else {
            orders = jdbc.query(sql + " ORDER BY o.planned_date, o.external_order_id", TenantAdmin::order, tenantId);
        }
        HttpReplies.json(exchange, 200, Map.of("orders", orders));
    }

    public void listCustomers(Exchange exchange) {
        String tenantId = (String) requireTenant(exchange).get("id");
        HttpReplies.json(exchange, 200, Map.of("customers", jdbc.query(
                "SELECT id, name, contact, address, latitude, longitude, geocode_status, geocode_error, created_at "
                        + "FROM customer WHERE tenant_id = ? ORDER BY created_at, id", Jdbc::camelRow, tenantId)));
    }

    /** Turns the tenant's WMS intake on or off: its webhook (401 while off) and its pulls (none run while off). */
    private void setActive(Exchange exchange, boolean active) {
        String tenantId = (String) requireTenant(exchange).get("id");
        Requests.jsonObject(exchange, Set.of());
        if (jdbc.update("UPDATE wms_integration SET active = ? WHERE tenant_id = ?", active, tenantId) == 0) {
            throw Requests.notFound("This tenant's WMS integration");
        }
        HttpReplies.json(exchange, 200, integration(tenantId));
    }

    Map<String, Object> requireTenant(Exchange exchange) {
        String id = HttpRequestView.pathParam(exchange, "tenantId").orElseThrow(() -> Requests.notFound("The tenant"));
        return jdbc.one("SELECT id, name, created_at FROM tenant WHERE id = ?", Jdbc::camelRow, id)
                .orElseThrow(() -> Requests.notFound("Tenant " + id));
    }

    private Map<String, Object> integration(String tenantId) {
        Map<String, Object> integration = jdbc.one("SELECT tenant_id, active, created_at, secret_rotated_at, last_received_at "
                + "FROM wms_integration WHERE tenant_id = ?", Jdbc::camelRow, tenantId)
                .orElseThrow(() -> Requests.notFound("This tenant's WMS integration"));
        integration.put("webhookUrl", publicUrl + "/api/integrations/wms/" + tenantId);
        return integration;
    }

    private static Map<String, Object> withSecret(Map<String, Object> integration, String secret) {
        Map<String, Object> shown = new LinkedHashMap<>(integration);
        shown.put("secret", secret);
        shown.put("secretNotice", "Shown once: store it now. OpsBridge keeps only a hash.");
        return shown;
    }

    static Map<String, Object> order(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orderId", rs.getString("id"));
        m.put("externalOrderId", rs.getString("external_order_id"));
        m.put("plannedDate", rs.getObject("planned_date") == null ? null : rs.getObject("planned_date", LocalDate.class).toString());
        m.put("totalWeight", rs.getObject("total_weight"));
        m.put("volume", rs.getObject("volume"));
        m.put("palletCount", rs.getObject("pallet_count"));
        String handling = rs.getString("special_handling");
        m.put("specialHandling", handling == null ? List.of() : parseArray(handling));
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("id", rs.getString("customer_id"));
        customer.put("name", rs.getString("customer_name"));
        customer.put("contact", rs.getString("customer_contact"));
        customer.put("address", rs.getString("address"));
        customer.put("latitude", rs.getObject("latitude"));
        customer.put("longitude", rs.getObject("longitude"));
        m.put("customer", customer);
        m.put("source", rs.getString("source"));
        m.put("createdAt", Jdbc.isoInstant(rs, "created_at"));
        m.put("updatedAt", Jdbc.isoInstant(rs, "updated_at"));
        return m;
    }

    private static List<?> parseArray(String json) {
        try {
            return Json.MAPPER.readValue(json, List.class);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
