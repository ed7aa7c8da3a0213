package io.opsbridge.signature;

import static io.opsbridge.signature.SignatureSchemesTest.SW_BODY;
import static io.opsbridge.signature.SignatureSchemesTest.SW_ID;
import static io.opsbridge.signature.SignatureSchemesTest.SW_SECRET;
import static io.opsbridge.signature.SignatureSchemesTest.SW_SIGNATURE;
import static io.opsbridge.signature.SignatureSchemesTest.SW_TIMESTAMP;
import static io.opsbridge.signature.SignatureSchemesTest.headers;
import static io.opsbridge.signature.SignatureSchemesTest.sw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Standard Webhooks {@code v1a} (Ed25519) on its own, against published and openssl-made vectors. */
class Ed25519SignatureTest {

    // RFC 8032 section 7.1, TEST 1: the public key, and its signature of the empty message
    static final String RFC_PUBLIC_HEX = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    static final String RFC_EMPTY_SIGNATURE_HEX = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    static final String RFC_PUBLIC = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    // The Standard Webhooks vector's message (SW_ID, SW_TIMESTAMP, SW_BODY) signed with RFC 8032 TEST 1's private key by openssl 3.0:
    //   echo 302e020100300506032b657004220420 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 | xxd -r -p > k.der
    //   openssl pkey -inform DER -in k.der -out k.pem
    //   printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' > content
    //   echo "v1a,$(openssl pkeyutl -sign -inkey k.pem -rawin -in content | base64 -w0)"
    static final String SW_V1A = "v1a,fldxM4gAKugP6nnt1hdz3sgGfZ6d99nzrMFnZOELIxbzEHoVmAb2ADpkJK7zgPePmPsle0zV9jSeGlHFG2NVAw==";
    // another key (RFC 8032 TEST 2's public key): not the signer of SW_V1A
    static final String OTHER_PUBLIC = "whpk_" + Base64.getEncoder().encodeToString(
            HexFormat.of().parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"));

    static StandardWebhooksSignature keys(String... publicKeys) {
        return new StandardWebhooksSignature(List.of(), List.of(publicKeys).stream().map(Ed25519PublicKey::parse).toList());
    }

    @Test
    void rfc8032VectorVerifiesWithTheJdk() {
        Ed25519PublicKey key = Ed25519PublicKey.parse(RFC_PUBLIC);
        assertThat(RFC_PUBLIC).isEqualTo("whpk_" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(RFC_PUBLIC_HEX)));
        // JDK 17 answers false when verify() follows no update() at all, even for the empty message: give it one
        // (the hub always has a non-empty id.timestamp. prefix)
        assertThat(key.verifies(HexFormat.of().parseHex(RFC_EMPTY_SIGNATURE_HEX), new byte[0])).isTrue();
        assertThat(key.verifies(HexFormat.of().parseHex(RFC_EMPTY_SIGNATURE_HEX), new byte[] {0})).isFalse();
    }

    @Test
    void opensslSignedEntryVerifies() {
        var scheme = keys(RFC_PUBLIC);
        assertThat(scheme.verify(sw(SW_V1A), SW_BODY)).isTrue();
        assertThat(scheme.signedAt(sw(SW_V1A))).isEqualTo(1614265330L);
    }

    @Test
    void anyChangeOrAnotherKeyIsRefused() {
        var scheme = keys(RFC_PUBLIC);
        byte[] flipped = SW_BODY.clone();
        flipped[3] ^= 1;
        assertThat(scheme.verify(sw(SW_V1A), flipped)).isFalse();
        assertThat(scheme.verify(headers(Map.of("webhook-id", SW_ID.replace('p', 'q'), "webhook-timestamp", SW_TIMESTAMP,
                "webhook-signature", SW_V1A)), SW_BODY)).isFalse();
        assertThat(scheme.verify(headers(Map.of("webhook-id", SW_ID, "webhook-timestamp", "1614265331",
                "webhook-signature", SW_V1A)), SW_BODY)).isFalse();
        byte[] signature = Base64.getDecoder().decode(SW_V1A.substring(4));
        signature[10] ^= 1;
        assertThat(scheme.verify(sw("v1a," + Base64.getEncoder().encodeToString(signature)), SW_BODY)).isFalse();
        assertThat(keys(OTHER_PUBLIC).verify(sw(SW_V1A), SW_BODY)).isFalse();
    }

    @Test
    void anyActiveKeyVerifies() {
        assertThat(keys(OTHER_PUBLIC, RFC_PUBLIC).verify(sw(SW_V1A), SW_BODY)).isTrue();
        assertThat(keys(RFC_PUBLIC, OTHER_PUBLIC).verify(sw("v1a,AAAA " + SW_V1A), SW_BODY)).isTrue();
    }

