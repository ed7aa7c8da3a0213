package io.opsbridge.ingest;

import java.util.function.LongSupplier;

/**
 * A token bucket per sender and per node: {@code ratePerSecond} sustained, {@code burst} at once.
 * A rate of 0 disables it.
 */
public final class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long refilledAt;

    public RateLimiter(double ratePerSecond, double burst) {
        this(ratePerSecond, burst, System::nanoTime);
    }

    /** @param nanoTime the time in nanoseconds the bucket refills by ({@code System::nanoTime}; a test passes its own) */
    public RateLimiter(double ratePerSecond, double burst, LongSupplier nanoTime) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.nanoTime = nanoTime;
        this.tokens = this.burst;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** Gives back a token taken for a request that turned out not to need one (a duplicate). */
    public synchronized void release() {
        if (ratePerNano > 0) {
            tokens = Math.min(burst, tokens + 1);
        }
    }

    /** @return 0 when a token was taken, else the whole seconds until one is available (at least 1) */
    public synchronized long tryAcquire() {
        if (ratePerNano <= 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        // a clock stepped back refills nothing (and takes nothing away)
        tokens = Math.min(burst, tokens + Math.max(0, now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano / 1e9));
    }
}
