package io.opsbridge.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.inbox.InboxState;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.StorageException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes due events from the inbox and runs each through the event router (direct:process-event)
 * on a bounded pool of workers. Called on a schedule by routes/inbox-dispatch.yaml.
 *
 * <p>Per order only the oldest unfinished event is due, so one order's events run one at a time and
 * in the order received, while different orders run in parallel. An event waiting out a retry keeps
 * its place; one waiting for a prerequisite steps aside. A claimed event carries a lease, renewed
 * while it runs: a crashed node's events become due again when their lease expires.
 */
public final class InboxDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(InboxDispatcher.class);

    private static final String DUE = "SELECT e.id, e.order_key FROM inbox_event e "
            + "WHERE e.state IN ('received', 'waiting') AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= ?) "
            + "AND (e.order_key IS NULL OR NOT EXISTS (SELECT 1 FROM inbox_event o WHERE o.order_key = e.order_key "
            + "AND o.id <> e.id AND (o.state = 'processing' OR (o.id < e.id AND (o.state = 'received' "
            + "OR (o.state = 'waiting' AND o.waiting_reason = 'retry')))))) ORDER BY e.id LIMIT ?";
    private static final String CLAIM = "UPDATE inbox_event SET state = 'processing', lease_owner = ?, lease_until = ? "
            + "WHERE id = ? AND state IN ('received', 'waiting')";
    private static final String LOAD = "SELECT sender, event_id, event_type, order_key, generation, received_at, raw_body "
            + "FROM inbox_event WHERE id = ?";
    private static final String RECOVER = "UPDATE inbox_event SET state = 'waiting', waiting_reason = 'retry', "
            + "next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE state = 'processing' AND lease_until < ?";

    private final Jdbc jdbc;
    private final Clock clock;
    private final DeliverySettings settings;
    private final DeliveryOutcome outcomes;
    private final String node = UUID.randomUUID().toString();
    private final ExecutorService workers;
    private final Set<Long> inflight = ConcurrentHashMap.newKeySet();
    private final Set<String> inflightOrders = ConcurrentHashMap.newKeySet();
    private CamelContext context;
    private ProducerTemplate producer;
    private volatile boolean running = true;
    private volatile Instant lastHeartbeat = Instant.EPOCH;

    public InboxDispatcher(Jdbc jdbc, Clock clock, DeliverySettings settings, DeliveryOutcome outcomes) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.settings = settings;
        this.outcomes = outcomes;
        this.workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "delivery-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public void bind(CamelContext context) {
        this.context = context;
        this.producer = context.createProducerTemplate();
    }

    public String node() {
        return node;
    }

    /** One tick: recover expired leases, renew ours, claim what is due and hand it to the workers. */
    public int dispatch() {
        if (!running) {
            return 0;
        }
        Instant now = clock.instant();
        int recovered = jdbc.update(RECOVER, now, now);
        if (recovered > 0) {
            LOG.warn("Recovered {} event(s) whose lease expired (a node stopped while processing them)", recovered);
        }
        heartbeat(now);
        int free = settings.workers() - inflight.size();
        if (free <= 0) {
            return 0;
        }
        record Due(long id, String orderKey) {
        }
        List<Due> due = jdbc.query(DUE, rs -> new Due(rs.getLong(1), rs.getString(2)), now, free + settings.batch());
        int claimed = 0;
        for (Due d : due) {
            if (claimed >= free) {
                break;
            }
            if (inflight.contains(d.id()) || (d.orderKey() != null && !inflightOrders.add(d.orderKey()))) {
                continue; // this order already has an event running here
            }
            if (jdbc.update(CLAIM, node, now.plus(settings.lease()), d.id()) != 1) {
                if (d.orderKey() != null) {
                    inflightOrders.remove(d.orderKey());
                }
                continue;
            }
            inflight.add(d.id());
            claimed++;
            workers.submit(() -> run(d.id(), d.orderKey()));
        }
        return claimed;
    }

    private void heartbeat(Instant now) {
        if (inflight.isEmpty() || now.isBefore(lastHeartbeat.plus(settings.lease().dividedBy(3)))) {
            return;
        }
        lastHeartbeat = now;
        for (Long id : inflight) {
            jdbc.update("UPDATE inbox_event SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = 'processing'",
                    now.plus(settings.lease()), id, node);
        }
    }

    private void run(long pk, String orderKey) {
        try {
            FlowEvent event = load(pk);
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(FlowEvent.PROPERTY, event);
            exchange.setProperty(FlowEvent.TYPE, event.eventType());
            producer.send("direct:process-event", exchange);
            String outcome = exchange.getProperty(FlowEvent.OUTCOME, String.class);
            if (outcome == null) {
                if (exchange.getException() != null) {
                    if (!running) {
                        release(pk); // stopping: the route refused it, not the downstream
                    } else {
                        outcomes.failedOutsideFlow(event, exchange.getException(), node);
                    }
                } else {
                    outcomes.done(exchange, event, node);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Event {} could not be processed ({}); it will be retried", pk, StorageException.describe(e));
            try {
                release(pk);
            } catch (RuntimeException ignored) {
                // the lease expires and the event is recovered
            }
        } finally {
            inflight.remove(pk);
            if (orderKey != null) {
                inflightOrders.remove(orderKey);
            }
        }
    }

    private FlowEvent load(long pk) {
        return jdbc.one(LOAD, rs -> {
            byte[] raw = rs.getBytes("raw_body");
            JsonNode envelope;
            try {
                envelope = Json.MAPPER.readTree(raw);
            } catch (IOException e) {
                throw new IllegalStateException("stored event " + pk + " is not JSON");
            }
            return new FlowEvent(pk, rs.getString("sender"), rs.getString("event_id"), rs.getString("event_type"),
                    rs.getString("order_key"), rs.getInt("generation"), Jdbc.instant(rs, "received_at"), raw, envelope);
        }, pk).orElseThrow(() -> new IllegalStateException("event " + pk + " vanished"));
    }

    private void release(long pk) {
        jdbc.update("UPDATE inbox_event SET state = 'waiting', waiting_reason = 'retry', next_attempt_at = ?, "
                + "lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND state = ?",
                clock.instant(), pk, node, InboxState.PROCESSING);
    }

    /** Stops claiming and lets running events finish (up to the timeout); the rest resume after their lease. */
    public void drain(long timeoutMillis) {
        running = false;
        workers.shutdown();
        try {
            if (!workers.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("{} event(s) still running at shutdown; they resume when their lease expires", inflight.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For the trace and metrics: how many events this node is running now. */
    public Map<String, Object> status() {
        return Map.of("node", node, "running", inflight.size(), "workers", settings.workers());
    }
}
