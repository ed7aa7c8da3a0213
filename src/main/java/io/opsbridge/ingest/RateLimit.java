package io.opsbridge.ingest;

import io.opsbridge.http.Problem;
import io.opsbridge.http.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Step 7 of intake: the sender's rate limit (429 with {@code Retry-After}). */
public final class RateLimit implements Processor {

    private final Senders senders;

    public RateLimit(Senders senders) {
        this.senders = senders;
    }

    @Override
    public void process(Exchange exchange) {
        long waitSeconds = senders.of(exchange).rateLimiter().tryAcquire();
        if (waitSeconds > 0) {
            throw Rejection.unlessDuplicate(new Problem(429, "rate-limited", "Too many requests",
                    "This sender is over its rate limit; retry after " + waitSeconds + " s.")
                    .withHeader("Retry-After", Long.toString(waitSeconds)));
        }
    }
}
