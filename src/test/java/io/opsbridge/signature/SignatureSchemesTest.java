package io.opsbridge.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

/** The verifiers on their own, against published and independently computed vectors. */
class SignatureSchemesTest {

    // Standard Webhooks' published vector (its Go library's tests), as quoted in SPEC section 2
    static final String SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final String SW_TIMESTAMP = "1614265330";
    static final byte[] SW_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    static final String SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    // printf '%s' '{"test": 2432232314}' | openssl dgst -sha256 -hmac test-secret
    static final String HMAC_SECRET = "test-secret";
    static final String HMAC_HEX = "40abbd9d22074f7dae7fd742037cb2838fb2ba7e6958b4bf4e1b94499aa6a9b1";

    static UnaryOperator<String> headers(Map<String, String> values) {
        return name -> values.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    static UnaryOperator<String> sw(String signature) {
        return headers(Map.of("webhook-id", SW_ID, "webhook-timestamp", SW_TIMESTAMP, "webhook-signature", signature));
    }

    @Test
    void standardWebhooksPublishedVectorVerifies() {
        var scheme = new StandardWebhooksSignature(List.of(SW_SECRET));
        assertThat(scheme.verify(sw(SW_SIGNATURE), SW_BODY)).isTrue();
        assertThat(scheme.signedAt(sw(SW_SIGNATURE))).isEqualTo(1614265330L);
        assertThat(StandardWebhooksSignature.sign(SW_SECRET, SW_ID, 1614265330L, SW_BODY)).isEqualTo(SW_SIGNATURE);
    }

    @Test
    void standardWebhooksRejectsAnyChange() {
        var scheme = new StandardWebhooksSignature(List.of(SW_SECRET));
        assertThat(scheme.verify(sw(SW_SIGNATURE), "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(scheme.verify(headers(Map.of("webhook-id", "msg_other", "webhook-timestamp", SW_TIMESTAMP,
                "webhook-signature", SW_SIGNATURE)), SW_BODY)).isFalse();
        assertThat(scheme.verify(headers(Map.of("webhook-id", SW_ID, "webhook-timestamp", "1614265331",
                "webhook-signature", SW_SIGNATURE)), SW_BODY)).isFalse();
        assertThat(new StandardWebhooksSignature(List.of("whsec_" + java.util.Base64.getEncoder()
                .encodeToString("another key".getBytes(StandardCharsets.UTF_8)))).verify(sw(SW_SIGNATURE), SW_BODY)).isFalse();
        assertThat(scheme.verify(sw("v1,not*base64"), SW_BODY)).isFalse();
        assertThat(scheme.verify(sw(SW_SIGNATURE.replace("v1,", "v2,")), SW_BODY)).isFalse();
    }

    @Test
    void standardWebhooksAcceptsAnyMatchingEntryAndAnyActiveSecret() {
        var rotated = new StandardWebhooksSignature(List.of("whsec_bmV3LXNlY3JldC1rZXktMTIz", SW_SECRET));
        assertThat(rotated.verify(sw("v1,AAAA v1a,ignored " + SW_SIGNATURE), SW_BODY)).isTrue();
        assertThat(rotated.isPresent(headers(Map.of("webhook-id", SW_ID)))).isFalse();
    }

    @Test
    void standardWebhooksSecretMustBeBase64() {
        assertThatThrownBy(() -> new StandardWebhooksSignature(List.of("whsec_***")))
                .hasMessageContaining("whsec_<base64>");
    }

    @Test
    void hmacMatchesOpenssl() {
        var scheme = new HmacSha256Signature(List.of(HMAC_SECRET));
        assertThat(HmacSha256Signature.sign(HMAC_SECRET, SW_BODY)).isEqualTo(HMAC_HEX);
        assertThat(scheme.verify(headers(Map.of("X-Signature", HMAC_HEX)), SW_BODY)).isTrue();
        assertThat(scheme.verify(headers(Map.of("x-signature", "sha256=" + HMAC_HEX)), SW_BODY)).isTrue();
        assertThat(scheme.verify(headers(Map.of("X-Signature", HMAC_HEX.toUpperCase())), SW_BODY)).isTrue();
    }

    @Test
    void hmacRejectsOtherSecretsBodiesAndMalformedValues() {
        var scheme = new HmacSha256Signature(List.of("other", HMAC_SECRET));
        assertThat(scheme.verify(headers(Map.of("X-Signature", HMAC_HEX)), SW_BODY)).isTrue();
        assertThat(new HmacSha256Signature(List.of("other")).verify(headers(Map.of("X-Signature", HMAC_HEX)), SW_BODY))
                .isFalse();
        assertThat(scheme.verify(headers(Map.of("X-Signature", HMAC_HEX)), "{}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(scheme.verify(headers(Map.of("X-Signature", HMAC_HEX.substring(2))), SW_BODY)).isFalse();
        assertThat(scheme.verify(headers(Map.of("X-Signature", "zz" + HMAC_HEX.substring(2))), SW_BODY)).isFalse();
        assertThat(scheme.verify(headers(Map.of()), SW_BODY)).isFalse();
        assertThat(scheme.isPresent(headers(Map.of()))).isFalse();
    }
}
