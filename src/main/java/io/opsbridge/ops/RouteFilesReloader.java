package io.opsbridge.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.opsbridge.crypto.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live route files: every {@code opsbridge.routes-reload.interval-ms} the route directory is
 * scanned, and a file that changed or appeared has its own routes replaced, and only those: every
 * other route (the webhooks, the admin API, the other flows) keeps running. A file that does not
 * load (bad YAML, an unknown key, an endpoint that cannot be made, a route id another file has)
 * leaves the last good version running; it is reported by an ERROR line naming the file and the
 * line, by the health check {@code route-files}, and by the counter
 * {@code opsbridge_route_reloads_total{outcome="failed"}}.
 *
 * <p>A file of routes ({@code - route:}) is reloaded. One that defines route templates, templated
 * routes, route configurations or REST services is shared by other files' routes or by the HTTP
 * server: its change is reported ({@code outcome="restart_needed"}) and takes effect at the next
 * start. Camel's own reload (camel.main.routes-reload-enabled) stays off: it replaces every route
 * at once.
 */
public final class RouteFilesReloader extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFilesReloader.class);
    private static final Pattern TOP_LEVEL = Pattern.compile("(?m)^- ([A-Za-z]+):");
    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    /** What the reloader last made of one file. */
    public record FileState(String file, String outcome, String detail, Instant at) {
    }

    private final CamelContext context;
    private final Path directory;
    private final Duration interval;
    private final Metrics metrics;
    private final Clock clock;
    /** Content hash of each file as last seen (loaded, refused or noted), by absolute path. */
    private final Map<Path, String> seen = new ConcurrentHashMap<>();
    /** Content hash of each changed file not yet reloaded: it is reloaded when the next scan sees it unchanged. */
    private final Map<Path, String> settling = new ConcurrentHashMap<>();
    /** The last good text of each reloadable file, to restore when a new version fails half-way. */
    private final Map<Path, byte[]> lastGood = new ConcurrentHashMap<>();
    private final Map<Path, FileState> states = new ConcurrentHashMap<>();
    private ScheduledExecutorService scanner;

    public RouteFilesReloader(CamelContext context, Path directory, Duration interval, Metrics metrics, Clock clock) {
        this.context = context;
        this.directory = directory.toAbsolutePath().normalize();
        this.interval = interval;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Files whose last change did not load (the last good version runs), or that need a restart. */
    public List<FileState> problems() {
        return states.values().stream().filter(s -> !"ok".equals(s.outcome())).sorted((a, b) -> a.file().compareTo(b.file()))
                .toList();
    }

    @Override
    protected void doStart() {
        for (Path file : files()) {
            read(file).ifPresent(bytes -> {
                seen.put(file, Secrets.sha256Hex(bytes));
                lastGood.put(file, bytes);
            });
        }
        scanner = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "route-files-reload");
        scanner.scheduleWithFixedDelay(this::scan, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Route files in {} reload when they change (every {} ms)", directory, interval.toMillis());
    }

    @Override
    protected void doStop() {
        if (scanner != null) {
            context.getExecutorServiceManager().shutdown(scanner);
            scanner = null;
        }
    }

    /**
     * One look at the directory: each changed or new file is reloaded on its own, once two looks in a
     * row found the same text. An editor or {@code cp} truncates a file before it writes it; a file read
     * half-written (empty, or cut mid-line) would otherwise take its routes out or count as a failure.
     */
    void scan() {
        try {
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
                    reload(file, bytes.get());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Route files scan failed: {}", e.toString());
        }
    }

    synchronized void reload(Path file, byte[] bytes) {
        String name = directory.getParent() == null ? file.toString() : directory.getParent().relativize(file).toString();
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        Set<String> kinds = new HashSet<>();
        Matcher top = TOP_LEVEL.matcher(text);
        while (top.find()) {
            kinds.add(top.group(1));
        }
        kinds.remove("route");
        if (!kinds.isEmpty()) {
            record(file, name, "restart_needed", "defines " + String.join(", ", kinds.stream().sorted().toList())
                    + ": shared by other routes, it takes effect at the next start");
            LOG.warn("Route file {} changed; it defines {}, which take effect at the next start", name, kinds);
            return;
        }
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> old = model.getRouteDefinitions().stream().filter(r -> isFrom(r, file)).toList();
        List<RouteDefinition> fresh;
        try {
            fresh = parse(file, bytes);
            Set<String> oldIds = ids(old);
            for (RouteDefinition route : fresh) {
                RouteDefinition other = route.getRouteId() == null ? null : model.getRouteDefinition(route.getRouteId());
                if (other != null && !oldIds.contains(route.getRouteId())) {
                    throw new IllegalArgumentException("route id " + route.getRouteId() + " is already defined in "
                            + (other.getResource() == null ? "another file" : other.getResource().getLocation()));
                }
            }
        } catch (Exception e) {
            refused(file, name, e, old.isEmpty() ? "nothing of it runs" : "the last good version keeps running");
            return;
        }
        try {
            model.removeRouteDefinitions(old);
            model.addRouteDefinitions(fresh);
        } catch (Exception e) {
            restore(model, file, name);
            refused(file, name, e, old.isEmpty() ? "nothing of it runs" : "the last good version was put back");
            return;
        }
        lastGood.put(file, bytes);
        record(file, name, "ok", "routes " + ids(fresh));
        LOG.info("Route file {} reloaded: routes {}", name, ids(fresh));
    }

    /** The new version failed once its routes were being made: take out what it added, put the last good one back. */
    private void restore(Model model, Path file, String name) {
        try {
            List<RouteDefinition> added = model.getRouteDefinitions().stream().filter(r -> isFrom(r, file)).toList();
            model.removeRouteDefinitions(added);
            byte[] good = lastGood.get(file);
            if (good != null) {
                model.addRouteDefinitions(parse(file, good));
            }
        } catch (Exception e) {
            LOG.error("Route file {}: the last good version could not be put back either ({}); restart the hub", name, e.toString());
        }
    }

    private List<RouteDefinition> parse(Path file, byte[] bytes) throws Exception {
        Resource resource = ResourceHelper.fromBytes("file:" + file, bytes);
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource));
        List<RouteDefinition> routes = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routeBuilder) {
                routes.addAll(routeBuilder.configureRoutes(context).getRoutes());
            }
        }
        return routes;
    }

    private void refused(Path file, String name, Exception e, String consequence) {
        String reason = reason(e);
        Integer line = line(e);
        String where = name + (line == null ? "" : " line " + line);
        LOG.error("Route file {} not loaded: {}; {}", where, reason, consequence);
        record(file, name, "failed", where + ": " + reason + "; " + consequence);
    }

    private void record(Path file, String name, String outcome, String detail) {
        states.put(file, new FileState(name, outcome, detail, clock.instant()));
        Counter.builder("opsbridge.route.reloads").description("Route file reloads, by outcome (ok, failed, restart_needed)")
                .tag("outcome", outcome).register(metrics.registry()).increment();
    }

    /** The innermost message, which names what is wrong (an unknown key, a bad URI, a YAML error). */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replaceAll("\\s+", " ").trim();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }

    /** The line the YAML parser or Camel's YAML DSL names (1-based), when one does. */
    static Integer line(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException marked
                    && marked.getProblemMark().isPresent()) {
                return marked.getProblemMark().get().getLine() + 1;
            }
            Matcher m = LINE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Integer.valueOf(m.group(1));
            }
        }
        return null;
    }

    private boolean isFrom(RouteDefinition route, Path file) {
        Resource resource = route.getResource();
        if (resource == null || resource.getLocation() == null) {
            return false;
        }
        String location = resource.getLocation().replaceFirst("^file:", "");
        return Path.of(location).toAbsolutePath().normalize().equals(file);
    }

    private static Set<String> ids(List<RouteDefinition> routes) {
        Set<String> ids = new java.util.TreeSet<>();
        routes.forEach(r -> ids.add(r.getRouteId()));
        return ids;
    }

    private List<Path> files() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(f -> f.getFileName().toString().endsWith(".yaml")).map(f -> f.toAbsolutePath().normalize())
                    .sorted().toList();
        } catch (IOException e) {
            LOG.warn("Cannot list route files in {}: {}", directory, e.toString());
            return List.of();
        }
    }

    private static Optional<byte[]> read(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            return Optional.empty(); // gone or being replaced: the next scan sees it
        }
    }

    /** {@code GET /admin/route-files}: whether reloading is on, and each file's problem. */
    public void status(org.apache.camel.Exchange exchange) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("reloadEnabled", isStarted());
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

    /** For the health check: the problems, by file. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        for (FileState state : problems()) {
            details.put(state.file(), state.outcome() + ": " + state.detail());
        }
        return details;
    }
}
