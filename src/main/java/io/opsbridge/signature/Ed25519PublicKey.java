package io.opsbridge.signature;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A trusted Ed25519 public key in the Standard Webhooks serialisation {@code whpk_<base64 of the
 * 32-byte key>}, parsed once at start and verified with the JDK's own Ed25519 (JCA, no hand-made curve).
 */
public final class Ed25519PublicKey {

    public static final String PREFIX = "whpk_";
    /** The Standard Webhooks serialisation of a private key: it never belongs in the hub's configuration. */
    public static final String PRIVATE_PREFIX = "whsk_";
    static final int KEY_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;
    // X.509 SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING <32 bytes> }
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    // a Signature is not thread-safe and costs a provider lookup to get: one per thread, keyed per use
    private static final ThreadLocal<Signature> VERIFIER = ThreadLocal.withInitial(() -> {
        try {
            return Signature.getInstance("Ed25519");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is unavailable in this JVM", e);
        }
    });

    private final PublicKey key;

    private Ed25519PublicKey(PublicKey key) {
        this.key = key;
    }

    /**
     * @param serialised {@code whpk_<base64 of 32 bytes>}
     * @throws IllegalArgumentException naming what is wrong, never quoting the value
     */
    public static Ed25519PublicKey parse(String serialised) {
        if (serialised.startsWith(PRIVATE_PREFIX)) {
            throw new IllegalArgumentException("holds a private key (" + PRIVATE_PREFIX
                    + "...): configure only the public key (" + PREFIX + "...), and have the sender replace the exposed private key");
        }
        if (!serialised.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a public key must be " + PREFIX + "<base64 of the 32-byte Ed25519 key>");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(serialised.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a public key must be " + PREFIX + "<base64 of the 32-byte Ed25519 key>; one is not base64");
        }
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key is " + KEY_BYTES + " bytes; one is " + raw.length + " bytes");
        }
        byte[] spki = new byte[SPKI_PREFIX.length + KEY_BYTES];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, KEY_BYTES);
        PublicKey key;
        try {
            key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            // fail at start, not on the first request, if this key cannot be used to verify
            VERIFIER.get().initVerify(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("one public key is not a usable Ed25519 key");
        }
        return new Ed25519PublicKey(key);
    }

    /** Whether {@code signature} (64 bytes) is this key's signature over the concatenated {@code parts}. */
    boolean verifies(byte[] signature, byte[]... parts) {
        if (signature.length != SIGNATURE_BYTES) {
            return false;
        }
        Signature verifier = VERIFIER.get();
        try {
            verifier.initVerify(key);
            for (byte[] part : parts) {
                verifier.update(part);
            }
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false; // a malformed signature (e.g. its S out of range) verifies nothing
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e); // checked at parse time
        }
    }
}
