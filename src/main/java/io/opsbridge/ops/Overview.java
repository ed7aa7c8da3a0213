package io.opsbridge.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.opsbridge.http.HttpReplies;
import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;

/**
 * {@code GET /admin/overview}: what an operator looks at first, in one answer. Intake by outcome and
 * downstream calls by system and status class are this node's counters since it started (the same
 * series as /metrics); the backlog, its oldest age and the open dead letters are read from the
 * database now, so they hold for every node.
 */
public final class Overview {

    private final InboxCounts counts;
    private final Clock clock;
    private final Metrics metrics;
    private final Instant startedAt;

    public Overview(Jdbc jdbc, Clock clock, Metrics metrics) {
        this.counts = new InboxCounts(jdbc);
        this.clock = clock;
        this.metrics = metrics;
        this.startedAt = clock.instant();
    }

    public void summary(Exchange exchange) {
        Instant now = clock.instant();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("at", now.toString());
        answer.put("countersSince", startedAt.toString());
        answer.put("intake", intake());
        answer.put("downstream", downstream());
        answer.put("backlog", backlog(now));
        answer.put("deadLettersOpen", counts.openDeadLetters());
        HttpReplies.json(exchange, 200, answer);
    }

    /** Webhooks answered, by outcome (accepted, duplicate, conflict, or the problem code). */
    private Map<String, Long> intake() {
        Map<String, Long> byOutcome = new TreeMap<>();
        for (Counter counter : metrics.registry().find("opsbridge.webhooks").counters()) {
            byOutcome.merge(String.valueOf(counter.getId().getTag("outcome")), (long) counter.count(), Long::sum);
        }
        return byOutcome;
    }

    /** Downstream calls per system: {system: {total, errors, byStatusClass: {2xx: n, 4xx: n, …}}}. */
    private Map<String, Map<String, Object>> downstream() {
        Map<String, Map<String, Long>> classes = new TreeMap<>();
        for (Counter counter : metrics.registry().find("opsbridge.downstream.attempts").counters()) {
            classes.computeIfAbsent(String.valueOf(counter.getId().getTag("system")), k -> new TreeMap<>())
                    .merge(String.valueOf(counter.getId().getTag("status_class")), (long) counter.count(), Long::sum);
        }
        Map<String, Map<String, Object>> systems = new TreeMap<>();
        classes.forEach((system, byClass) -> {
            long total = byClass.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("total", total);
            view.put("errors", total - byClass.getOrDefault("2xx", 0L));
            view.put("byStatusClass", byClass);
            systems.put(system, view);
        });
        return systems;
    }

    /** Unfinished events by state, their total and the oldest one's age. */
    private Map<String, Object> backlog(Instant now) {
        Map<String, Object> backlog = new LinkedHashMap<>();
        long total = 0;
        for (String state : InboxCounts.BACKLOG) {
            long count = counts.inState(state);
            backlog.put(state, count);
            total += count;
        }
        backlog.put("total", total);
        backlog.put("oldestAgeSeconds", counts.oldestAgeSeconds(now));
        return backlog;
    }
}
