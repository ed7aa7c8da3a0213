package io.opsbridge.ingest;

/**
 * A token bucket per sender and per node: {@code ratePerSecond} sustained, {@code burst} at once.
 * A rate of 0 disables it.
 */
public final class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long refilledAt;

    public RateLimiter(double ratePerSecond, double burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.refilledAt = System.nanoTime();
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
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano / 1e9));
    }
}
