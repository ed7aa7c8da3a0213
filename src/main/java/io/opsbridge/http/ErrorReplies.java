package io.opsbridge.http;

import java.util.UUID;

import io.opsbridge.storage.StorageException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a route threw into its answer, once for every API: a {@link Rejection} is the client's
 * problem as it was raised; anything else is ours, a 503 when storage is unavailable, else a 500,
 * logged as one line with an incident id that the answer repeats. Never a stack trace.
 */
public final class ErrorReplies {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

    public void rejected(Exchange exchange) {
        Rejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Rejection.class);
        Problem problem = rejection.problem();
        LOG.info("{} {} refused {} {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                exchange.getMessage().getHeader(Exchange.HTTP_PATH), problem.status(), problem.code());
        HttpReplies.problem(exchange, problem);
    }

    public void failed(Exchange exchange) {
        answerFailure(exchange, String.valueOf(exchange.getFromRouteId()));
    }

    /** Answers the exchange's exception as our fault; {@code where} names the route or sender in the log line. */
    public static void answerFailure(Exchange exchange, String where) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String incident = UUID.randomUUID().toString();
        if (cause instanceof StorageException) {
            LOG.error("{}: storage unavailable (incident {}): {}", where, incident, StorageException.describe(cause));
            HttpReplies.problem(exchange, new Problem(503, "storage-unavailable", "Storage unavailable",
                    "Nothing was stored. Retry later; incident " + incident + ".").withHeader("Retry-After", "5"));
            return;
        }
        LOG.error("{}: failed (incident {}): {}", where, incident, cause == null ? "unknown" : cause.toString());
        HttpReplies.problem(exchange, new Problem(500, "internal-error", "Internal error",
                "Nothing was stored. Retry later; incident " + incident + "."));
    }
}
