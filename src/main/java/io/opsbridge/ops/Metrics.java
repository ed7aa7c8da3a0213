package io.opsbridge.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

/**
 * OpsBridge's own series, in the meter registry Camel's metrics support scrapes at /metrics
 * (Prometheus names: opsbridge_webhooks_total, opsbridge_downstream_attempts_total, …). Without
 * metrics enabled they go to a registry nobody reads.
 */
public final class Metrics {

    private final CamelContext context;
    private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();
    private final Map<String, Counter> meters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public Metrics(CamelContext context) {
        this.context = context;
    }

    /**
     * A webhook answered: sender, event type (or "unknown" before the body was read), outcome, and
     * how long the answer took. Meters are cached: this is on the intake's hot path.
     */
    public void webhook(String sender, String eventType, String outcome, long elapsedMillis) {
        String type = eventType == null ? "unknown" : eventType;
        meters.computeIfAbsent("w|" + sender + "|" + type + "|" + outcome, k -> Counter.builder("opsbridge.webhooks")
                .description("Webhooks answered, by sender, event type and outcome")
                .tag("sender", String.valueOf(sender)).tag("type", type).tag("outcome", outcome).register(registry()))
                .increment();
        (timers.computeIfAbsent("w|" + sender, k -> Timer.builder("opsbridge.webhook.duration")
                .description("Time to answer a webhook, committed to the inbox included").tag("sender", String.valueOf(sender))
                .register(registry()))).record(Duration.ofMillis(elapsedMillis));
    }

    /** A downstream call finished: system (crm, taskmanager, wms, other), status class (2xx, 4xx, 5xx, error). */
    public void downstream(String system, Integer status, long millis) {
        String statusClass = status == null ? "error" : (status / 100) + "xx";
        meters.computeIfAbsent("d|" + system + "|" + statusClass, k -> Counter.builder("opsbridge.downstream.attempts")
                .description("Downstream calls, by system and status class")
                .tag("system", system).tag("status_class", statusClass).register(registry())).increment();
        (timers.computeIfAbsent("d|" + system, k -> Timer.builder("opsbridge.downstream.duration")
                .description("Downstream call latency").tag("system", system).register(registry())))
                .record(Duration.ofMillis(millis));
    }

    /** A scheduled job's tick: run on this node, or left to the node that holds the job's lease. */
    public void scheduledTick(String job, boolean ran) {
        String outcome = ran ? "ran" : "skipped";
        meters.computeIfAbsent("s|" + job + "|" + outcome, k -> Counter.builder("opsbridge.scheduled.ticks")
                .description("Scheduled job ticks, by job and whether this node ran them (one node per tick across the cluster)")
                .tag("job", job).tag("outcome", outcome).register(registry())).increment();
    }

    /** A flow's outcome not written: its event's lease was lost meanwhile (another claim holds the event). */
    public void fenced(String outcome) {
        meters.computeIfAbsent("f|" + outcome, k -> Counter.builder("opsbridge.inbox.fenced")
                .description("Late outcomes of flows whose lease was lost, not written (by outcome)")
                .tag("outcome", outcome).register(registry())).increment();
    }

    /** An event finished its flow: the time from receipt to done. */
    public void processed(String eventType, Duration sinceReceived) {
        (timers.computeIfAbsent("p|" + eventType, k -> Timer.builder("opsbridge.event.processing")
                .description("Time from an event's receipt to the end of its flow").tag("type", eventType).register(registry())))
                .record(sinceReceived);
    }

    public MeterRegistry registry() {
        MeterRegistry found = registry.get();
        if (found == null) {
            found = context.getRegistry().findSingleByType(MeterRegistry.class);
            if (found == null) {
                found = new SimpleMeterRegistry();
            }
            registry.compareAndSet(null, found);
            found = registry.get();
        }
        return found;
    }
}
