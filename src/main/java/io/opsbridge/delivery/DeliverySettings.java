package io.opsbridge.delivery;

import java.time.Duration;

import io.opsbridge.config.Settings;

/**
 * How events are delivered (opsbridge.delivery.* in application.properties). The retry rules
 * (attempts, base and maximum delay, Retry-After cap) are declared in routes/delivery-errors.yaml.
 *
 * @param maxDelay the longest back-off; also the most a prerequisite wait pauses between tries
 * @param lease how long a claimed event is ours without a heartbeat
 * @param prerequisiteTimeout how long an event may wait for a prerequisite before it is dead-lettered
 */
public record DeliverySettings(Duration maxDelay, int workers, int batch, Duration lease, Duration prerequisiteRetry,
        Duration prerequisiteTimeout) {

    public static DeliverySettings from(Settings s) {
        return new DeliverySettings(
                Duration.ofMillis(s.getLong("opsbridge.delivery.max-delay-ms", 60_000)),
                s.getInt("opsbridge.delivery.workers", 128),
                s.getInt("opsbridge.delivery.batch", 50),
                Duration.ofMillis(s.getLong("opsbridge.delivery.lease-ms", 60_000)),
                Duration.ofMillis(s.getLong("opsbridge.delivery.prerequisite-retry-ms", 1000)),
                Duration.ofMillis(s.getLong("opsbridge.delivery.prerequisite-timeout-ms", 86_400_000)));
    }
}
