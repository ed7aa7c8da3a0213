package io.opsbridge.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.opsbridge.storage.Jdbc;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The arithmetic of the redelivery policy declared in routes/delivery-errors.yaml. The route file says
 * which failures retry (matched by exception type and status) and with which attempts, base and
 * maximum delay and Retry-After cap; this bean counts the attempts made (from the database, so a
 * restart continues with the attempts left instead of starting over) and draws the wait: before
 * retry k it is uniform in [0, min(max, base * 2^(k-1))] (full jitter); after a 429 at least its
 * Retry-After, capped.
 */
public final class RedeliveryPolicy {

    /** Exchange properties the policy sets. */
    public static final String RETRY = "retry";
    public static final String DELAY_MS = "retryDelayMs";
    public static final String LAST_STATUS = "lastStatus";
    public static final String LAST_ERROR = "lastError";

    private final Jdbc jdbc;
    private final Clock clock;

    public RedeliveryPolicy(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * A failure the route file declared retryable: retry after a drawn delay while attempts are
     * left (property {@value #RETRY} true, {@value #DELAY_MS}), else give up (false).
     */
    public void retry(Exchange exchange, int maxAttempts, long baseDelayMs, long maxDelayMs, long retryAfterCapMs) {
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        String step = exchange.getProperty(FlowEvent.STEP, "flow", String.class);
        Long retryAfterMs = null;
        if (failure(exchange) instanceof HttpOperationFailedException http && http.getStatusCode() == 429) {
            retryAfterMs = retryAfterMillis(http.getResponseHeaders(), clock.instant());
        }
        int attempts = attempts(event, step);
        boolean retry = attempts < maxAttempts;
        describe(exchange, retry);
        if (retry) {
            long delay = delayMillis(Math.max(1, attempts), baseDelayMs, maxDelayMs, retryAfterMs, retryAfterCapMs,
                    ThreadLocalRandom.current().nextDouble());
            exchange.setProperty(DELAY_MS, delay);
            // for the trace; committed with the retry's state change; only this claim's own attempt
            jdbc.updateLater("UPDATE delivery_attempt SET next_delay_ms = ? WHERE id = (SELECT MAX(id) FROM delivery_attempt "
                    + "WHERE event_pk = ? AND generation = ? AND step = ?) AND lease_owner = ?", delay, event.pk(),
                    event.generation(), step, event.leaseOwner());
        }
    }

    /** A failure the route file declared final (a 4xx, a bug, a bad answer): no retry. */
    public void giveUp(Exchange exchange) {
        describe(exchange, false);
    }

    private static void describe(Exchange exchange, boolean retry) {
        Throwable failure = failure(exchange);
        Integer status = failure instanceof HttpOperationFailedException http ? http.getStatusCode() : null;
        exchange.setProperty(RETRY, retry);
        exchange.setProperty(LAST_STATUS, status);
        exchange.setProperty(LAST_ERROR, describe(failure, status));
    }

    private static Throwable failure(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    /**
     * Full jitter: uniform in [0, min(cap, base * 2^(k-1))] for retry k; after a 429, at least its
     * Retry-After, and never more than {@code retryAfterCapMs}.
     *
     * @param uniform a number in [0, 1)
     */
    public static long delayMillis(int k, long baseMs, long capMs, Long retryAfterMs, long retryAfterCapMs, double uniform) {
        double ceiling = Math.min(capMs, baseMs * Math.pow(2, Math.min(k - 1, 40)));
        long backoff = (long) (uniform * ceiling);
        if (retryAfterMs == null) {
            return backoff;
        }
        return Math.min(Math.max(backoff, retryAfterMs), Math.max(retryAfterCapMs, backoff));
    }

    /** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
    static Long retryAfterMillis(Map<String, String> headers, Instant now) {
        if (headers == null) {
            return null;
        }
        String value = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Retry-After"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim())) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, Duration.between(now, at).toMillis());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private int attempts(FlowEvent event, String step) {
        return jdbc.one("SELECT COUNT(*) FROM delivery_attempt WHERE event_pk = ? AND generation = ? AND step = ?",
                rs -> rs.getInt(1), event.pk(), event.generation(), step).orElse(0);
    }

    static String describe(Throwable failure, Integer status) {
        if (status != null) {
            return "HTTP " + status;
        }
        if (failure == null) {
            return "unknown failure";
        }
        String message = failure.getMessage();
        String text = failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
