package io.opsbridge.tenant;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.crypto.SecretBox;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.http.Requests;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Admin API for a tenant's pull endpoints (routes/admin-tenants-api.yaml): register (URL, GET or
 * POST, optional schedule; the secret is generated and shown once, kept encrypted), list, read,
 * delete, and "sync now".
 */
public final class PullEndpoints {

    private final Jdbc jdbc;
    private final Clock clock;
    private final SecretBox secrets;
    private final PullSchedules schedules;
    private final TenantAdmin tenants;
    private final ProducerTemplate producer;

    public PullEndpoints(Jdbc jdbc, Clock clock, SecretBox secrets, PullSchedules schedules, TenantAdmin tenants,
            ProducerTemplate producer) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
        this.schedules = schedules;
        this.tenants = tenants;
        this.producer = producer;
    }

    public void create(Exchange exchange) {
        String tenantId = (String) tenants.requireTenant(exchange).get("id");
        ObjectNode body = Requests.jsonObject(exchange, Set.of("url", "method", "intervalSeconds"));
        String url = Requests.text(body, "url");
        if (url == null || url.length() > 2000 || !isHttpUrl(url)) {
            throw Requests.badRequest("url is required: an absolute http or https URL.");
        }
        String method = Requests.text(body, "method") == null ? "GET" : Requests.text(body, "method").toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            throw Requests.badRequest("method must be GET or POST.");
        }
        Integer interval = null;
        JsonNode intervalNode = body.get("intervalSeconds");
        if (intervalNode != null && !intervalNode.isNull()) {
            if (!intervalNode.isIntegralNumber() || intervalNode.asLong() < 1 || intervalNode.asLong() > 86_400) {
                throw Requests.badRequest("intervalSeconds must be a whole number from 1 to 86400 (omit it for sync-now only).");
            }
            interval = intervalNode.intValue();
        }
        String id = UUID.randomUUID().toString();
        String secret = Secrets.generate("pull_");
        Instant now = clock.instant();
        // credentials in the URL (user:pw@, ?apiKey=...) are kept encrypted; the url column shows it masked
        jdbc.update("INSERT INTO pull_endpoint (id, tenant_id, url, url_encrypted, method, interval_seconds, secret_encrypted, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, tenantId, PullUrl.masked(url),
                PullUrl.hasCredentials(url) ? secrets.encrypt(url) : null, method, interval, secrets.encrypt(secret), now);
        if (interval != null) {
            schedules.schedule(id, interval);
        }
        Map<String, Object> shown = new LinkedHashMap<>(find(tenantId, id));
        shown.put("secret", secret);
        shown.put("secretNotice", "Shown once: configure your WMS endpoint to expect Authorization: Bearer <secret>.");
        HttpReplies.json(exchange, 201, shown);
    }

    public void list(Exchange exchange) {
        String tenantId = (String) tenants.requireTenant(exchange).get("id");
        HttpReplies.json(exchange, 200, Map.of("pullEndpoints",
                jdbc.query(SELECT + " WHERE tenant_id = ? ORDER BY created_at, id", Jdbc::camelRow, tenantId)));
    }

    public void get(Exchange exchange) {
        String tenantId = (String) tenants.requireTenant(exchange).get("id");
        HttpReplies.json(exchange, 200, find(tenantId, endpointId(exchange)));
    }

    public void delete(Exchange exchange) {
        String tenantId = (String) tenants.requireTenant(exchange).get("id");
        String id = endpointId(exchange);
        find(tenantId, id);
        schedules.unschedule(id);
        jdbc.update("DELETE FROM pull_endpoint WHERE id = ? AND tenant_id = ?", id, tenantId);
        HttpReplies.write(exchange, 204, "application/json", new byte[0], Map.of());
    }

    /**
     * Runs one pull now, through the same route as the scheduled ones, and answers what it did; 409
     * while the tenant's WMS integration is deactivated (its webhook and its pulls are off).
     */
    public void sync(Exchange exchange) {
        String tenantId = (String) tenants.requireTenant(exchange).get("id");
        String id = endpointId(exchange);
        find(tenantId, id);
        Requests.jsonObject(exchange, Set.of());
        if (!WmsPull.intakeActive(jdbc, tenantId)) {
            throw new Rejection(new Problem(409, "integration-inactive", "WMS integration deactivated",
                    "This tenant's WMS integration is deactivated: its webhook and its pulls are off. Activate it first."));
        }
        Exchange pull = producer.request("direct:wms-pull", p -> p.setProperty(WmsPull.ENDPOINT_PROPERTY, id));
        if (pull.getException() != null) {
            throw new IllegalStateException("pull route failed", pull.getException());
        }
        HttpReplies.json(exchange, 200, pull.getProperty(WmsPull.RESULT_PROPERTY, Map.class));
    }

    private Map<String, Object> find(String tenantId, String id) {
        return jdbc.one(SELECT + " WHERE tenant_id = ? AND id = ?", Jdbc::camelRow, tenantId, id)
                .orElseThrow(() -> Requests.notFound("Pull endpoint " + id));
    }

    private static String endpointId(Exchange exchange) {
        return HttpRequestView.pathParam(exchange, "endpointId").orElseThrow(() -> Requests.notFound("The pull endpoint"));
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawAuthority() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static final String SELECT = "SELECT id, tenant_id, url, method, interval_seconds, created_at, last_sync_at, "
            + "last_status, last_error, last_processed, last_created, last_updated FROM pull_endpoint";
}
