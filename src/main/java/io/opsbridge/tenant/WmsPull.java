package io.opsbridge.tenant;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.opsbridge.crypto.SecretBox;
import io.opsbridge.ops.ScheduledJobs;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.storage.StorageException;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.http.CallOut;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pull from a tenant's WMS endpoint (routes/wms-pull.yaml): the request (its Bearer secret), sent
 * by the route with camel-http like every downstream call; the answer handed to the same intake route
 * as the webhook; the outcome recorded on the endpoint.
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
    private final long maxBodyBytes;
    private final ScheduledJobs jobs;

    public WmsPull(Jdbc jdbc, Clock clock, SecretBox secrets, long maxBodyBytes, ScheduledJobs jobs) {
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Claims this period's scheduled run for this node ({@link ScheduledJobs}, job {@code pull:<id>}):
     * false when another node holds it, or the tenant's WMS integration is deactivated.
     */
    public boolean claim(Exchange exchange) {
        String id = exchange.getProperty(ENDPOINT_PROPERTY, String.class);
        // no run while the tenant's WMS integration is deactivated
        return endpoint(id).filter(e -> intakeActive(jdbc, e.tenantId()))
                .map(e -> jobs.claim("pull:" + id, e.intervalSeconds() == null ? 1000 : e.intervalSeconds() * 1000L))
                .orElse(false);
    }

    /**
     * The pull request, sent by the route with camel-http like every downstream call: the
     * endpoint's URL (header {@code CamelHttpUri}; user information is not sent), its method and its
     * Bearer secret.
     */
    public void request(Exchange exchange) {
        String id = exchange.getProperty(ENDPOINT_PROPERTY, String.class);
        Endpoint endpoint = endpoint(id).orElseThrow(() -> new PullFailed("pull endpoint " + id + " no longer exists"));
        if (!intakeActive(jdbc, endpoint.tenantId())) {
            throw new PullFailed("the tenant's WMS integration is deactivated");
        }
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader("Authorization", "Bearer " + secrets.decrypt(endpoint.secretEncrypted()));
        message.setHeader("Accept", "application/json");
        message.setHeader(Exchange.HTTP_METHOD, endpoint.method());
        if ("POST".equals(endpoint.method())) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody("{}");
        } else {
            message.setBody(null);
        }
        // the URL in a header, not in the endpoint's URI: its query (apiKey=…) stays out of Camel's registry
        CallOut.to(exchange, PullUrl.withoutUserInfo(endpoint.url()), "wms-pull");
        exchange.setProperty(WmsOrder.TENANT_PROPERTY, endpoint.tenantId());
        exchange.setProperty(WmsOrder.SOURCE_PROPERTY, "pull:" + endpoint.id());
    }

    /** The WMS's answer: a 2xx within the size limit becomes the body for the intake route. */
    public void answer(Exchange exchange) throws IOException {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        byte[] body;
        try (InputStream in = exchange.getMessage().getBody(InputStream.class)) {
            // read no more than one byte past the limit: a huge answer is refused, not held in memory
            body = in == null ? new byte[0] : in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        }
        if (status / 100 != 2) {
            throw new PullFailed("WMS endpoint answered HTTP " + status);
        }
        if (body.length > maxBodyBytes) {
            throw new PullFailed("WMS endpoint answered more than " + maxBodyBytes + " bytes");
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setBody(body);
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
        String error;
        if (cause instanceof PullFailed) {
            error = cause.getMessage();
        } else if (ioCause(cause) != null) {
            error = "WMS endpoint unreachable or too slow (" + ioCause(cause).getClass().getSimpleName() + ")";
        } else {
            error = "pull failed: " + StorageException.describe(cause);
        }
        failed(exchange, exchange.getProperty(ENDPOINT_PROPERTY, String.class), error);
    }

    private static IOException ioCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
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
