package io.opsbridge.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.opsbridge.storage.Jdbc;

/**
 * Which node runs a scheduled job's tick: every node schedules every job (routes/*.yaml), and a tick
 * goes ahead only on the node that takes the job's lease (table job_lease) for most of the interval,
 * so across the nodes sharing the database each job runs once per interval. A node that stops
 * holding a lease simply lets it run out; the next tick anywhere takes it.
 */
public final class ScheduledJobs {

    /** The lease covers this share of the interval: the next tick, on any node, finds it free. */
    private static final double LEASE_SHARE = 0.9;

    private final Jdbc jdbc;
    private final Clock clock;
    private final String node;
    private final Metrics metrics;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public ScheduledJobs(Jdbc jdbc, Clock clock, String node, Metrics metrics) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.node = node;
        this.metrics = metrics;
    }

    /** True when this node runs {@code job}'s tick now; called by the job's route before it does anything. */
    public boolean claim(String job, long intervalMillis) {
        Instant now = clock.instant();
        if (known.add(job)) {
            jdbc.update("INSERT INTO job_lease (job) VALUES (?) ON CONFLICT DO NOTHING", job);
        }
        boolean ran = jdbc.update("UPDATE job_lease SET lease_until = ?, owner = ?, last_run_at = ? WHERE job = ? "
                + "AND (lease_until IS NULL OR lease_until <= ?)", now.plusMillis(Math.max(1, (long) (intervalMillis * LEASE_SHARE))),
                node, now, job, now) == 1;
        metrics.scheduledTick(job.startsWith("pull:") ? "pull" : job, ran);
        return ran;
    }
}
