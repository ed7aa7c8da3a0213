package io.opsbridge.ops;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private final CamelContext context;
    private final Path directory;
    private final Duration interval;
    /** Which files changed, and the report of what became of each. */
    private final LiveFiles files;
    /** The last good text of each reloadable file, to restore when a new version fails half-way. */
    private final Map<Path, byte[]> lastGood = new ConcurrentHashMap<>();

    public RouteFilesReloader(CamelContext context, Path directory, Duration interval, Metrics metrics, Clock clock) {
        this.context = context;
        this.directory = directory.toAbsolutePath().normalize();
        this.interval = interval;
        this.files = new LiveFiles(directory, ".yaml", "route files", "opsbridge.route.reloads",
                "Route file reloads, by outcome (ok, failed, restart_needed)", metrics, clock);
    }

    /** Files whose last change did not load (the last good version runs), or that need a restart. */
    public List<LiveFiles.FileState> problems() {
        return files.problems();
    }

    /** The files and their report (the health check {@code route-files} reads it). */
    public LiveFiles files() {
        return files;
    }

    @Override
    protected void doStart() {
        lastGood.putAll(files.baseline());
        files.watch(context, this, "route-files-reload", interval, this::reload);
    }

    @Override
    protected void doStop() {
        files.unwatch(context);
    }

    /** One look at the directory: each changed or new file is reloaded on its own, once two looks in a row found the same text. */
    void scan() {
        files.scanLogged(this::reload);
    }

    synchronized void reload(Path file, byte[] bytes) {
        String name = files.name(file);
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        Set<String> kinds = new HashSet<>();
        Matcher top = TOP_LEVEL.matcher(text);
        while (top.find()) {
            kinds.add(top.group(1));
        }
        kinds.remove("route");
        if (!kinds.isEmpty()) {
            files.record(file, "restart_needed", "defines " + String.join(", ", kinds.stream().sorted().toList())
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
        files.record(file, "ok", "routes " + ids(fresh));
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
        String reason = LiveFiles.reason(e);
        Integer line = line(e);
        String where = name + (line == null ? "" : " line " + line);
        LOG.error("Route file {} not loaded: {}; {}", where, reason, consequence);
        files.record(file, "failed", where + ": " + reason + "; " + consequence);
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

    /** {@code GET /admin/route-files}: whether reloading is on, and each file's problem. */
    public void status(org.apache.camel.Exchange exchange) {
        files.status(exchange, isStarted());
    }
}