    @Test
    void mixedHeadersVerifyWithWhicheverKeysTheSenderHas() {
        String mixed = SW_SIGNATURE + " " + SW_V1A;
        var both = new StandardWebhooksSignature(List.of(SW_SECRET), List.of(Ed25519PublicKey.parse(RFC_PUBLIC)));
        assertThat(both.verify(sw(mixed), SW_BODY)).isTrue();
        assertThat(both.verify(sw("v1,AAAA " + SW_V1A), SW_BODY)).as("a wrong v1 beside a good v1a").isTrue();
        assertThat(both.verify(sw(SW_SIGNATURE + " v1a,AAAA"), SW_BODY)).as("a good v1 beside a wrong v1a").isTrue();
        // a v1a entry means nothing to a sender with secrets only, nor a v1 entry to one with keys only
        assertThat(new StandardWebhooksSignature(List.of(SW_SECRET)).verify(sw(SW_V1A), SW_BODY)).isFalse();
        assertThat(keys(RFC_PUBLIC).verify(sw(SW_SIGNATURE), SW_BODY)).isFalse();
        assertThat(keys(RFC_PUBLIC).verify(sw(mixed), SW_BODY)).isTrue();
    }

    @Test
    void malformedEntriesVerifyNothingAndThrowNothing() {
        var scheme = keys(RFC_PUBLIC);
        byte[] sTooLarge = new byte[64];
        java.util.Arrays.fill(sTooLarge, (byte) 0xff);
        for (String entry : List.of("v1a,", "v1a,not*base64", "v1a,AAAA", "v1a," + Base64.getEncoder().encodeToString(new byte[65]),
                "v1a," + Base64.getEncoder().encodeToString(new byte[64]), "v1a," + Base64.getEncoder().encodeToString(sTooLarge),
                SW_V1A.replace("v1a,", "v1b,"), SW_V1A.replace("v1a,", "v1,"))) {
            assertThat(scheme.verify(sw(entry), SW_BODY)).as(entry).isFalse();
        }
    }

    @Test
    void onlyTheFirstFourWellFormedV1aEntriesAreChecked() {
        String junk = "v1a," + Base64.getEncoder().encodeToString(new byte[64]) + " ";
        var scheme = keys(RFC_PUBLIC);
        assertThat(StandardWebhooksSignature.MAX_ASYMMETRIC_ENTRIES).isEqualTo(4);
        assertThat(scheme.verify(sw(junk.repeat(3) + SW_V1A), SW_BODY)).isTrue();
        assertThat(scheme.verify(sw(junk.repeat(4) + SW_V1A), SW_BODY)).isFalse();
        // short or non-base64 entries do not count against the four
        assertThat(scheme.verify(sw("v1a,AAAA ".repeat(20) + SW_V1A), SW_BODY)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUQ==",      // 31 bytes
            "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURoA",      // 33 bytes
            "whpk_",                                                   // 0 bytes
            "whpk_not*base64",
            "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",           // no prefix
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",                 // a shared secret
            "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=",      // a private key
            "whpk_//////////////////////////////////////////8=",      // 32 bytes, no point on the curve
    })
    void aKeyThatIsNotAnEd25519PublicKeyIsRefusedWithoutQuotingIt(String key) {
        assertThatThrownBy(() -> Ed25519PublicKey.parse(key)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain(key.length() > 5 ? key.substring(5) : "\n").doesNotContain("\n");
                    if (key.startsWith("whsk_")) {
                        assertThat(e.getMessage()).contains("private key");
                    }
                });
    }

    @Test
    void aKeyOfTheWrongSizeSaysHowLongItIs() {
        assertThatThrownBy(() -> Ed25519PublicKey.parse("whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUQ=="))
                .hasMessageContaining("32 bytes").hasMessageContaining("31 bytes");
    }

    @Test
    void aSchemeNeedsASecretOrAKey() {
        assertThatThrownBy(() -> new StandardWebhooksSignature(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookSignature.of("hmac-sha256", List.of("s"), List.of(Ed25519PublicKey.parse(RFC_PUBLIC))))
                .hasMessageContaining("standard-webhooks");
        assertThat(WebhookSignature.of("standard-webhooks", List.of(), List.of(Ed25519PublicKey.parse(RFC_PUBLIC))).verify(sw(SW_V1A), SW_BODY))
                .isTrue();
        assertThat(SW_BODY).isEqualTo("{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
    }
}
