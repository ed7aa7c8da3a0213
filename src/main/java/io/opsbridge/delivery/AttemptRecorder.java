package io.opsbridge.delivery;

import java.time.Clock;
import java.util.Map;

import io.opsbridge.flow.DownstreamHttpClient;
import io.opsbridge.http.CallOut;
import io.opsbridge.inbox.InboxStore;
import io.opsbridge.ops.Metrics;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.StorageException;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every downstream call a flow makes: a row before the call (so a crash mid-call still
 * counts the attempt and keeps its idempotency key in the trace) and its status, duration and
 * error after. Listens to Camel's own send events, so the route files stay plain {@code toD}s. Calls
 * out that are not a flow's (pulls, the geocoder, the reconciler: {@link CallOut}) are counted in the
 * metrics by system.
 */
public final class AttemptRecorder extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(AttemptRecorder.class);
    private static final String ATTEMPT_ID = "attemptId";

    private final Jdbc jdbc;
    private final InboxStore store;
    private final Clock clock;
    private final Metrics metrics;
    private final Map<String, String> systems;

    /**
     * @param store fences each attempt row by the lease of the claim making it
     * @param systems downstream base URL → system name (crm, taskmanager, wms), for the metrics
     */
    public AttemptRecorder(Jdbc jdbc, InboxStore store, Clock clock, Metrics metrics, Map<String, String> systems) {
        this.jdbc = jdbc;
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
        this.systems = Map.copyOf(systems);
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSendingEvent || event instanceof ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        try {
            if (event instanceof ExchangeSendingEvent sending && isDownstream(sending.getEndpoint().getEndpointUri(), sending.getExchange())) {
                begin(sending.getExchange(), sending.getEndpoint().getEndpointUri());
            } else if (event instanceof ExchangeSentEvent sent && isDownstream(sent.getEndpoint().getEndpointUri(), sent.getExchange())) {
                finish(sent.getExchange(), sent.getTimeTaken());
            } else if (event instanceof ExchangeSentEvent sent && isCallOut(sent.getEndpoint().getEndpointUri(), sent.getExchange())) {
                callOutFinished(sent.getExchange(), sent.getTimeTaken());
            }
        } catch (StorageException e) {
            LOG.warn("Could not record a delivery attempt: {}", StorageException.describe(e));
        }
    }

    private static boolean isDownstream(String uri, Exchange exchange) {
        return (uri.startsWith("http:") || uri.startsWith("https:"))
                && exchange.getProperty(FlowEvent.PROPERTY) != null && exchange.getProperty(Alerts.ALERT) == null;
    }

    /** A pull, geocoder lookup or reconciler poll (io.opsbridge.http.CallOut): counted in the metrics, no trace row. */
    private static boolean isCallOut(String uri, Exchange exchange) {
        return (uri.startsWith("http:") || uri.startsWith("https:")) && exchange.getProperty(CallOut.SYSTEM) != null
                && exchange.getProperty(FlowEvent.PROPERTY) == null;
    }

    private void callOutFinished(Exchange exchange, long tookMillis) {
        DownstreamHttpClient.takeLastUrl(); // forget it: it is not a flow's
        Integer status = exchange.getException() instanceof HttpOperationFailedException http ? Integer.valueOf(http.getStatusCode())
                : exchange.getException() != null ? null : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        metrics.downstream(exchange.getProperty(CallOut.SYSTEM, String.class), status, tookMillis);
    }

    private void begin(Exchange exchange, String uri) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        String declared = parameter(uri, "httpMethod");
        String method = declared != null ? declared : exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST", String.class);
        // not recorded when the claim lost the event meanwhile: it does not count against the claim that has it now
        Long id = jdbc.inTransaction(c -> {
            if (!store.holds(c, event.lease(), "attempt")) {
                return null;
            }
            try (var insert = c.prepareStatement("INSERT INTO delivery_attempt (event_pk, generation, step, method, endpoint, "
                    + "idempotency_key, started_at, lease_owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                insert.setLong(1, event.pk());
                insert.setInt(2, event.generation());
                insert.setString(3, exchange.getProperty(FlowEvent.STEP, "flow", String.class));
                insert.setString(4, method);
                insert.setString(5, withoutQuery(uri));
                insert.setString(6, exchange.getMessage().getHeader("Idempotency-Key", String.class));
                insert.setTimestamp(7, java.sql.Timestamp.from(clock.instant()));
                insert.setString(8, event.leaseOwner());
                insert.executeUpdate();
                try (var keys = insert.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        if (id != null) {
            exchange.setProperty(ATTEMPT_ID, id);
        }
    }

    private void finish(Exchange exchange, long tookMillis) {
        Long id = exchange.getProperty(ATTEMPT_ID, Long.class);
        if (id == null) {
            return;
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String error = null;
        Exception failure = exchange.getException();
        if (failure instanceof HttpOperationFailedException http) {
            status = http.getStatusCode();
            error = "HTTP " + status;
        } else if (failure != null) {
            status = null;
            error = RedeliveryPolicy.describe(failure, null);
        }
        String url = DownstreamHttpClient.takeLastUrl(); // the URL really called, path included
        metrics.downstream(system(url), status, tookMillis);
        String sql = "UPDATE delivery_attempt SET status = ?, duration_ms = ?, error = ?, endpoint = COALESCE(?, endpoint) "
                + "WHERE id = ?";
        Object[] args = {status, tookMillis, error, url == null ? null : withoutQuery(url), id};
        if (failure == null) {
            // a success: read only by the trace, and committed before this worker's next write
            jdbc.updateLater(sql, args);
        } else {
            jdbc.update(sql, args); // the retry policy and the dead-letter channel read it next
        }
        exchange.removeProperty(ATTEMPT_ID);
    }

    /** The system a URL belongs to; "unreached" when no request left (the connection failed first). */
    private String system(String url) {
        if (url == null) {
            return "unreached";
        }
        for (Map.Entry<String, String> e : systems.entrySet()) {
            if (url.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return "other";
    }

    static String withoutQuery(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private static String parameter(String uri, String name) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : uri.substring(q + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return null;
    }
}
