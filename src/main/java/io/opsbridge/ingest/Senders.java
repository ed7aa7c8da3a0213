package io.opsbridge.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.LongSupplier;

import io.opsbridge.config.Settings;
import io.opsbridge.signature.Ed25519PublicKey;
import io.opsbridge.signature.HmacSha256Signature;
import io.opsbridge.signature.StandardWebhooksSignature;
import io.opsbridge.signature.WebhookSignature;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured senders, read once at start (a bad setting stops the start, not a request). */
public final class Senders {

    private static final Logger LOG = LoggerFactory.getLogger(Senders.class);

    private final Map<String, Sender> byName;

    private Senders(Map<String, Sender> byName) {
        this.byName = byName;
    }

    public static Senders load(Settings settings) {
        return load(settings, System::nanoTime);
    }

    /** @param nanoTime the time the rate limiters refill by */
    public static Senders load(Settings settings, LongSupplier nanoTime) {
        long defaultTolerance = settings.getLong("opsbridge.webhooks.tolerance-seconds", 300);
        long defaultMaxBody = settings.getLong("opsbridge.webhooks.max-body-bytes", 1_048_576);
        Map<String, Sender> senders = new LinkedHashMap<>();
        for (String name : settings.getList("opsbridge.senders")) {
            String prefix = "opsbridge.sender." + name + ".";
            String scheme = settings.get(prefix + "scheme", HmacSha256Signature.SCHEME);
            var secrets = settings.getList(prefix + "secrets");
            List<Ed25519PublicKey> publicKeys = publicKeys(name, prefix, settings.getList(prefix + "public-keys"));
            if (secrets.stream().anyMatch(s -> s.startsWith(Ed25519PublicKey.PRIVATE_PREFIX))) {
                throw new IllegalStateException("Sender " + name + ": " + prefix + "secrets holds a private key ("
                        + Ed25519PublicKey.PRIVATE_PREFIX + "...): configure only the public key, in " + prefix
                        + "public-keys, and have the sender replace the exposed private key");
            }
            if (!publicKeys.isEmpty() && !StandardWebhooksSignature.SCHEME.equals(scheme)) {
                throw new IllegalStateException("Sender " + name + ": " + prefix + "public-keys needs " + prefix
                        + "scheme = " + StandardWebhooksSignature.SCHEME);
            }
            if (secrets.isEmpty() && publicKeys.isEmpty()) {
                throw new IllegalStateException("Sender " + name + " has no secret: set " + prefix + "secrets"
                        + (StandardWebhooksSignature.SCHEME.equals(scheme) ? " or " + prefix + "public-keys" : ""));
            }
            if (secrets.stream().anyMatch(s -> s.startsWith("demo-"))) {
                LOG.warn("Sender {} verifies with a shipped demo secret; set {}secrets (env {}) before real use",
                        name, prefix, (prefix + "SECRETS").toUpperCase().replace('.', '_').replace('-', '_'));
            }
            WebhookSignature signature;
            try {
                signature = WebhookSignature.of(scheme, secrets, publicKeys);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Sender " + name + ": " + e.getMessage());
            }
            senders.put(name, new Sender(name, scheme, signature,
                    new LinkedHashSet<>(settings.getList(prefix + "event-types")),
                    Duration.ofDays(settings.getLong(prefix + "retention-days", 30)),
                    Duration.ofSeconds(settings.getLong(prefix + "tolerance-seconds", defaultTolerance)),
                    settings.getLong(prefix + "max-body-bytes", defaultMaxBody),
                    new RateLimiter(settings.getLong(prefix + "rate-limit", 0),
                            settings.getLong(prefix + "rate-burst", settings.getLong(prefix + "rate-limit", 1)), nanoTime)));
        }
        LOG.info("Webhook senders: {}", senders.keySet());
        return new Senders(Map.copyOf(senders));
    }

    /** The sender's trusted public keys, parsed once; a bad one stops the start naming the setting, never quoting it. */
    private static List<Ed25519PublicKey> publicKeys(String name, String prefix, List<String> serialised) {
        List<Ed25519PublicKey> keys = new ArrayList<>();
        for (String key : serialised) {
            try {
                keys.add(Ed25519PublicKey.parse(key));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Sender " + name + ": " + prefix + "public-keys: " + e.getMessage());
            }
        }
        return keys;
    }

    /** The sender of this exchange, named by its ingest route. */
    public Sender of(Exchange exchange) {
        return named(exchange.getProperty(Sender.PROPERTY, String.class));
    }

    /** The configured sender of this name. */
    public Sender named(String name) {
        Sender sender = byName.get(name);
        if (sender == null) {
            throw new IllegalStateException("Sender '" + name + "' is not one of opsbridge.senders");
        }
        return sender;
    }
}
