package io.opsbridge.signature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Scheme {@code standard-webhooks} (https://www.standardwebhooks.com): headers {@code webhook-id},
 * {@code webhook-timestamp} and {@code webhook-signature}, space separated entries over the signed
 * content {@code id.timestamp.body}: {@code v1,<base64 HMAC-SHA256>} checked with the secrets
 * ({@code whsec_<base64>}), {@code v1a,<base64 Ed25519 signature>} checked with the trusted public keys
 * ({@code whpk_<base64>}). A sender may have either or both; entries no configured key can check are
 * ignored, and any one entry that verifies is enough.
 */
public final class StandardWebhooksSignature implements WebhookSignature {

    public static final String SCHEME = "standard-webhooks";
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    private static final String SECRET_PREFIX = "whsec_";
    private static final String VERSION = "v1,";
    private static final String ASYMMETRIC_VERSION = "v1a,";
    /**
     * Most {@code v1a} entries one request has checked: each costs an Ed25519 verification (about half a
     * millisecond of CPU with the JDK's, bench/SignatureCost.java) per public key. A signer needs one entry
     * per key it signs with (two during its rotation), so a forged request cannot buy much CPU.
     */
    static final int MAX_ASYMMETRIC_ENTRIES = 4;

    private final List<Hmac> secrets;
    private final List<Ed25519PublicKey> publicKeys;

    public StandardWebhooksSignature(List<String> secrets) {
        this(secrets, List.of());
    }

    /**
     * @param secrets {@code whsec_<base64>} secrets, for {@code v1} entries
     * @param publicKeys trusted Ed25519 public keys, for {@code v1a} entries
     */
    public StandardWebhooksSignature(List<String> secrets, List<Ed25519PublicKey> publicKeys) {
        if (secrets.isEmpty() && publicKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one secret or public key is required");
        }
        this.secrets = secrets.stream().map(s -> new Hmac(decodeSecret(s))).toList();
        this.publicKeys = List.copyOf(publicKeys);
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
        List<byte[]> macs = new ArrayList<>();
        List<byte[]> asymmetric = new ArrayList<>();
        for (String entry : signatures.trim().split(" +")) {
            // only entries a configured key can check are read; the others are ignored
            if (!secrets.isEmpty() && entry.startsWith(VERSION)) {
                addDecoded(macs, entry.substring(VERSION.length()), -1);
            } else if (!publicKeys.isEmpty() && entry.startsWith(ASYMMETRIC_VERSION)
                    && asymmetric.size() < MAX_ASYMMETRIC_ENTRIES) {
                addDecoded(asymmetric, entry.substring(ASYMMETRIC_VERSION.length()), Ed25519PublicKey.SIGNATURE_BYTES);
            }
        }
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (Hmac secret : secrets) {
            byte[] expected = secret.sign(prefix, body);
            for (byte[] candidate : macs) {
                // every secret and entry is compared, so the time taken does not tell how close a guess came
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        if (match) {
            return true;
        }
        // public keys hold no secret a timing could leak: stop at the first entry that verifies
        for (byte[] candidate : asymmetric) {
            for (Ed25519PublicKey key : publicKeys) {
                if (key.verifies(candidate, prefix, body)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Adds the decoded entry when it is base64 (and {@code length} bytes long, unless -1). */
    private static void addDecoded(List<byte[]> into, String base64, int length) {
        try {
            byte[] decoded = Base64.getDecoder().decode(base64);
            if (length < 0 || decoded.length == length) {
                into.add(decoded);
            }
        } catch (IllegalArgumentException e) {
            // a malformed entry verifies nothing; others may still match
        }
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
