package io.opsbridge.delivery;

import java.time.Duration;

import io.opsbridge.config.Settings;

/**
 * How events are delivered (opsbridge.delivery.* in application.properties).
 *
 * @param maxAttempts attempts of one downstream call before it is dead-lettered
 * @param baseDelay the back-off before retry k is uniform in [0, min(maxDelay, baseDelay * 2^(k-1))]
 * @param retryAfterCap the most a downstream's Retry-After can make an event wait
 * @param lease how long a claimed event is ours without a heartbeat
 * @param prerequisiteTimeout how long an event may wait for a prerequisite before it is dead-lettered
 */
public record DeliverySettings(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration retryAfterCap,
        int workers, int batch, Duration lease, Duration prerequisiteRetry, Duration prerequisiteTimeout) {

    public static DeliverySettings from(Settings s) {
        return new DeliverySettings(
                s.getInt("opsbridge.delivery.max-attempts", 5),
                Duration.ofMillis(s.getLong("opsbridge.delivery.base-delay-ms", 1000)),
                Duration.ofMillis(s.getLong("opsbridge.delivery.max-delay-ms", 60_000)),
                Duration.ofMillis(s.getLong("opsbridge.delivery.retry-after-cap-ms", 600_000)),
                s.getInt("opsbridge.delivery.workers", 32),
                s.getInt("opsbridge.delivery.batch", 50),
                Duration.ofMillis(s.getLong("opsbridge.delivery.lease-ms", 60_000)),
                Duration.ofMillis(s.getLong("opsbridge.delivery.prerequisite-retry-ms", 1000)),
                Duration.ofMillis(s.getLong("opsbridge.delivery.prerequisite-timeout-ms", 86_400_000)));
    }
}
