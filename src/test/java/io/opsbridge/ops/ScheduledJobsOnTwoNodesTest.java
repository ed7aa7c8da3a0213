package io.opsbridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import io.opsbridge.support.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hubs on one PostgreSQL database, as a cluster runs: each schedules every job, and each tick of
 * a job runs on one node only (the escalation check and the geocoding sweep here, every 200 ms).
 */
class ScheduledJobsOnTwoNodesTest {

    static final long INTERVAL_MS = 200;

    @TempDir
    static Path first;
    @TempDir
    static Path second;
    static EmbeddedPostgres postgres;
    static TestHub a;
    static TestHub b;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        a = TestHub.start(first, settings());
        b = TestHub.start(second, settings());
    }

    static Map<String, String> settings() {
        return Map.of(
                "opsbridge.db.url", postgres.getJdbcUrl("postgres", "postgres"),
                "opsbridge.db.user", "postgres",
                "opsbridge.admin.token", "two-nodes",
                "opsbridge.escalation.check-interval-ms", Long.toString(INTERVAL_MS),
                "opsbridge.geocoder.sweep-interval-ms", Long.toString(INTERVAL_MS));
    }

    @AfterAll
    static void stop() throws Exception {
        for (TestHub hub : new TestHub[] {a, b}) {
            if (hub != null) {
                hub.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void eachTickOfAJobRunsOnOneNode() throws InterruptedException {
        long started = System.nanoTime();
        double before = ran(a, "escalations") + ran(b, "escalations");
        Thread.sleep(4000);
        double elapsedMs = (System.nanoTime() - started) / 1e6;
        for (String job : new String[] {"escalations", "customer-geocoding"}) {
            double ran = ran(a, job) + ran(b, job);
            double skipped = ticks(a, job, "skipped") + ticks(b, job, "skipped");
            // a run holds the job for 0.9 of the interval: across both nodes, at most one run per such window
            assertThat(ran - (job.equals("escalations") ? before : 0))
                    .as("%s runs across both nodes in %.0f ms", job, elapsedMs)
                    .isLessThanOrEqualTo(elapsedMs / (INTERVAL_MS * 0.9) + 2);
            assertThat(skipped).as("%s ticks left to the other node", job).isPositive();
            assertThat(ran).as("%s ran", job).isPositive();
        }
    }

    static double ran(TestHub hub, String job) {
        return ticks(hub, job, "ran");
    }

    static double ticks(TestHub hub, String job, String outcome) {
        return hub.metric("opsbridge_scheduled_ticks_total{job=\"" + job + "\",outcome=\"" + outcome + "\"}");
    }
}
