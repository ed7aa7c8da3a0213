package io.opsbridge.signature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Scheme {@code standard-webhooks} (https://www.standardwebhooks.com): headers {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature} (space separated {@code v1,<base64>}
 * entries); secrets {@code whsec_<base64>}; signed content {@code id.timestamp.body}.
 */
public final class StandardWebhooksSignature implements WebhookSignature {

    public static final String SCHEME = "standard-webhooks";
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    private static final String SECRET_PREFIX = "whsec_";
    private static final String VERSION = "v1,";

    private final List<Hmac> secrets;

    public StandardWebhooksSignature(List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is required");
        }
        this.secrets = secrets.stream().map(s -> new Hmac(decodeSecret(s))).toList();
    }

    @Override
    public boolean isPresent(UnaryOperator<String> header) {
        return header.apply(ID) != null && header.apply(TIMESTAMP) != null && header.apply(SIGNATURE) != null;
    }

    @Override
    public boolean verify(UnaryOperator<String> header, byte[] body) {
        String id = header.apply(ID);
        String timestamp = header.apply(TIMESTAMP);
        String signatures = header.apply(SIGNATURE);
        if (id == null || timestamp == null || signatures == null || parseSeconds(timestamp) == null) {
            return false;
        }
        List<byte[]> given = new ArrayList<>();
        for (String entry : signatures.trim().split(" +")) {
            if (entry.startsWith(VERSION)) {
                try {
                    given.add(Base64.getDecoder().decode(entry.substring(VERSION.length())));
                } catch (IllegalArgumentException e) {
                    // a malformed entry verifies nothing; others may still match
                }
            }
        }
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (Hmac secret : secrets) {
            byte[] expected = secret.sign(prefix, body);
            for (byte[] candidate : given) {
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        return match;
    }

    @Override
    public Long signedAt(UnaryOperator<String> header) {
        return parseSeconds(header.apply(TIMESTAMP));
    }

    /** The {@code webhook-signature} value for this message: what a sender computes. */
    public static String sign(String secret, String id, long timestamp, byte[] body) {
        byte[] mac = new Hmac(decodeSecret(secret))
                .sign((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        return VERSION + Base64.getEncoder().encodeToString(mac);
    }

    private static byte[] decodeSecret(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            return Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a standard-webhooks secret must be whsec_<base64>");
        }
    }

    private static Long parseSeconds(String value) {
        if (value == null || value.isEmpty() || value.length() > 12) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return null;
            }
        }
        return Long.parseLong(value);
    }
}
