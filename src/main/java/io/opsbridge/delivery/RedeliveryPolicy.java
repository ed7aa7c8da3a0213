package io.opsbridge.delivery;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.StorageException;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The redelivery policy of every flow (SPEC section 3), applied by routes/delivery-errors.yaml when a
 * step fails: retry on connection errors, timeouts, 5xx, 429 and 409 (but 409 on POST /picks is
 * handled in its flow as out of stock); any other 4xx, or a step out of attempts, goes to the
 * dead-letter channel. The wait before retry k is uniform in [0, min(max, base * 2^(k-1))] (full
 * jitter); after a 429 it is at least the Retry-After, capped. Attempts are counted from the
 * database, so a restart continues with the attempts left instead of starting over.
 */
public final class RedeliveryPolicy {

    /** Exchange properties the decision sets. */
    public static final String RETRY = "retry";
    public static final String DELAY_MS = "retryDelayMs";
    public static final String LAST_STATUS = "lastStatus";
    public static final String LAST_ERROR = "lastError";

    private final Jdbc jdbc;
    private final DeliverySettings settings;
    private final Clock clock;

    public RedeliveryPolicy(Jdbc jdbc, DeliverySettings settings, Clock clock) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.clock = clock;
    }

    /** Decides retry-or-dead-letter for the exchange's failure and how long to wait. */
    public void decide(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        FlowEvent event = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class);
        String step = exchange.getProperty(FlowEvent.STEP, "flow", String.class);
        Integer status = null;
        Long retryAfterMs = null;
        boolean retryable;
        if (failure instanceof HttpOperationFailedException http) {
            status = http.getStatusCode();
            retryable = status >= 500 || status == 429 || status == 409 || status == 408;
            if (status == 429) {
                retryAfterMs = retryAfterMillis(http.getResponseHeaders(), clock.instant());
            }
        } else {
            retryable = isTransient(failure);
        }
        int attempts = attempts(event, step);
        boolean retry = retryable && attempts < settings.maxAttempts();
        exchange.setProperty(RETRY, retry);
        exchange.setProperty(LAST_STATUS, status);
        exchange.setProperty(LAST_ERROR, describe(failure, status));
        if (retry) {
            long delay = delayMillis(Math.max(1, attempts), settings.baseDelay().toMillis(), settings.maxDelay().toMillis(),
                    retryAfterMs, settings.retryAfterCap().toMillis(), ThreadLocalRandom.current().nextDouble());
            exchange.setProperty(DELAY_MS, delay);
            jdbc.update("UPDATE delivery_attempt SET next_delay_ms = ? WHERE id = (SELECT MAX(id) FROM delivery_attempt "
                    + "WHERE event_pk = ? AND generation = ? AND step = ?)", delay, event.pk(), event.generation(), step);
        }
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

    /** Connection errors, timeouts and an unavailable database pass; a bug or a bad answer does not. */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof StorageException || t instanceof SQLException
                    || t.getClass().getName().contains("Timeout")) {
                return true;
            }
        }
        return false;
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
