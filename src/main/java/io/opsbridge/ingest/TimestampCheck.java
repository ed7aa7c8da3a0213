package io.opsbridge.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.opsbridge.http.HttpRequestView;
import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Step 5 of intake: the signed time must be within the sender's tolerance of the server clock
 * (401). For {@code standard-webhooks} that is {@code webhook-timestamp}; for {@code hmac-sha256}
 * the envelope {@code timestamp}. An unreadable envelope timestamp is left to the schema check.
 */
public final class TimestampCheck implements Processor {

    private final Senders senders;
    private final Clock clock;

    public TimestampCheck(Senders senders, Clock clock) {
        this.senders = senders;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Sender sender = senders.of(exchange);
        Long headerSeconds = sender.signature().signedAt(HttpRequestView.headers(exchange));
        Instant signedAt = headerSeconds != null
                ? Instant.ofEpochSecond(headerSeconds)
                : exchange.getProperty(InboundEvent.PROPERTY, InboundEvent.class).signedAt();
        if (signedAt == null) {
            return;
        }
        Instant now = clock.instant();
        if (!withinTolerance(now, signedAt, sender.tolerance())) {
            Duration skew = Duration.between(now, signedAt).abs();
            throw Rejection.unlessDuplicate(new Problem(401, "timestamp-out-of-tolerance", "Timestamp out of tolerance",
                    "The signed timestamp is " + skew.toSeconds() + " s from the server clock; at most "
                            + sender.tolerance().toSeconds() + " s is accepted. Sign and send events promptly."));
        }
    }

    /** True when {@code signedAt} is at most {@code tolerance} before or after {@code now} (the edge is inside). */
    public static boolean withinTolerance(Instant now, Instant signedAt, Duration tolerance) {
        return Duration.between(now, signedAt).abs().compareTo(tolerance) <= 0;
    }
}
