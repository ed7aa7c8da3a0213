package io.opsbridge.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.opsbridge.crypto.Secrets;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no admin token configured, one is generated at the first start, printed once, kept as a hash. */
class AdminTokenTest {

    static final Pattern TOKEN = Pattern.compile("adm_[A-Za-z0-9_-]{43}");

    @TempDir
    Path data;

    @Test
    void generatedOnceShownOnceAndRememberedAcrossRestarts() {
        Map<String, String> noToken = Map.of("opsbridge.admin.token", "");
        String firstOut;
        String secondOut;
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        TestHub hub;
        try {
            hub = TestHub.start(data, noToken);
            firstOut = captured.toString(StandardCharsets.UTF_8);
            captured.reset();
            hub.restart();
            secondOut = captured.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(console);
        }
        try (hub) {
            Matcher shown = TOKEN.matcher(firstOut);
            assertThat(shown.find()).as("the token is printed at the first start").isTrue();
            String token = shown.group();
            assertThat(TOKEN.matcher(secondOut).find()).as("and never again").isFalse();

            assertThat(new AdminClient(hub, token).get("/admin/tenants").statusCode()).isEqualTo(200);
            assertThat(new AdminClient(hub, token + "x").get("/admin/tenants").statusCode()).isEqualTo(401);
            assertThat(hub.query("SELECT token_sha256 FROM admin_credential"))
                    .containsExactly(Map.of("token_sha256", Secrets.sha256Hex(token)));
        }
    }

    @Test
    void aConfiguredTokenIsTheOnlyOne() {
        try (TestHub hub = TestHub.start(data, Map.of("opsbridge.admin.token", "configured-admin-token"))) {
            assertThat(new AdminClient(hub, "configured-admin-token").get("/admin/tenants").statusCode()).isEqualTo(200);
            assertThat(hub.query("SELECT 1 FROM admin_credential")).isEmpty();
        }
    }
}
