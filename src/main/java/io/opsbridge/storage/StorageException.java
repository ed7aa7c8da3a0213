package io.opsbridge.storage;

/** The database could not be reached or refused a statement: answered 503, retry later. */
public class StorageException extends RuntimeException {

    public StorageException(Throwable cause) {
        super("storage unavailable: " + describe(cause), cause);
    }

    /**
     * What went wrong, for a log line: the exception class and SQLState, never the driver's message,
     * which can quote statement parameters (request bodies, secrets' hashes).
     */
    public static String describe(Throwable failure) {
        Throwable t = failure instanceof StorageException && failure.getCause() != null ? failure.getCause() : failure;
        String state = t instanceof java.sql.SQLException sql && sql.getSQLState() != null ? " SQLState " + sql.getSQLState() : "";
        return t.getClass().getSimpleName() + state;
    }
}
