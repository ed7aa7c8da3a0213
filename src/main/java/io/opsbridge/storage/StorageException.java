package io.opsbridge.storage;

/** The database could not be reached or refused a statement: answered 503, retry later. */
public class StorageException extends RuntimeException {

    public StorageException(Throwable cause) {
        super("storage unavailable: " + describe(cause), cause);
    }

    /**
     * The result of a write another thread commits (group commit), waited for at most {@code seconds}:
     * a failure it reports is rethrown as it is when unchecked, anything else is a StorageException.
     */
    public static <T> T await(java.util.concurrent.Future<T> result, long seconds) {
        try {
            return result.get(seconds, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new StorageException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new StorageException(e.getCause());
        }
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
