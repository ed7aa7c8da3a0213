package io.opsbridge.tenant;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.opsbridge.crypto.SecretBox;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.storage.StorageException;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pull from a tenant's WMS endpoint (routes/wms-pull.yaml): fetch with its Bearer secret, hand
 * the answer to the same intake route as the webhook, record the outcome on the endpoint.
 */
public final class WmsPull {

    private static final Logger LOG = LoggerFactory.getLogger(WmsPull.class);
    /** Exchange property: the pull endpoint's id. */
    public static final String ENDPOINT_PROPERTY = "pullEndpointId";
    /** Exchange property: what the pull did, as "sync now" answers it. */
    public static final String RESULT_PROPERTY = "pullResult";

    record Endpoint(String id, String tenantId, String url, String method, Integer intervalSeconds, String secretEncrypted) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final SecretBox secrets;
    private final Duration timeout;
    private final long maxBodyBytes;
    private final HttpClient http;

    public WmsPull(Jdbc jdbc, Clock clock, SecretBox secrets, Duration timeout, long maxBodyBytes) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
        // HTTP/1.1: an HTTP/2 connection the WMS closed (GOAWAY) would fail the next pull
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Claims this period's scheduled run for this node: false when another node (or an earlier
     * tick still running) holds it, so each schedule runs on one node at a time.
     */
    public boolean claim(Exchange exchange) {
        String id = exchange.getProperty(ENDPOINT_PROPERTY, String.class);
        Instant now = clock.instant();
        // no run while the tenant's WMS integration is deactivated
        return endpoint(id).filter(e -> intakeActive(jdbc, e.tenantId())).map(e -> jdbc.update(
                "UPDATE pull_endpoint SET lease_until = ? WHERE id = ? AND (lease_until IS NULL OR lease_until <= ?)",
                now.plusMillis(Math.max(500, e.intervalSeconds() == null ? 1000 : e.intervalSeconds() * 900L)), id, now) == 1)
                .orElse(false);
    }

    /** GET or POST the endpoint with its Bearer secret; the answer's bytes become the body for the intake route. */
    public void fetch(Exchange exchange) {
        String id = exchange.getProperty(ENDPOINT_PROPERTY, String.class);
        Endpoint endpoint = endpoint(id).orElseThrow(() -> new PullFailed("pull endpoint " + id + " no longer exists"));
        if (!intakeActive(jdbc, endpoint.tenantId())) {
            throw new PullFailed("the tenant's WMS integration is deactivated");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.url())).timeout(timeout)
                .header("Authorization", "Bearer " + secrets.decrypt(endpoint.secretEncrypted()))
                .header("Accept", "application/json");
        if ("POST".equals(endpoint.method())) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            request.GET();
        }
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            }
        } catch (IOException e) {
            throw new PullFailed("WMS endpoint unreachable or too slow (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullFailed("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw new PullFailed("WMS endpoint answered HTTP " + response.statusCode());
        }
        if (body.length > maxBodyBytes) {
            throw new PullFailed("WMS endpoint answered more than " + maxBodyBytes + " bytes");
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setBody(body);
        exchange.setProperty(WmsOrder.TENANT_PROPERTY, endpoint.tenantId());
        exchange.setProperty(WmsOrder.SOURCE_PROPERTY, "pull:" + endpoint.id());
    }

    /** After the intake route wrote the orders: the counts, recorded and answered. */
    @SuppressWarnings("unchecked")
    public void record(Exchange exchange) {
        String id = exchange.getProperty(ENDPOINT_PROPERTY, String.class);
        List<Map<String, Object>> orders = (List<Map<String, Object>>) exchange.getProperty(WmsOrderStore.RESULT_PROPERTY,
                Map.class).get("orders");
        int created = (int) orders.stream().filter(o -> Boolean.TRUE.equals(o.get("created"))).count();
        jdbc.update("UPDATE pull_endpoint SET last_sync_at = ?, last_status = 'ok', last_error = NULL, last_processed = ?, "
                + "last_created = ?, last_updated = ? WHERE id = ?", clock.instant(), orders.size(), created,
                orders.size() - created, id);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", "ok");
        result.put("processed", orders.size());
        result.put("created", created);
        result.put("updated", orders.size() - created);
        result.put("orders", orders);
        exchange.setProperty(RESULT_PROPERTY, result);
    }

    /** The intake route refused the pulled orders (the webhook would have answered 400 or 422). */
    public void refused(Exchange exchange) {
        Problem problem = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Rejection.class).problem();
        Object details = problem.members().getOrDefault("details", problem.members().get("fieldErrors"));
        failed(exchange, exchange.getProperty(ENDPOINT_PROPERTY, String.class), "WMS answer refused (" + problem.status()
                + " " + problem.title() + ")" + (details == null ? "" : ": " + details));
    }

    /** The fetch or the write failed (unreachable, not 2xx, too big, storage down): nothing was written. */
    public void fetchFailed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        failed(exchange, exchange.getProperty(ENDPOINT_PROPERTY, String.class),
                cause instanceof PullFailed ? cause.getMessage() : "pull failed: " + StorageException.describe(cause));
    }

    private void failed(Exchange exchange, String id, String error) {
        LOG.warn("Pull from WMS endpoint {} failed: {}", id, error);
        jdbc.update("UPDATE pull_endpoint SET last_sync_at = ?, last_status = 'failed', last_error = ?, last_processed = 0, "
                + "last_created = 0, last_updated = 0 WHERE id = ?", clock.instant(),
                error.length() > 1000 ? error.substring(0, 1000) : error, id);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", "failed");
        result.put("error", error);
        exchange.setProperty(RESULT_PROPERTY, result);
    }

    /**
     * Whether the tenant's WMS order intake is on: true unless its WMS integration exists and is
     * deactivated (a tenant that only pulls has no webhook to deactivate).
     */
    static boolean intakeActive(Jdbc jdbc, String tenantId) {
        return jdbc.one("SELECT active FROM wms_integration WHERE tenant_id = ?", rs -> rs.getBoolean(1), tenantId).orElse(true);
    }

    /** The endpoint, its URL decrypted when it carries credentials. */
    java.util.Optional<Endpoint> endpoint(String id) {
        return jdbc.one("SELECT id, tenant_id, url, method, interval_seconds, secret_encrypted, url_encrypted FROM pull_endpoint "
                + "WHERE id = ?", rs -> new Endpoint(rs.getString(1), rs.getString(2),
                        rs.getString(7) == null ? rs.getString(3) : secrets.decrypt(rs.getString(7)), rs.getString(4),
                        (Integer) rs.getObject(5), rs.getString(6)), id);
    }

    /** The pull could not fetch orders: recorded on the endpoint, never an error of the hub. */
    public static final class PullFailed extends RuntimeException {
        public PullFailed(String message) {
            super(message, null, false, false);
        }
    }
}
