package io.opsbridge;

import static io.opsbridge.WebhookIntakeTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender using the reference Standard Webhooks library (npm {@code standardwebhooks}, installed
 * by the build into src/test/js) is accepted unchanged.
 */
class StandardWebhooksInteropTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String ROTATED_IN = "whsec_c2Vjb25kLWFjdGl2ZS1zZWNyZXQtZm9yLXJvdGF0aW9u";

    @TempDir
    static Path data;
    @TempDir
    static Path tmp;
    static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(data, Map.of(
                "opsbridge.sender.wms.scheme", "standard-webhooks",
                "opsbridge.sender.wms.secrets", ROTATED_IN + "," + SECRET));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void eventSignedByTheReferenceLibraryIsAccepted() throws Exception {
        String body = Events.json(Events.example("PICK.COMPLETED", "evt_sw_1"));
        long now = Instant.now().getEpochSecond();
        String signature = nodeSign(SECRET, "msg_sw_1", now, body);
        assertThat(signature).startsWith("v1,");

        HttpResponse<String> accepted = hub.send(request(body, "msg_sw_1", now, signature));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        // the library's retry re-signs with a new timestamp: still the same event
        long later = now + 1;
        HttpResponse<String> retry = hub.send(request(body, "msg_sw_1", later, nodeSign(SECRET, "msg_sw_1", later, body)));
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(hub.query("SELECT state FROM inbox_event WHERE sender = 'wms' AND event_id = 'evt_sw_1'")).hasSize(1);
    }

    @Test
    void wrongSecretMissingHeadersAndStaleTimestampAreRefused() throws Exception {
        String body = Events.json(Events.example("PICK.COMPLETED", "evt_sw_2"));
        long now = Instant.now().getEpochSecond();
        String otherSecret = "whsec_" + java.util.Base64.getEncoder().encodeToString("not ours".getBytes(StandardCharsets.UTF_8));
        assertProblem(hub.send(request(body, "msg_sw_2", now, nodeSign(otherSecret, "msg_sw_2", now, body))), 401,
                "signature-invalid");
        assertProblem(hub.send(HttpRequest.newBuilder(hub.uri("/webhooks/wms")).header("Content-Type", "application/json")
                .header("webhook-id", "msg_sw_2").POST(HttpRequest.BodyPublishers.ofString(body))), 401, "signature-missing");
        long stale = now - 301;
        assertProblem(hub.send(request(body, "msg_sw_2", stale, nodeSign(SECRET, "msg_sw_2", stale, body))), 401,
                "timestamp-out-of-tolerance");
    }

    static HttpRequest.Builder request(String body, String id, long timestamp, String signature) {
        return HttpRequest.newBuilder(hub.uri("/webhooks/wms"))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static String nodeSign(String secret, String id, long timestamp, String body) throws IOException, InterruptedException {
        Path bodyFile = Files.writeString(tmp.resolve(id + "-" + timestamp + ".json"), body);
        Process node = new ProcessBuilder("node", "src/test/js/sign-standard-webhooks.mjs", secret, id,
                Long.toString(timestamp), bodyFile.toString()).redirectErrorStream(true).start();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(node.exitValue()).as(out).isZero();
        return out;
    }
}
