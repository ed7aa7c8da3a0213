package io.opsbridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A value made on a named daemon thread of its own while the caller goes on (the hub's start opens
 * the database and reads the event schemas this way while it builds its routes). Asking for the value
 * waits for it, and what made it fail is thrown as it was thrown.
 */
public final class Background<T> {

    private final CompletableFuture<T> value;

    private Background(CompletableFuture<T> value) {
        this.value = value;
    }

    /** Starts {@code work} at once on a daemon thread named {@code threadName}. */
    public static <T> Background<T> start(String threadName, Supplier<T> work) {
        CompletableFuture<T> value = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                value.complete(work.get());
            } catch (RuntimeException | Error e) {
                value.completeExceptionally(e);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return new Background<>(value);
    }

    /** A value already made. */
    public static <T> Background<T> of(T value) {
        return new Background<>(CompletableFuture.completedFuture(value));
    }

    /** The value, once made; the exception or error that stopped {@code work}, if one did. */
    public T get() {
        try {
            return value.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Runs {@code action} with the value once it is made (never, if making it failed). */
    public void whenMade(Consumer<T> action) {
        value.thenAccept(action);
    }
}
