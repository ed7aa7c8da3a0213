package io.opsbridge;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.opsbridge.admin.AdminAuth;
import io.opsbridge.config.Settings;
import io.opsbridge.console.ConsoleFiles;
import io.opsbridge.crypto.SecretBox;
import io.opsbridge.delivery.Alerts;
import io.opsbridge.delivery.AttemptRecorder;
import io.opsbridge.delivery.DeadLetters;
import io.opsbridge.delivery.DeliveryOutcome;
import io.opsbridge.delivery.DeliverySettings;
import io.opsbridge.delivery.Escalations;
import io.opsbridge.delivery.EventSearch;
import io.opsbridge.delivery.EventTrace;
import io.opsbridge.delivery.InboxDispatcher;
import io.opsbridge.delivery.Reconciler;
import io.opsbridge.delivery.RedeliveryPolicy;
import io.opsbridge.flow.FlowRequests;
import io.opsbridge.flow.LiveTemplates;
import io.opsbridge.flow.Mapping;
import io.opsbridge.flow.DownstreamHttpClient;
import io.opsbridge.flow.OrderLinks;
import io.opsbridge.flow.ParsedOnceJsonata;
import io.opsbridge.flow.TemplateFunctions;
import io.opsbridge.http.ErrorReplies;
import io.opsbridge.http.RequestGuard;
import io.opsbridge.http.RouterHandlers;
import io.opsbridge.http.ServerErrorPages;
import io.opsbridge.ops.HttpServerMetrics;
import io.opsbridge.ops.ScheduledJobs;
import io.opsbridge.inbox.InboxPurge;
import io.opsbridge.inbox.InboxRepository;
import io.opsbridge.inbox.InboxStore;
import io.opsbridge.inbox.InboxWriter;
import io.opsbridge.ingest.EnvelopeParser;
import io.opsbridge.ingest.EventSchemas;
import io.opsbridge.ingest.RateLimit;
import io.opsbridge.ingest.Senders;
import io.opsbridge.ingest.SignatureCheck;
import io.opsbridge.ingest.TimestampCheck;
import io.opsbridge.ingest.WebhookReplies;
import io.opsbridge.ops.DatabaseHealth;
import io.opsbridge.ops.InboxGauges;
import io.opsbridge.ops.Metrics;
import io.opsbridge.ops.Overview;
import io.opsbridge.ops.LiveFilesHealth;
import io.opsbridge.ops.RouteFilesReloader;
import io.opsbridge.sandbox.SandboxSystems;
import io.opsbridge.sandbox.SandboxWebhooks;
import io.opsbridge.storage.Database;
import io.opsbridge.storage.H2FileCompaction;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.storage.MigratedPool;
import io.opsbridge.tenant.Geocoder;
import io.opsbridge.tenant.PullEndpoints;
import io.opsbridge.tenant.PullSchedules;
import io.opsbridge.tenant.TenantAdmin;
import io.opsbridge.tenant.WmsOrderStore;
import io.opsbridge.tenant.WmsOrderValidation;
import io.opsbridge.tenant.WmsPull;
import io.opsbridge.tenant.WmsWebhookAuth;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Binds the beans the routes call, by the names the route files use: intake here, then tenants,
 * delivery, the reconciler, the sandbox and operability, each in its own section.
 */
