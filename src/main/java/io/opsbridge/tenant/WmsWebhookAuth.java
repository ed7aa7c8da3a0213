package io.opsbridge.tenant;

import io.opsbridge.crypto.Secrets;
import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code Authorization: Bearer <secret>} of a tenant's WMS webhook. A wrong or missing secret, an
 * unknown tenant and an inactive webhook all get the same 401, so none can be told from another.
 */
public final class WmsWebhookAuth implements Processor {

    static final Problem UNAUTHORIZED = new Problem(401, "unauthorized", "Unauthorized",
            "Send Authorization: Bearer <the webhook secret> to this tenant's active webhook URL.")
            .withMember("error", "Unauthorized").withHeader("WWW-Authenticate", "Bearer");
    /** A hash no secret has, compared when the tenant is unknown so the answer takes as long. */
    private static final String NO_SECRET = "0".repeat(64);

    private final Jdbc jdbc;

    public WmsWebhookAuth(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void process(Exchange exchange) {
        String tenantId = HttpRequestView.pathParam(exchange, "tenantId").orElse("");
        String authorization = HttpRequestView.header(exchange, "Authorization");
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        record Integration(String hash, boolean active) {
        }
        Integration integration = jdbc.one("SELECT secret_sha256, active FROM wms_integration WHERE tenant_id = ?",
                rs -> new Integration(rs.getString(1), rs.getBoolean(2)), tenantId).orElse(new Integration(NO_SECRET, false));
        boolean matches = Secrets.matches(presented == null ? "" : presented, integration.hash());
        if (presented == null || !matches || !integration.active()) {
            throw new Rejection(UNAUTHORIZED);
        }
        exchange.setProperty(WmsOrder.TENANT_PROPERTY, tenantId);
        exchange.setProperty(WmsOrder.SOURCE_PROPERTY, "webhook");
    }
}
