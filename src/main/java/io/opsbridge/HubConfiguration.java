package io.opsbridge;

import java.nio.file.Path;
import java.time.Clock;

import com.zaxxer.hikari.HikariDataSource;
import io.opsbridge.config.Settings;
import io.opsbridge.http.ServerErrorPages;
import io.opsbridge.inbox.InboxPurge;
import io.opsbridge.inbox.InboxRepository;
import io.opsbridge.inbox.InboxWriter;
import io.opsbridge.ingest.EnvelopeParser;
import io.opsbridge.ingest.EventSchemas;
import io.opsbridge.ingest.RateLimit;
import io.opsbridge.ingest.RequestGuard;
import io.opsbridge.ingest.Senders;
import io.opsbridge.ingest.SignatureCheck;
import io.opsbridge.ingest.TimestampCheck;
import io.opsbridge.ingest.WebhookReplies;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;

/** Binds the beans the routes call, by the names the route files use. */
public final class HubConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        Clock clock = Clock.systemUTC();
        HikariDataSource dataSource = io.opsbridge.storage.Database.open(settings);
        InboxWriter writer = new InboxWriter(dataSource, clock, settings.getInt("opsbridge.inbox.writer-threads", 1),
                settings.getInt("opsbridge.inbox.max-batch", 200));
        Senders senders = Senders.load(settings);
        InboxRepository inbox = new InboxRepository(dataSource, writer, senders, clock);

        Registry registry = context.getRegistry();
        registry.bind("dataSource", dataSource);
        registry.bind("inboxRepository", inbox);
        registry.bind("inboxPurge", new InboxPurge(dataSource, clock));
        registry.bind("requestGuard", new RequestGuard(senders));
        registry.bind("signatureCheck", new SignatureCheck(senders));
        registry.bind("envelopeParser", new EnvelopeParser(senders));
        registry.bind("timestampCheck", new TimestampCheck(senders, clock));
        registry.bind("eventSchemas", EventSchemas.load(Path.of(settings.get("opsbridge.schemas.dir", "schemas"))));
        registry.bind("rateLimit", new RateLimit(senders));
        registry.bind("webhookReplies", new WebhookReplies(inbox));

        try {
            context.addStartupListener(new ServerErrorPages());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try {
            // stopped after the routes: in-flight requests finish their writes, then the pool closes
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    writer.close();
                    dataSource.close();
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
