package io.opsbridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;

import io.opsbridge.config.Settings;
import io.opsbridge.http.Rejection;
import io.opsbridge.signature.HmacSha256Signature;
import io.opsbridge.signature.StandardWebhooksSignature;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The signature and timestamp checks as the intake runs them, on real Camel exchanges (no server):
 * which header or envelope time counts, and which problem a failure answers.
 */
class IngestChecksTest {

    static final String SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
    static final byte[] BODY = "{\"event_id\":\"e1\"}".getBytes(StandardCharsets.UTF_8);

    static CamelContext context;
    static Senders senders;

    @BeforeAll
    static void start() {
        context = new DefaultCamelContext();
        Properties p = new Properties();
        p.put("opsbridge.senders", "crm,sw");
        p.put("opsbridge.sender.crm.secrets", "crm-secret");
        p.put("opsbridge.sender.crm.tolerance-seconds", "300");
        p.put("opsbridge.sender.sw.scheme", "standard-webhooks");
        p.put("opsbridge.sender.sw.secrets", SW_SECRET);
        p.put("opsbridge.sender.sw.tolerance-seconds", "60");
        context.getPropertiesComponent().setInitialProperties(p);
        senders = Senders.load(new Settings(context));
    }

    @AfterAll
    static void stop() throws Exception {
        context.close();
    }

    static Exchange exchange(String sender) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(Sender.PROPERTY, sender);
        exchange.getMessage().setBody(BODY);
        return exchange;
    }

    interface Check {
        void run() throws Exception;
    }

    static String code(Check check) {
        try {
            check.run();
            return "passed";
        } catch (Rejection r) {
            assertThat(r.problem().status()).isEqualTo(401);
            return r.problem().code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- signature

    @Test
    void aMissingSignatureAndAWrongOneAreTold() {
        SignatureCheck check = new SignatureCheck(senders);
        Exchange none = exchange("crm");
        assertThat(code(() -> check.process(none))).isEqualTo("signature-missing");
        Exchange wrong = exchange("crm");
        wrong.getMessage().setHeader("X-Signature", HmacSha256Signature.sign("other-secret", BODY));
        assertThat(code(() -> check.process(wrong))).isEqualTo("signature-invalid");
        Exchange right = exchange("crm");
        right.getMessage().setHeader("X-Signature", HmacSha256Signature.sign("crm-secret", BODY));
        assertThat(code(() -> check.process(right))).isEqualTo("passed");
    }

    @Test
    void eachSenderVerifiesWithItsOwnScheme() {
        SignatureCheck check = new SignatureCheck(senders);
        Exchange sw = exchange("sw");
        sw.getMessage().setHeader("webhook-id", "msg_1");
        sw.getMessage().setHeader("webhook-timestamp", Long.toString(NOW.getEpochSecond()));
        sw.getMessage().setHeader("webhook-signature", StandardWebhooksSignature.sign(SW_SECRET, "msg_1", NOW.getEpochSecond(), BODY));
        assertThat(code(() -> check.process(sw))).isEqualTo("passed");
        // an hmac header means nothing to a standard-webhooks sender
        Exchange hmac = exchange("sw");
        hmac.getMessage().setHeader("X-Signature", HmacSha256Signature.sign("crm-secret", BODY));
        assertThat(code(() -> check.process(hmac))).isEqualTo("signature-missing");
        Exchange unknown = exchange("nobody");
        assertThatThrownBy(() -> check.process(unknown)).isInstanceOf(IllegalStateException.class).hasMessageContaining("nobody");
    }

    // ---- timestamp

    static InboundEvent signedAt(Instant at) {
        return new InboundEvent("crm", "e1", "ORDER.CREATED", "1.0", at, "ORD-1", BODY, "sha", null);
    }

    @Test
    void theEnvelopeTimeCountsForHmacSenders() {
        TimestampCheck check = new TimestampCheck(senders, Clock.fixed(NOW, ZoneOffset.UTC));
        for (long offset : new long[] {-300, 0, 300}) {
            Exchange e = exchange("crm");
            e.setProperty(InboundEvent.PROPERTY, signedAt(NOW.plusSeconds(offset)));
            assertThat(code(() -> check.process(e))).as("%d s", offset).isEqualTo("passed");
        }
        for (long offset : new long[] {-301, 301}) {
            Exchange e = exchange("crm");
            e.setProperty(InboundEvent.PROPERTY, signedAt(NOW.plusSeconds(offset)));
            assertThatThrownBy(() -> check.process(e)).isInstanceOfSatisfying(Rejection.class, r -> {
                assertThat(r.problem().code()).isEqualTo("timestamp-out-of-tolerance");
                assertThat(r.problem().detail()).contains("301 s").contains("300 s");
                assertThat(r.yieldsToDuplicate()).as("a known event is still a duplicate").isTrue();
            });
        }
        Exchange unreadable = exchange("crm");
        unreadable.setProperty(InboundEvent.PROPERTY, signedAt(null));
        assertThat(code(() -> check.process(unreadable))).as("left to the schema check").isEqualTo("passed");
    }

    @Test
    void theSignedHeaderTimeCountsForStandardWebhooksSenders() {
        TimestampCheck check = new TimestampCheck(senders, Clock.fixed(NOW, ZoneOffset.UTC));
        Exchange fresh = exchange("sw");
        fresh.getMessage().setHeader("webhook-timestamp", Long.toString(NOW.getEpochSecond() - 60));
        // the envelope's own time is not what was signed: the header wins
        fresh.setProperty(InboundEvent.PROPERTY, signedAt(NOW.minusSeconds(3600)));
        assertThatCode(() -> check.process(fresh)).doesNotThrowAnyException();
        Exchange stale = exchange("sw");
        stale.getMessage().setHeader("webhook-timestamp", Long.toString(NOW.getEpochSecond() - 61));
        stale.setProperty(InboundEvent.PROPERTY, signedAt(NOW));
        assertThat(code(() -> check.process(stale))).isEqualTo("timestamp-out-of-tolerance");
    }
}
