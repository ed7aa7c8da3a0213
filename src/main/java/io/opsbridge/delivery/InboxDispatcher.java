package io.opsbridge.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.inbox.InboxStore;
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
 * on a bounded pool of workers.
 *
 * <p>Per order only the oldest unfinished event is due, so one order's events run one at a time and
 * in the order received, while different orders run in parallel. An event waiting out a retry keeps
 * its place; one waiting for a prerequisite steps aside. The claim protocol
 * ({@link InboxStore#due}, {@link InboxStore#lockOrders}, {@link InboxStore#claim}) keeps this across
 * every node that shares a PostgreSQL database. A claimed event carries a lease, renewed while it
 * runs: a crashed node's events become due again when their lease expires.
 *
 * <p>The pace is set by work, not by a clock: a commit of new events ({@link #wake()} from the inbox
 * writer) and a worker that frees both start a dispatch at once, and one dispatch claims every due
 * event a free worker can take in one statement. The scheduled tick (routes/inbox-dispatch.yaml) is
 * the fallback: it recovers expired leases, renews ours and picks up retries whose time has come.
 */
public final class InboxDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(InboxDispatcher.class);

    private static final String LOAD = "SELECT id, sender, event_id, event_type, order_key, generation, received_at, raw_body "
            + "FROM inbox_event WHERE id IN (";

    private final Jdbc jdbc;
    private final InboxStore store;
    private final Clock clock;
    private final DeliverySettings settings;
    private final DeliveryOutcome outcomes;
    private final String node;
    /** Numbers this node's claims: a lease's owner is {@code <node>/<claim>}, unique to the claim. */
    private final AtomicLong claims = new AtomicLong();
    private final ExecutorService workers;
    /** One thread runs dispatches that work asks for; wakes that come while one is pending fold into it. */
    private final ExecutorService waker;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Set<Long> inflight = ConcurrentHashMap.newKeySet();
    private final Set<String> inflightOrders = ConcurrentHashMap.newKeySet();
    private CamelContext context;
    private ProducerTemplate producer;
    private volatile boolean running = true;
    private volatile Instant lastHeartbeat = Instant.EPOCH;

    /** @param node this node's id, the owner of the leases it takes */
    public InboxDispatcher(Jdbc jdbc, InboxStore store, Clock clock, DeliverySettings settings, DeliveryOutcome outcomes,
            String node) {
        this.node = node;
        this.jdbc = jdbc;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.outcomes = outcomes;
        this.workers = Executors.newFixedThreadPool(settings.workers(), daemon("delivery-worker"));
        this.waker = Executors.newSingleThreadExecutor(daemon("inbox-dispatcher"));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts handing out work: until then (and on an intake-only node) wakes are ignored. */
    public void bind(CamelContext context) {
        this.context = context;
        this.producer = context.createProducerTemplate();
    }

    public String node() {
        return node;
    }

    /**
     * New work may be due (events committed, a worker freed): dispatch soon, on the dispatcher's own
     * thread, never on the caller's. Cheap and safe to call from anywhere, as often as wanted.
     */
    public void wake() {
        if (!running || producer == null || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            waker.execute(() -> {
                wakePending.set(false);
                try {
                    claimDue(clock.instant(), false);
                } catch (RuntimeException e) {
                    // the scheduled tick tries again
                    LOG.warn("Dispatch failed ({}); the next tick retries", StorageException.describe(e));
                }
            });
        } catch (RejectedExecutionException e) {
            wakePending.set(false); // stopping
        }
    }

    /** The scheduled tick: recover expired leases, renew ours, claim what is due. */
    public int dispatch() {
        if (!running) {
            return 0;
        }
        Instant now = clock.instant();
        int recovered = store.recoverExpired(now);
        if (recovered > 0) {
            LOG.warn("Recovered {} event(s) whose lease expired (a node stopped while processing them)", recovered);
        }
        heartbeat(now);
        return claimDue(now, true);
    }

    /**
     * Claims due events for every free worker and hands them out. Wakes look at new events only; the
     * tick also takes waiting events whose time has come (retries, prerequisites).
     */
    private synchronized int claimDue(Instant now, boolean withWaiting) {
        int claimed = 0;
        while (running) {
            int free = settings.workers() - inflight.size();
            if (free <= 0) {
                break;
            }
            Claimed batch = claim(now, free, free + settings.batch(), withWaiting);
            for (FlowEvent event : batch.events()) {
                inflight.add(event.pk());
                if (event.orderKey() != null) {
                    inflightOrders.add(event.orderKey());
                }
                workers.submit(() -> run(event));
            }
            claimed += batch.events().size();
            if (batch.events().isEmpty() || (batch.allDueRead() && batch.events().size() == batch.tried())) {
                break; // took everything that was due
            }
        }
        return claimed;
    }

    /** What one claim transaction won, and whether it saw every due event. */
    private record Claimed(List<FlowEvent> events, int tried, boolean allDueRead) {
    }

    /**
     * The due events, one per order and none of an order running here, the orders no other node claims
     * for at this moment, the claim of those (one batched statement, which checks each again), and the
     * events it won, loaded for their flows, in the transaction the store gives a claim
     * ({@link io.opsbridge.storage.Store#claim}).
     */
    private Claimed claim(Instant now, int free, int limit, boolean withWaiting) {
        return jdbc.store().claim(jdbc, c -> store.due(c, now, limit, withWaiting), (c, due) -> claim(c, due, now, free, limit));
    }

    private Claimed claim(Connection c, List<InboxStore.Due> due, Instant now, int free, int limit) throws SQLException {
        List<InboxStore.Due> picked = new ArrayList<>(free);
        Set<String> orders = new HashSet<>();
        for (InboxStore.Due d : due) {
            if (picked.size() >= free) {
                break;
            }
            if (inflight.contains(d.id()) || (d.orderKey() != null
                    && (inflightOrders.contains(d.orderKey()) || !orders.add(d.orderKey())))) {
                continue; // this order already has an event running here
            }
            picked.add(d);
        }
        Set<String> ours = store.lockOrders(c, orders);
        picked.removeIf(d -> d.orderKey() != null && !ours.contains(d.orderKey()));
        long[] ids = picked.stream().mapToLong(InboxStore.Due::id).toArray();
        String[] owners = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            owners[i] = node + "/" + claims.incrementAndGet();
        }
        int[] won = ids.length == 0 ? new int[0]
                : InboxStore.claim(c, ids, picked.stream().map(InboxStore.Due::state).toList(), owners,
                        now.plus(settings.lease()));
        // the events won, loaded in one statement
        Map<Long, String> ownerOf = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (won[i] == 1) {
                ownerOf.put(ids[i], owners[i]);
            }
        }
        List<FlowEvent> events = new ArrayList<>(ownerOf.size());
        if (!ownerOf.isEmpty()) {
            String sql = LOAD + String.join(", ", java.util.Collections.nCopies(ownerOf.size(), "?")) + ") ORDER BY id";
            events.addAll(Jdbc.query(c, sql, rs -> flowEvent(rs, ownerOf.get(rs.getLong("id"))), ownerOf.keySet().toArray()));
        }
        return new Claimed(events, ids.length, due.size() < limit);
    }

    private static FlowEvent flowEvent(ResultSet rs, String leaseOwner) throws SQLException {
        long pk = rs.getLong("id");
        byte[] raw = rs.getBytes("raw_body");
        JsonNode envelope;
        try {
            envelope = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw new IllegalStateException("stored event " + pk + " is not JSON");
        }
        return new FlowEvent(pk, rs.getString("sender"), rs.getString("event_id"), rs.getString("event_type"),
                rs.getString("order_key"), rs.getInt("generation"), Jdbc.instant(rs, "received_at"), raw, envelope, leaseOwner);
    }

    /** Renews the leases of every event this node runs, in one statement. */
    private void heartbeat(Instant now) {
        if (inflight.isEmpty() || now.isBefore(lastHeartbeat.plus(settings.lease().dividedBy(3)))) {
            return;
        }
        lastHeartbeat = now;
        store.renew(node, now.plus(settings.lease()));
    }

    private void run(FlowEvent event) {
        long pk = event.pk();
        try {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(FlowEvent.PROPERTY, event);
            exchange.setProperty(FlowEvent.TYPE, event.eventType());
            producer.send("direct:process-event", exchange);
            String outcome = exchange.getProperty(FlowEvent.OUTCOME, String.class);
            if (outcome == null) {
                if (exchange.getException() != null) {
                    if (!running) {
                        store.release(event.lease(), clock.instant()); // stopping: the route refused it, not the downstream
                    } else {
                        outcomes.failedOutsideFlow(event, exchange.getException());
                    }
                } else {
                    outcomes.done(exchange, event);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Event {} could not be processed ({}); it will be retried", pk, StorageException.describe(e));
            try {
                store.release(event.lease(), clock.instant());
            } catch (RuntimeException ignored) {
                // the lease expires and the event is recovered
            }
        } finally {
            try {
                jdbc.flush(); // what the flow queued after its last write
            } catch (RuntimeException e) {
                LOG.warn("Event {}: its last queued writes failed ({})", pk, StorageException.describe(e));
            }
            inflight.remove(pk);
            if (event.orderKey() != null) {
                inflightOrders.remove(event.orderKey());
            }
            wake(); // a worker is free, and the order's next event may be due
        }
    }

    /** Stops claiming and lets running events finish (up to the timeout); the rest resume after their lease. */
    public void drain(long timeoutMillis) {
        running = false;
        waker.shutdown();
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
