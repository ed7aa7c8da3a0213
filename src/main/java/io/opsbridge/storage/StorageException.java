package io.opsbridge.storage;

/** The database could not be reached or refused a statement: answered 503, retry later. */
public class StorageException extends RuntimeException {

    public StorageException(Throwable cause) {
        super("storage unavailable: " + cause.getClass().getSimpleName(), cause);
    }
}
