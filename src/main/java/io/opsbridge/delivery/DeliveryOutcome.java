package io.opsbridge.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.opsbridge.Json;
import io.opsbridge.flow.OrderLink;
import io.opsbridge.inbox.InboxStore;
import io.opsbridge.ops.Metrics;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where an event goes after its flow ran: done, back to wait (retry or prerequisite), unrouted. */
public final class DeliveryOutcome {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryOutcome.class);

    private final Jdbc jdbc;
    private final InboxStore store;
    private final Clock clock;
    private final DeliverySettings settings;

    private final Metrics metrics;

    public DeliveryOutcome(Jdbc jdbc, InboxStore store, Clock clock, DeliverySettings settings, Metrics metrics) {
        this.jdbc = jdbc;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * The flow finished: done, with the ids it linked; events of the order waiting for it are woken.
     * Not when a write the flow queued failed ({@link FlowWrites}): that throws, and the event runs again.
     */
    public void done(Exchange exchange, FlowEvent event) {
        Instant now = clock.instant();
        Map<String, Object> outcome = new LinkedHashMap<>();
        OrderLink link = exchange.getProperty(OrderLink.PROPERTY, OrderLink.class);
        if (link != null && link.getOrderId() != null) {
            outcome.put("order_id", link.getOrderId());
            outcome.put("task_id", link.getTaskId());
            outcome.put("pick_id", link.getPickId());
            outcome.put("backorder_id", link.getBackorderId());
            outcome.put("order_status", link.getStatus());
        }
        String outcomeJson = new String(Json.write(outcome), java.nio.charset.StandardCharsets.UTF_8);
        boolean done = jdbc.inTransaction(c -> {
            FlowWrites.requireAllWentIn(exchange); // else it is not done: the flow runs again
            return store.done(c, event.lease(), now, outcomeJson, event.orderKey());
        });
        if (done) {
            metrics.processed(event.eventType(), Duration.between(event.receivedAt(), now));
        }
    }

    /** A retry the policy allowed: the event waits in the inbox, keeping its place in its order. */
    public void retryLater(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        long delay = exchange.getProperty(RedeliveryPolicy.DELAY_MS, 0L, Long.class);
        LOG.info("{} event {} step {} failed ({}); retry in {} ms", event.sender(), event.eventId(),
                exchange.getProperty(FlowEvent.STEP), exchange.getProperty(RedeliveryPolicy.LAST_ERROR), delay);
        store.retryAt(event.lease(), clock.instant().plusMillis(delay), outcomeJson("retrying", exchange));
        exchange.setProperty(FlowEvent.OUTCOME, "retry");
    }

    /**
     * The event needs something an earlier event creates: it waits (stepping aside for its order's
     * other events), with a growing pause, and goes to the dead-letter channel after the timeout.
     * Sets exchange property {@code parked}: false when it waited too long (the route dead-letters it).
     */
    public void park(Exchange exchange) {
        exchange.setProperty("parked", tryPark(exchange));
    }

    private boolean tryPark(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        Instant now = clock.instant();
        Instant since = store.waitingSince(event.pk());
        if (since != null && Duration.between(since, now).compareTo(settings.prerequisiteTimeout()) > 0) {
            exchange.setProperty(RedeliveryPolicy.LAST_ERROR, "prerequisite missing for too long: "
                    + exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class).getMessage());
            return false;
        }
        long waited = since == null ? 0 : Duration.between(since, now).toMillis();
        long pause = Math.min(settings.maxDelay().toMillis(), Math.max(settings.prerequisiteRetry().toMillis(), waited / 2));
        String reason = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class).getMessage();
        LOG.info("{} event {} waits: {}", event.sender(), event.eventId(), reason);
        store.waitForPrerequisite(event.lease(), now.plusMillis(pause), now, outcomeJson("waiting: " + reason, exchange));
        exchange.setProperty(FlowEvent.OUTCOME, "parked");
        return true;
    }

    /** The router has no flow for this type (it was routed when received, the route files changed since). */
    public void unrouted(Exchange exchange) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        store.unrouted(event.lease(), clock.instant());
        exchange.setProperty(FlowEvent.OUTCOME, "unrouted");
    }

    /** A failure outside any flow's error handling (the router itself): retried later, never lost. */
    public void failedOutsideFlow(FlowEvent event, Throwable failure) {
        LOG.error("{} event {} failed outside its flow: {}; retried in {} ms", event.sender(), event.eventId(),
                failure.getClass().getSimpleName(), settings.maxDelay().toMillis());
        store.release(event.lease(), clock.instant().plus(settings.maxDelay()));
    }

    private static String outcomeJson(String detail, Exchange exchange) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("detail", detail);
        Object step = exchange.getProperty(FlowEvent.STEP);
        if (step != null) {
            outcome.put("step", step);
        }
        Object error = exchange.getProperty(RedeliveryPolicy.LAST_ERROR);
        if (error != null) {
            outcome.put("last_error", error);
        }
        return new String(Json.write(outcome), java.nio.charset.StandardCharsets.UTF_8);
    }
}
