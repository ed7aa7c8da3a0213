package io.opsbridge.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.opsbridge.crypto.Secrets;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one directory an operator edits under a running hub (route files, request templates):
 * which of them changed, and what became of each change. Its owner decides what loading a file
 * means; this class finds the changes and keeps the report ({@link #problems()}, the health check's
 * details, the admin answer, and a counter by outcome).
 *
 * <p>A changed or new file is handed on once two looks in a row read the same text. An editor or
 * {@code cp} truncates a file before it writes it; a file read half-written (empty, or cut mid-line)
 * would otherwise be loaded, or counted as a failure. A file that is gone is not handed on.
 */
public final class LiveFiles {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFiles.class);

    /** What the owner last made of one file. */
    public record FileState(String file, String outcome, String detail, Instant at) {
    }

    private final Path directory;
    private final String suffix;
    private final String what;
    private final String meter;
    private final String meterDescription;
    private final Metrics metrics;
    private final Clock clock;
    /** Content hash of each file as last seen (loaded, refused or noted), by absolute path. */
    private final Map<Path, String> seen = new ConcurrentHashMap<>();
    /** Content hash of each changed file not yet handed on: it is, when the next look sees it unchanged. */
    private final Map<Path, String> settling = new ConcurrentHashMap<>();
    private final Map<Path, FileState> states = new ConcurrentHashMap<>();
    private ScheduledExecutorService scanner;

    /**
     * @param suffix how the names of the files end ({@code .yaml}); other files are not looked at
     * @param what the files, as a log line names them ({@code route files})
     * @param meter the counter of outcomes ({@code opsbridge.route.reloads}, tagged {@code outcome})
     */
    public LiveFiles(Path directory, String suffix, String what, String meter, String meterDescription, Metrics metrics, Clock clock) {
        this.directory = directory.toAbsolutePath().normalize();
        this.suffix = suffix;
        this.what = what;
        this.meter = meter;
        this.meterDescription = meterDescription;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Looks at the directory every {@code interval} on a thread of its own ({@code thread}, owned by
     * {@code owner} in Camel's executor manager), handing each settled change to {@code changed}; a look
     * that fails is logged and the next one tries again.
     */
    public synchronized void watch(CamelContext context, Object owner, String thread, Duration interval,
            BiConsumer<Path, byte[]> changed) {
        scanner = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(owner, thread);
        scanner.scheduleWithFixedDelay(() -> scanLogged(changed), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("The {} in {} reload when they change (every {} ms)", what, directory, interval.toMillis());
    }

    /** Stops looking ({@link #watch}). */
    public synchronized void unwatch(CamelContext context) {
        if (scanner != null) {
            context.getExecutorServiceManager().shutdown(scanner);
            scanner = null;
        }
    }

    /** One look ({@link #scan}), a failure of which is logged rather than thrown. */
    public void scanLogged(BiConsumer<Path, byte[]> changed) {
        try {
            scan(changed);
        } catch (RuntimeException e) {
            LOG.error("The scan of the {} failed: {}", what, e.toString());
        }
    }

    public Path directory() {
        return directory;
    }

    /** The file as reports name it: relative to the directory's parent ({@code routes/flow-x.yaml}). */
    public String name(Path file) {
        return directory.getParent() == null ? file.toString() : directory.getParent().relativize(file).toString();
    }

    /** Every file's text now, by absolute path; later looks hand on what differs from it. */
    public Map<Path, byte[]> baseline() {
        Map<Path, byte[]> texts = new LinkedHashMap<>();
        for (Path file : files()) {
            read(file).ifPresent(bytes -> {
                seen.put(file, Secrets.sha256Hex(bytes));
                texts.put(file, bytes);
            });
        }
        return texts;
    }

    /** One look at the directory: each file changed since it was last handed on, and unchanged since the last look, goes to {@code changed}. */
    public void scan(BiConsumer<Path, byte[]> changed) {
        for (Path file : files()) {
            Optional<byte[]> bytes = read(file);
            if (bytes.isEmpty()) {
                continue;
            }
            String hash = Secrets.sha256Hex(bytes.get());
            if (hash.equals(seen.get(file))) {
                settling.remove(file);
            } else if (!hash.equals(settling.put(file, hash))) {
                continue; // changed since the last look: still being written, perhaps
            } else {
                settling.remove(file);
                seen.put(file, hash);
                changed.accept(file, bytes.get());
            }
        }
    }

    /** Keeps {@code outcome} ({@code ok} clears the file's report) and counts it. */
    public void record(Path file, String outcome, String detail) {
        states.put(file, new FileState(name(file), outcome, detail, clock.instant()));
        Counter.builder(meter).description(meterDescription).tag("outcome", outcome).register(metrics.registry()).increment();
    }

    /** The file's last outcome, if it has one. */
    public Optional<FileState> state(Path file) {
        return Optional.ofNullable(states.get(file));
    }

    /** Files whose last outcome was not {@code ok}, by name. */
    public List<FileState> problems() {
        return states.values().stream().filter(s -> !"ok".equals(s.outcome())).sorted((a, b) -> a.file().compareTo(b.file()))
                .toList();
    }

    /** Whether some file's last outcome was {@code failed}. */
    public boolean failed() {
        return problems().stream().anyMatch(p -> "failed".equals(p.outcome()));
    }

    /** For a health check: the problems, by file. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        for (FileState state : problems()) {
            details.put(state.file(), state.outcome() + ": " + state.detail());
        }
        return details;
    }

    /** The admin API's answer: whether the owner looks for changes, the directory, and each file's problem. */
    public void status(org.apache.camel.Exchange exchange, boolean reloadEnabled) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reloadEnabled", reloadEnabled);
        answer.put("directory", directory.toString());
        answer.put("problems", problems().stream().map(p -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("file", p.file());
            row.put("outcome", p.outcome());
            row.put("detail", p.detail());
            row.put("at", p.at().toString());
            return row;
        }).toList());
        io.opsbridge.http.HttpReplies.json(exchange, 200, answer);
    }

    /** The innermost message, which names what is wrong (an unknown key, a bad URI, a syntax error), on one line. */
    public static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }

    private List<Path> files() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(f -> f.getFileName().toString().endsWith(suffix)).map(f -> f.toAbsolutePath().normalize())
                    .sorted().toList();
        } catch (IOException e) {
            LOG.warn("Cannot list {} in {}: {}", what, directory, e.toString());
            return List.of();
        }
    }

    private static Optional<byte[]> read(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            return Optional.empty(); // gone or being replaced: the next look sees it
        }
    }
}
