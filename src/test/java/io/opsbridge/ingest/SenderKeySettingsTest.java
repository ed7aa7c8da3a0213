package io.opsbridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import io.opsbridge.config.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** A sender's public keys as configured: what loads, and what stops the start with one line naming the setting. */
class SenderKeySettingsTest {

    static final String KEY = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    static final String SHORT_KEY = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUQ==";
    static final String PRIVATE_KEY = "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

    static Senders load(Map<String, String> sender) {
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            Properties p = new Properties();
            p.put("opsbridge.senders", "wms");
            sender.forEach((k, v) -> p.put("opsbridge.sender.wms." + k, v));
            context.getPropertiesComponent().setInitialProperties(p);
            return Senders.load(new Settings(context));
        } finally {
            context.stop();
        }
    }

    static void refused(Map<String, String> sender, String setting, String secretPart) {
        assertThatThrownBy(() -> load(sender)).isInstanceOf(IllegalStateException.class).satisfies(e -> assertThat(e.getMessage())
                .contains(setting).doesNotContain("\n").doesNotContain(secretPart));
    }

    @Test
    void publicKeysAloneOrBesideSecretsLoad() {
        assertThat(load(Map.of("scheme", "standard-webhooks", "public-keys", KEY))).isNotNull();
        assertThat(load(Map.of("scheme", "standard-webhooks", "public-keys", KEY + " , " + KEY,
                "secrets", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))).isNotNull();
    }

    @Test
    void aKeyThatIsNot32BytesStopsTheStart() {
        refused(Map.of("scheme", "standard-webhooks", "public-keys", KEY + "," + SHORT_KEY), "opsbridge.sender.wms.public-keys",
                SHORT_KEY.substring(5));
        assertThatThrownBy(() -> load(Map.of("scheme", "standard-webhooks", "public-keys", SHORT_KEY)))
                .hasMessageContaining("31 bytes");
    }

    @Test
    void aPrivateKeyAnywhereStopsTheStartWithoutBeingQuoted() {
        refused(Map.of("scheme", "standard-webhooks", "public-keys", PRIVATE_KEY), "opsbridge.sender.wms.public-keys",
                PRIVATE_KEY.substring(5));
        refused(Map.of("scheme", "standard-webhooks", "secrets", PRIVATE_KEY), "opsbridge.sender.wms.secrets",
                PRIVATE_KEY.substring(5));
        refused(Map.of("secrets", PRIVATE_KEY), "opsbridge.sender.wms.secrets", PRIVATE_KEY.substring(5));
        assertThatThrownBy(() -> load(Map.of("scheme", "standard-webhooks", "public-keys", PRIVATE_KEY)))
                .hasMessageContaining("private key");
    }

    @Test
    void publicKeysNeedTheStandardWebhooksScheme() {
        refused(Map.of("secrets", "s", "public-keys", KEY), "opsbridge.sender.wms.scheme", "\t");
    }

    @Test
    void aSenderWithNeitherSecretsNorKeysStopsTheStart() {
        refused(Map.of("scheme", "standard-webhooks"), "opsbridge.sender.wms.public-keys", "\t");
        refused(Map.of(), "opsbridge.sender.wms.secrets", "\t");
    }
}
