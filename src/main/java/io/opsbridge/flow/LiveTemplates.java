package io.opsbridge.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import io.opsbridge.ops.LiveFiles;
import io.opsbridge.ops.Metrics;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live request templates: the text each {@code templates/*.jsonata} is rendered from, and its changes.
 * Every {@code opsbridge.templates.reload-interval-ms} the directory is looked at, and a changed template
 * is taken once two looks in a row read the same text (a file read half-written is never taken, see
 * {@link LiveFiles}). If it parses it is the version every request renders from then on; the delivery
 * workers' parsed copies see a new {@link Version} at their next use and parse it, each once. So a
 * request does no file access: it reads one volatile field.
 *
 * <p>A template that does not parse leaves its last good version in use and is reported once per
 * change: an ERROR line naming the file, line and column, the health check {@code templates},
 * {@code opsbridge_template_reloads_total{outcome="failed"}} and {@code GET /admin/templates}. The fixed
 * template clears the report. A deleted template keeps its last version until the next start.
 *
 * <p>Not started ({@code opsbridge.templates.reload-enabled=false}), or for a file outside the
 * directory, a template is read at its first use and kept; one that does not parse is read again at
 * each use until it does.
 */
public final class LiveTemplates extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LiveTemplates.class);

    /** One version of a template's text: a new object on each change, so a parsed copy knows whether it is current. */
    static final class Version {
        private final String text;

        Version(String text) {
            this.text = text;
        }

        String text() {
            return text;
        }
    }

    /** One template file, and the version requests render from: the last one that parsed. */
    static final class Source {
        private volatile Version current;

        private Source(Version current) {
            this.current = current;
        }

        /** For a template that is not a file: read once, never changes. */
        static Source fixed(String text) {
            return new Source(new Version(text));
        }

        Version current() {
            return current;
        }
    }

    private final CamelContext context;
    private final Duration interval;
    private final LiveFiles files;
    /** Each template with a good version, by absolute path. */
    private final Map<Path, Source> sources = new ConcurrentHashMap<>();

    public LiveTemplates(CamelContext context, Path directory, Duration interval, Metrics metrics, Clock clock) {
        this.context = context;
        this.interval = interval;
        this.files = new LiveFiles(directory, ".jsonata", "templates", "opsbridge.template.reloads",
                "Template reloads, by outcome (ok, failed)", metrics, clock);
    }

    /** The templates' report (the health check {@code templates} reads it). */
    public LiveFiles files() {
        return files;
    }

    /**
     * The template at {@code file} (absolute, normalised), its last good version. A template not known
     * yet is read now and kept if it parses; if it does not, this throws the parser's error, and the
     * next use reads it again.
     */
    Source source(Path file) throws IOException {
        Source known = sources.get(file);
        if (known != null) {
            return known;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Jsonata.jsonata(text); // a JException when it does not parse: nothing is kept
        return sources.computeIfAbsent(file, f -> new Source(new Version(text)));
    }

    @Override
    protected void doStart() {
        files.baseline().forEach(this::load);
        files.watch(context, this, "templates-reload", interval, this::reload);
    }

    @Override
    protected void doStop() {
        files.unwatch(context);
    }

    /** One look at the directory: each changed or new template, once two looks in a row read the same text, is taken if it parses. */
    void scan() {
        files.scanLogged(this::reload);
    }

    /** At start: each template parsed, a broken one reported. */
    private void load(Path file, byte[] bytes) {
        String text = parsing(file, bytes);
        if (text != null) {
            sources.computeIfAbsent(file, f -> new Source(new Version(text)));
        }
    }

    synchronized void reload(Path file, byte[] bytes) {
        String text = parsing(file, bytes);
        if (text == null) {
            return;
        }
        Source source = sources.get(file);
        boolean reported = files.state(file).map(s -> !"ok".equals(s.outcome())).orElse(false);
        if (source != null && source.current.text().equals(text) && !reported) {
            return; // read at its first use already, as it is now
        }
        // a first use may have read it meanwhile
        Source taken = sources.computeIfAbsent(file, f -> new Source(new Version(text)));
        if (!taken.current.text().equals(text)) {
            taken.current = new Version(text);
        }
        files.record(file, "ok", "in use");
        LOG.info("Template {} reloaded", files.name(file));
    }

    /** The template's text when it parses; otherwise null, and it is reported. */
    private String parsing(Path file, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            Jsonata.jsonata(text);
            return text;
        } catch (RuntimeException e) {
            refused(file, text, e);
            return null;
        }
    }

    private void refused(Path file, String text, RuntimeException e) {
        String where = files.name(file) + (e instanceof JException j ? " " + position(text, j.getLocation()) : "");
        String reason = LiveFiles.reason(e);
        String consequence = sources.containsKey(file) ? "requests use its last good version"
                : "it has no good version: requests that use it fail";
        LOG.error("Template {} not loaded: {}; {}", where, reason, consequence);
        files.record(file, "failed", where + ": " + reason + "; " + consequence);
    }

    /** Line and column (1-based) of the parser's location, which is just past the token it stopped at. */
    static String position(String text, int location) {
        int at = Math.max(0, Math.min(location - 1, text.length() - 1));
        int line = 1;
        int column = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return "line " + line + " column " + column;
    }

    /** {@code GET /admin/templates}: whether templates reload, and each template's problem. */
    public void status(org.apache.camel.Exchange exchange) {
        files.status(exchange, isStarted());
    }
}
