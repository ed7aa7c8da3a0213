package io.opsbridge.signature;

import java.util.function.UnaryOperator;

/**
 * A signature scheme with the sender's active secrets. Pure: no Camel types, so it is tested on
 * its own with published vectors and signatures made by independent implementations.
 */
public interface WebhookSignature {

    /**
     * @param header request header by name (case-insensitive), null when absent
     * @param body the raw request body, exactly as received
     * @return whether one of the active secrets signed this request
     */
    boolean verify(UnaryOperator<String> header, byte[] body);

    /** Whether the request carries the scheme's signature headers at all. */
    boolean isPresent(UnaryOperator<String> header);

    /** The signed time (epoch seconds) when the scheme signs one in a header, else null. */
    default Long signedAt(UnaryOperator<String> header) {
        return null;
    }

    static WebhookSignature of(String scheme, java.util.List<String> secrets) {
        return of(scheme, secrets, java.util.List.of());
    }

    /** @param publicKeys trusted Ed25519 keys; only scheme {@code standard-webhooks} has them ({@code v1a} entries) */
    static WebhookSignature of(String scheme, java.util.List<String> secrets, java.util.List<Ed25519PublicKey> publicKeys) {
        if (!publicKeys.isEmpty() && !StandardWebhooksSignature.SCHEME.equals(scheme)) {
            throw new IllegalArgumentException("public keys need scheme " + StandardWebhooksSignature.SCHEME);
        }
        return switch (scheme) {
            case HmacSha256Signature.SCHEME -> new HmacSha256Signature(secrets);
            case StandardWebhooksSignature.SCHEME -> new StandardWebhooksSignature(secrets, publicKeys);
            default -> throw new IllegalArgumentException("Unknown signature scheme '" + scheme + "' (use "
                    + HmacSha256Signature.SCHEME + " or " + StandardWebhooksSignature.SCHEME + ")");
        };
    }
}
