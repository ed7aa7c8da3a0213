package io.opsbridge.signature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Scheme {@code hmac-sha256}: header {@code X-Signature} holds the lowercase hex HMAC-SHA256 of the
 * raw body, optionally prefixed {@code sha256=} (GitHub's form).
 */
public final class HmacSha256Signature implements WebhookSignature {

    public static final String SCHEME = "hmac-sha256";
    public static final String HEADER = "X-Signature";
    private static final String PREFIX = "sha256=";

    private final List<Hmac> secrets;

    public HmacSha256Signature(List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is required");
        }
        this.secrets = secrets.stream().map(s -> new Hmac(s.getBytes(StandardCharsets.UTF_8))).toList();
    }

    @Override
    public boolean isPresent(UnaryOperator<String> header) {
        String value = header.apply(HEADER);
        return value != null && !value.isBlank();
    }

    @Override
    public boolean verify(UnaryOperator<String> header, byte[] body) {
        byte[] given = decode(header.apply(HEADER));
        if (given == null) {
            return false;
        }
        boolean match = false;
        for (Hmac secret : secrets) {
            // every secret is tried, so the time taken does not tell which one matched
            match |= MessageDigest.isEqual(secret.sign(body), given);
        }
        return match;
    }

    /** The header value for {@code body} signed with {@code secret}: what a sender computes. */
    public static String sign(String secret, byte[] body) {
        return HexFormat.of().formatHex(new Hmac(secret.getBytes(StandardCharsets.UTF_8)).sign(body));
    }

    private static byte[] decode(String value) {
        if (value == null) {
            return null;
        }
        String hex = value.trim();
        if (hex.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            hex = hex.substring(PREFIX.length());
        }
        if (hex.length() != 64) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
