package io.opsbridge.inbox;

/** The database could not be reached or refused a write: the request is answered 503, retry later. */
public class InboxUnavailableException extends RuntimeException {

    public InboxUnavailableException(Throwable cause) {
        super("inbox storage unavailable: " + cause.getClass().getSimpleName(), cause);
    }
}
