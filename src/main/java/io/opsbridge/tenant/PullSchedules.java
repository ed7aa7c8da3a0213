package io.opsbridge.tenant;

import java.util.Map;

import io.opsbridge.storage.Jdbc;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled polling route per pull endpoint, made from the route template
 * {@code wms-pull-schedule} (routes/wms-pull.yaml): added when an endpoint with a schedule is
 * registered (and for every stored one at start), removed when the endpoint is.
 */
public final class PullSchedules implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(PullSchedules.class);
    static final String TEMPLATE = "wms-pull-schedule";

    private final Jdbc jdbc;
    private CamelContext context;

    public PullSchedules(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        this.context = context;
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        this.context = context;
        record Scheduled(String id, int interval) {
        }
        for (Scheduled s : jdbc.query("SELECT id, interval_seconds FROM pull_endpoint WHERE interval_seconds IS NOT NULL",
                rs -> new Scheduled(rs.getString(1), rs.getInt(2)))) {
            schedule(s.id(), s.interval());
        }
    }

    public void schedule(String endpointId, int intervalSeconds) {
        try {
            context.addRouteFromTemplate(routeId(endpointId), TEMPLATE,
                    Map.of("endpointId", endpointId, "intervalMs", Long.toString(intervalSeconds * 1000L)));
            LOG.info("Pull endpoint {} scheduled every {} s", endpointId, intervalSeconds);
        } catch (Exception e) {
            throw new IllegalStateException("cannot schedule pull endpoint " + endpointId + ": " + e.getMessage(), e);
        }
    }

    public void unschedule(String endpointId) {
        String routeId = routeId(endpointId);
        try {
            if (context.getRoute(routeId) != null) {
                context.getRouteController().stopRoute(routeId);
                context.removeRoute(routeId);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot unschedule pull endpoint " + endpointId + ": " + e.getMessage(), e);
        }
    }

    static String routeId(String endpointId) {
        return "wms-pull-" + endpointId;
    }
}
