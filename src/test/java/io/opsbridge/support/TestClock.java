package io.opsbridge.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves: it runs with the system clock (shifted by what {@link #advance} added) until
 * {@link #freeze} or {@link #setTo} stop it at one instant. Bound as "clock" in a {@link TestHub}, it
 * is the clock of every time-driven rule of the hub (retention, SLA, tolerance, rate limits).
 */
public final class TestClock extends Clock {

    private volatile Instant fixed;
    private volatile Duration offset = Duration.ZERO;

    /** Stops the clock where it is now, to the millisecond (a database keeps no finer time than micro). */
    public TestClock freeze() {
        fixed = instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return this;
    }

    /** Stops the clock at {@code instant}. */
    public TestClock setTo(Instant instant) {
        fixed = instant;
        return this;
    }

    /** Moves the clock forward (or back, with a negative duration), stopped or running. */
    public TestClock advance(Duration by) {
        Instant stopped = fixed;
        if (stopped != null) {
            fixed = stopped.plus(by);
        } else {
            offset = offset.plus(by);
        }
        return this;
    }

    /** Back to the system clock. */
    public TestClock reset() {
        fixed = null;
        offset = Duration.ZERO;
        return this;
    }

    /** Lets a stopped clock run again from where it stands. */
    public TestClock resume() {
        Instant stopped = fixed;
        if (stopped != null) {
            offset = Duration.between(Instant.now(), stopped);
            fixed = null;
        }
        return this;
    }

    @Override
    public Instant instant() {
        Instant stopped = fixed;
        return stopped != null ? stopped : Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