public final class HubConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        // the clock of every time-driven rule (retention, SLA, leases, tolerance, rate limits): the system's,
        // or one bound as "clock" before the start (a test's controlled clock)
        Clock boundClock = context.getRegistry().lookupByNameAndType("clock", Clock.class);
        Clock clock = boundClock != null ? boundClock : Clock.systemUTC();
        LongSupplier nanoTime = boundClock == null ? System::nanoTime : () -> {
            java.time.Instant now = boundClock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
        // before the database opens on its thread: a generated key is written into opsbridge.data-dir, and
        // two threads creating that directory at once made H2 fail ("a file with this name already exists")
        SecretBox secretBox = SecretBox.open(settings.find("opsbridge.secrets.key"),
                Path.of(settings.get("opsbridge.secrets.key-file", "./data/secrets.key")));
        // opened and migrated in the background while the routes are built; connections wait for it
        MigratedPool dataSource = new MigratedPool(() -> Database.open(settings));
        // writes commit as the server's kind wants (io.opsbridge.storage.Store, known at first use): on the H2
        // file every thread's small writes share one writer's commits, the inbox writer's inserts too; on
        // PostgreSQL each thread commits on its own connection
        Jdbc jdbc = new Jdbc(dataSource, settings.getInt("opsbridge.db.group-commit-max", 400));
        InboxWriter writer = new InboxWriter(jdbc, clock, settings.getInt("opsbridge.inbox.writer-threads", 1),
                settings.getInt("opsbridge.inbox.max-batch", 200));
        Senders senders = Senders.load(settings, nanoTime);
        InboxRepository inbox = new InboxRepository(dataSource, writer, senders, clock);

        Registry registry = context.getRegistry();
        // the embedded HTTP server's options: each request waits on a worker thread for its group
        // commit, so the pool bounds how many events one commit can carry
        registry.bind("vertxOptions", new VertxOptions().setWorkerPoolSize(settings.getInt("opsbridge.http.worker-threads", 64)));
        registry.bind("dataSource", dataSource);
        registry.bind("inboxRepository", inbox);
        registry.bind("inboxPurge", new InboxPurge(dataSource, clock));
        H2FileCompaction h2FileCompaction = new H2FileCompaction(dataSource, new H2FileCompaction.Budgets(
                settings.getLong("opsbridge.db.h2-compaction.budget-ms", 100), settings.getLong("opsbridge.db.h2-compaction.idle-budget-ms", 800),
                settings.getLong("opsbridge.db.h2-compaction.stop-budget-ms", 10_000),
                settings.getLong("opsbridge.db.h2-compaction.stop-copy-max-mb", 128) << 20));
        registry.bind("h2FileCompaction", h2FileCompaction);
        registry.bind("requestGuard", new RequestGuard(exchange -> senders.of(exchange).maxBodyBytes()));
        registry.bind("signatureCheck", new SignatureCheck(senders));
        registry.bind("envelopeParser", new EnvelopeParser(senders));
        registry.bind("timestampCheck", new TimestampCheck(senders, clock));
        // read in the background while the routes are built; the start waits for them before it serves
        EventSchemas eventSchemas = EventSchemas.loadInBackground(Path.of(settings.get("opsbridge.schemas.dir", "schemas")));
        registry.bind("eventSchemas", eventSchemas);
        registry.bind("rateLimit", new RateLimit(senders));
        Metrics metrics = new Metrics(context);
        WebhookReplies webhookReplies = new WebhookReplies(inbox, senders, metrics);
        registry.bind("webhookReplies", webhookReplies);
        // the two answers of every accepted request, called directly (no bean method lookup per request)
        registry.bind("acceptedReply", (Processor) webhookReplies::accepted);
        registry.bind("duplicateReply", (Processor) webhookReplies::duplicate);
        registry.bind("errorReplies", new ErrorReplies());

        // this process among the nodes sharing the database: owner of the event and job leases it takes
        String node = UUID.randomUUID().toString();
        ScheduledJobs jobs = new ScheduledJobs(jdbc, clock, node, metrics);
        registry.bind("scheduledJobs", jobs);
        AdminAuth adminAuth = bindTenants(context, settings, clock, jdbc, dataSource, jobs, secretBox);
        bindDelivery(context, settings, clock, jdbc, metrics, writer, node);

        registry.bind("reconciler", new Reconciler(jdbc, clock, inbox, senders.named(settings.get("opsbridge.reconciler.sender", "crm")),
                eventSchemas, settings.get("opsbridge.crm.url"), settings.find("opsbridge.crm.token").orElse(null),
                context.createProducerTemplate()));

        bindSandbox(registry, settings, clock);

        // operability: metrics series, inbox gauges, readiness including the database
        registry.bind("inboxGauges", new InboxGauges(jdbc, clock, metrics));
        registry.bind("overview", new Overview(jdbc, clock, metrics));
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new DatabaseHealth(dataSource));
        }
        // live route files and templates: each answers its admin endpoint (/admin/route-files, /admin/templates)
        // whether it runs or not
        RouteFilesReloader reloader = new RouteFilesReloader(context, Path.of(settings.get("opsbridge.routes-reload.directory",
                "routes")), Duration.ofMillis(settings.getLong("opsbridge.routes-reload.interval-ms", 1000)), metrics, clock);
        registry.bind("routeFiles", reloader);
        if (Boolean.parseBoolean(settings.get("opsbridge.routes-reload.enabled", "false"))) {
            startLive(context, health, reloader, new LiveFilesHealth("route-files", reloader.files(),
                    "a route file did not load; its last good version runs"));
        }
        LiveTemplates templates = new LiveTemplates(context, Path.of(settings.get("opsbridge.templates.dir", "templates")),
                Duration.ofMillis(settings.getLong("opsbridge.templates.reload-interval-ms", 500)), metrics, clock);
        registry.bind("templateFiles", templates);
        // the jsonata: component the flows render their request bodies with, each version of a template parsed once per thread
        registry.bind("jsonata", new ParsedOnceJsonata(templates));
        if (Boolean.parseBoolean(settings.get("opsbridge.templates.reload-enabled", "true"))) {
            startLive(context, health, templates, new LiveFilesHealth("templates", templates.files(),
                    "a template did not load"));
        }

        try {
            context.addStartupListener(RouterHandlers.installedOnce(List.of(new ServerErrorPages(), new ConsoleFiles(),
                    new HttpServerMetrics(metrics), adminAuth)));
            // the connection pool's own series (hikaricp_connections_*), once the meter registry is up; and
            // the event schemas read: a schema file that cannot be read stops the start
            context.addStartupListener((started, alreadyStarted) -> {
                if (!alreadyStarted) {
                    dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics.registry()));
                    eventSchemas.awaitLoaded();
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try {
            // stopped after the routes: in-flight requests finish their writes, then the pool closes
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    writer.close();
                    jdbc.close();
                    h2FileCompaction.beforeClose();
                    dataSource.close();
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A service that looks for changed files, started with the context, and its health check. */
    private static void startLive(CamelContext context, HealthCheckRegistry health, ServiceSupport service, LiveFilesHealth check) {
        if (health != null) {
            health.register(check);
        }
        try {
            context.addService(service, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tenants: the admin API's authentication (returned: the server installs it), the WMS order webhook and pulls, geocoding. */
    private static AdminAuth bindTenants(CamelContext context, Settings settings, Clock clock, Jdbc jdbc, DataSource dataSource,
            ScheduledJobs jobs, SecretBox secretBox) {
        Registry registry = context.getRegistry();
        AdminAuth adminAuth = new AdminAuth(settings.find("opsbridge.admin.token"), dataSource, clock);
        long tenantMaxBody = settings.getLong("opsbridge.tenant-intake.max-body-bytes", 1_048_576);
        Geocoder geocoder = new Geocoder(jdbc, clock, settings.get("opsbridge.geocoder.url", ""),
                settings.get("opsbridge.geocoder.user-agent", "OpsBridge"), settings.getInt("opsbridge.geocoder.max-attempts", 5));
        TenantAdmin tenantAdmin = new TenantAdmin(jdbc, clock, settings.get("opsbridge.public-url",
                "http://localhost:" + settings.get("camel.server.port", "8080")));
        PullSchedules pullSchedules = new PullSchedules(jdbc);
        registry.bind("geocoder", geocoder);
        registry.bind("tenantAdmin", tenantAdmin);
        registry.bind("tenantRequestGuard", new RequestGuard(exchange -> tenantMaxBody));
        registry.bind("wmsWebhookAuth", new WmsWebhookAuth(jdbc));
        registry.bind("wmsOrderValidation", new WmsOrderValidation(jdbc, settings.getInt("opsbridge.tenant-intake.max-orders", 500)));
        registry.bind("wmsOrderStore", new WmsOrderStore(jdbc, clock, geocoder.enabled()));
        registry.bind("wmsPull", new WmsPull(jdbc, clock, secretBox, tenantMaxBody, jobs));
        registry.bind("pullEndpoints", new PullEndpoints(jdbc, clock, secretBox, pullSchedules, tenantAdmin,
                context.createProducerTemplate()));

        try {
            context.addStartupListener(pullSchedules);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return adminAuth;
    }

    /** The downstream systems the flows call: opsbridge.<system>.url and .token. */
    static final List<String> DOWNSTREAM_SYSTEMS = List.of("crm", "taskmanager", "wms");

    /** Delivery: the inbox consumer, the flows' beans, redelivery, dead letters, alerts, trace. */
    private static void bindDelivery(CamelContext context, Settings settings, Clock clock, Jdbc jdbc, Metrics metrics,
            InboxWriter writer, String node) {
        Registry registry = context.getRegistry();
        DeliverySettings delivery = DeliverySettings.from(settings);
        // the only code that changes an event's state once it is stored; outcomes fenced by the claim's lease
        InboxStore store = new InboxStore(jdbc, metrics);
        DeliveryOutcome outcomes = new DeliveryOutcome(jdbc, store, clock, delivery, metrics);
        InboxDispatcher dispatcher = new InboxDispatcher(jdbc, store, clock, delivery, outcomes, node);
        dispatcher.bind(context);
        DeadLetters deadLetters = new DeadLetters(jdbc, store, clock);
        Map<String, String> tokens = new HashMap<>();
        for (String system : DOWNSTREAM_SYSTEMS) {
            settings.find("opsbridge." + system + ".token").ifPresent(t -> tokens.put(system, t));
        }
        registry.bind("inboxDispatcher", dispatcher);
        registry.bind("deliveryOutcome", outcomes);
        registry.bind("redeliveryPolicy", new RedeliveryPolicy(jdbc, clock));
        registry.bind("deadLetters", deadLetters);
        registry.bind("eventTrace", new EventTrace(jdbc, deadLetters));
        registry.bind("eventSearch", new EventSearch(jdbc));
        registry.bind("alerts", new Alerts(settings.get("opsbridge.alerts.webhook-url", "")));
        registry.bind("escalations", new Escalations(jdbc, clock,
                Duration.ofMillis(settings.getLong("opsbridge.escalation.sla-ms", 3_600_000))));
        registry.bind("orderLinks", new OrderLinks(jdbc, store, clock));
        registry.bind("downstreamHttpClient", new DownstreamHttpClient());
        registry.bind("flowRequests", new FlowRequests(tokens, settings.get("opsbridge.source", "opsbridge"),
                settings.getList("opsbridge.mapping.location-preferences")));
        registry.bind("templateFunctions", new TemplateFunctions(new Mapping(settings.getList("opsbridge.mapping.priority"),
                settings.get("opsbridge.mapping.default-priority", "normal"))));
        if (Boolean.parseBoolean(settings.get("opsbridge.delivery.enabled", "true"))) {
            // new events start their flows at once, not at the next poll
            writer.afterCommit(dispatcher::wake);
            // exchange events cost every request a little: an intake-only node does without
            Map<String, String> systems = new HashMap<>();
            for (String system : DOWNSTREAM_SYSTEMS) {
                systems.put(settings.get("opsbridge." + system + ".url", "unset:" + system), system);
            }
            context.getManagementStrategy().addEventNotifier(new AttemptRecorder(jdbc, store, clock, metrics, systems));
        }
        // stop taking events before the routes stop, and let running ones finish
        SimpleEventNotifierSupport onStopping = new SimpleEventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                dispatcher.drain(settings.getLong("opsbridge.delivery.drain-timeout-ms", 10_000));
            }
        };
        // only context events: exchange events would be built for every request if anyone asked
        onStopping.setIgnoreExchangeEvents(true);
        onStopping.setIgnoreRouteEvents(true);
        onStopping.setIgnoreServiceEvents(true);
        onStopping.setIgnoreStepEvents(true);
        context.getManagementStrategy().addEventNotifier(onStopping);

    }

    /** The demo's sandbox systems (sandbox/*.yaml; their routes start only when opsbridge.sandbox.enabled). */
    private static void bindSandbox(Registry registry, Settings settings, Clock clock) {
        Map<String, String> schemes = new HashMap<>();
        Map<String, List<String>> senderSecrets = new HashMap<>();
        for (String sender : settings.getList("opsbridge.senders")) {
            schemes.put(sender, settings.get("opsbridge.sender." + sender + ".scheme", "hmac-sha256"));
            senderSecrets.put(sender, settings.getList("opsbridge.sender." + sender + ".secrets"));
        }
        SandboxWebhooks sandboxWebhooks = new SandboxWebhooks(clock, settings.get("opsbridge.sandbox.hub-url",
                "http://127.0.0.1:" + settings.get("camel.server.port", "8080")), schemes, senderSecrets, settings.getLong("opsbridge.sandbox.pick-delay-ms", 2000));
        registry.bind("sandboxSystems", new SandboxSystems(clock, sandboxWebhooks, settings.getList("opsbridge.sandbox.stock")));

    }
}
