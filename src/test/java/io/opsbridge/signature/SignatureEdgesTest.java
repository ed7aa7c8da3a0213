package io.opsbridge.signature;

import static io.opsbridge.signature.SignatureSchemesTest.SW_BODY;
import static io.opsbridge.signature.SignatureSchemesTest.SW_ID;
import static io.opsbridge.signature.SignatureSchemesTest.SW_SECRET;
import static io.opsbridge.signature.SignatureSchemesTest.SW_SIGNATURE;
import static io.opsbridge.signature.SignatureSchemesTest.SW_TIMESTAMP;
import static io.opsbridge.signature.SignatureSchemesTest.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The verifiers' edges: which headers count as present, which timestamps are read, which schemes exist. */
class SignatureEdgesTest {

    static Map<String, String> swHeaders() {
        Map<String, String> h = new HashMap<>();
        h.put("webhook-id", SW_ID);
        h.put("webhook-timestamp", SW_TIMESTAMP);
        h.put("webhook-signature", SW_SIGNATURE);
        return h;
    }

    @Test
    void standardWebhooksNeedsAllThreeHeaders() {
        var scheme = new StandardWebhooksSignature(List.of(SW_SECRET));
        assertThat(scheme.isPresent(headers(swHeaders()))).isTrue();
        for (String missing : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
            Map<String, String> h = swHeaders();
            h.remove(missing);
            assertThat(scheme.isPresent(headers(h))).as("without " + missing).isFalse();
            assertThat(scheme.verify(headers(h), SW_BODY)).as("without " + missing).isFalse();
        }
    }

    @ParameterizedTest(name = "webhook-timestamp ''{0}'' -> {1}")
    @CsvSource(nullValues = "null", value = {
            "1614265330,    1614265330",
            "0,             0",
            "999999999999,  999999999999",   // 12 digits: read
            "1000000000000, null",           // 13 digits: not a time in seconds
            "'',            null",
            "-1614265330,   null",
            "+1614265330,   null",
            "1614265330.5,  null",
            "16142x5330,    null",
    })
    void onlyPlainDigitsAreASignedTime(String timestamp, Long expected) {
        var scheme = new StandardWebhooksSignature(List.of(SW_SECRET));
        Map<String, String> h = swHeaders();
        h.put("webhook-timestamp", timestamp);
        assertThat(scheme.signedAt(headers(h))).isEqualTo(expected);
        if (expected == null) {
            assertThat(scheme.verify(headers(h), SW_BODY)).as("an unreadable time verifies nothing").isFalse();
        }
    }

    @Test
    void standardWebhooksWithoutATimestampHeaderHasNoSignedTime() {
        Map<String, String> h = swHeaders();
        h.remove("webhook-timestamp");
        assertThat(new StandardWebhooksSignature(List.of(SW_SECRET)).signedAt(headers(h))).isNull();
    }

    @Test
    void hmacNeedsANonBlankSignatureHeaderAndSignsNoTime() {
        var scheme = new HmacSha256Signature(List.of("s"));
        assertThat(scheme.isPresent(headers(Map.of("X-Signature", "abc")))).isTrue();
        assertThat(scheme.isPresent(headers(Map.of("X-Signature", " ")))).isFalse();
        assertThat(scheme.isPresent(headers(Map.of("X-Signature", "")))).isFalse();
        assertThat(scheme.isPresent(headers(Map.of()))).isFalse();
        assertThat(scheme.signedAt(headers(Map.of("X-Signature", "abc", "webhook-timestamp", SW_TIMESTAMP)))).isNull();
        assertThat(scheme.verify(headers(Map.of()), SW_BODY)).isFalse();
    }

    @Test
    void schemesByName() {
        assertThat(WebhookSignature.of("hmac-sha256", List.of("s"))).isInstanceOf(HmacSha256Signature.class);
        assertThat(WebhookSignature.of("standard-webhooks", List.of(SW_SECRET))).isInstanceOf(StandardWebhooksSignature.class);
        assertThatThrownBy(() -> WebhookSignature.of("md5", List.of("s"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("md5");
        assertThatThrownBy(() -> new HmacSha256Signature(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StandardWebhooksSignature(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StandardWebhooksSignature(List.of("whsec_not base64!"))).isInstanceOf(IllegalArgumentException.class);
    }
}
