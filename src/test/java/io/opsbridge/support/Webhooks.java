package io.opsbridge.support;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A vendor sending signed webhooks to a {@link TestHub}; it signs with the JDK, not the hub's code. */
public final class Webhooks {

    private final TestHub hub;

    public Webhooks(TestHub hub) {
        this.hub = hub;
    }

    /** POST {@code body} to {@code path}, signed {@code hmac-sha256} with {@code secret}. */
    public HttpResponse<String> post(String path, String secret, String body) {
        return hub.send(signed(path, secret, body));
    }

    public HttpRequest.Builder signed(String path, String secret, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(hub.uri(path))
                .header("Content-Type", "application/json")
                .header("X-Signature", hmacHex(secret, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    public static String hmacHex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
