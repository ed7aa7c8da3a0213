package io.opsbridge.signature;

import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 keyed once; each use signs with a clone, so concurrent requests never share state. */
final class Hmac {

    private final Mac keyed;

    Hmac(byte[] key) {
        try {
            keyed = Mac.getInstance("HmacSHA256");
            keyed.init(new SecretKeySpec(key, "HmacSHA256"));
            keyed.clone(); // fail at start, not on the first request, if the provider cannot clone
        } catch (GeneralSecurityException | CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    byte[] sign(byte[]... parts) {
        try {
            Mac mac = (Mac) keyed.clone();
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
