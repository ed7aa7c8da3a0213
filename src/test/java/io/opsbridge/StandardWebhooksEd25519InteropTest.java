package io.opsbridge;

import static io.opsbridge.WebhookIntakeTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.opsbridge.support.Events;
import io.opsbridge.support.LogCapture;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vendor signing Standard Webhooks {@code v1a} entries with Ed25519 keys it made itself (Node's own
 * crypto, src/test/js/sign-ed25519.mjs, independent of the hub) is accepted by the real hub when one of
 * the sender's configured public keys signed, and refused otherwise.
 *
 * <p>wms has a shared secret and two public keys (a rotation); tasks has one public key and no secret.
 */
class StandardWebhooksEd25519InteropTest {

    static final String SECRET = StandardWebhooksInteropTest.SECRET;
    static final String OTHER_SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString("not ours".getBytes(StandardCharsets.UTF_8));
    static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    static Path data;
    @TempDir
    static Path tmp;
    static TestHub hub;
    static LogCapture logs;
    // private key files (as the vendor keeps them) and the whpk_ public keys registered with the hub
    static Path keyA, keyB, unconfigured;
    static String publicA, publicB, publicUnconfigured;
    static final List<String> signaturesSent = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        keyA = tmp.resolve("a.pem");
        keyB = tmp.resolve("b.pem");
        unconfigured = tmp.resolve("c.pem");
        publicA = node("keygen", keyA.toString());
        publicB = node("keygen", keyB.toString());
        publicUnconfigured = node("keygen", unconfigured.toString());
        assertThat(List.of(publicA, publicB, publicUnconfigured)).allMatch(k -> k.matches("whpk_[A-Za-z0-9+/]{43}="));
        logs = LogCapture.attach();
        hub = TestHub.start(data, Map.of(
                "opsbridge.sender.wms.scheme", "standard-webhooks",
                "opsbridge.sender.wms.secrets", SECRET,
                "opsbridge.sender.wms.public-keys", publicA + "," + publicB,
                "opsbridge.sender.tasks.scheme", "standard-webhooks",
                "opsbridge.sender.tasks.secrets", "",
                "opsbridge.sender.tasks.public-keys", publicA));
    }

    @AfterAll
    static void stop() {
        hub.close();
        logs.close();
        // no key material nor signature in any line the hub logged
        for (String line : logs.lines()) {
            for (String secret : List.of(publicA.substring(5), publicB.substring(5), publicUnconfigured.substring(5),
                    SECRET.substring(6))) {
                assertThat(line).doesNotContain(secret);
            }
            for (String signature : signaturesSent) {
                assertThat(line).doesNotContain(signature);
            }
        }
    }

    /** A message as a vendor sends it: a fresh webhook-id, the current time, the body's bytes. */
    record Message(String id, long timestamp, String body) {
        static Message of(String type, String eventId) {
            return new Message("msg_" + eventId + "_" + IDS.incrementAndGet(), Instant.now().getEpochSecond(),
                    Events.json(Events.example(type, eventId)));
        }

        String v1a(Path key) throws Exception {
            return node("sign", key.toString(), id, Long.toString(timestamp), bodyFile(this).toString());
        }

        /** The reference Standard Webhooks library's {@code v1} entry (npm standardwebhooks). */
        String v1(String secret) throws Exception {
            return run("src/test/js/sign-standard-webhooks.mjs", secret, id, Long.toString(timestamp), bodyFile(this).toString());
        }
    }

    static HttpResponse<String> post(String path, String id, long timestamp, String signature, byte[] body) {
        List<String> entries = java.util.Arrays.stream(signature.split(" ")).map(e -> e.substring(e.indexOf(',') + 1)).toList();
        signaturesSent.addAll(entries);
        HttpResponse<String> response = hub.send(HttpRequest.newBuilder(hub.uri(path))
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        // no signature, key or header echoed in any answer
        assertThat(response.body()).doesNotContain("whpk_", "v1a,", "webhook-signature").doesNotContain(entries);
        assertThat(response.headers().map().keySet()).map(String::toLowerCase).doesNotContain("webhook-signature", "webhook-id");
        return response;
    }

    static HttpResponse<String> post(String path, Message m, String signature) {
        return post(path, m.id, m.timestamp, signature, m.body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aV1aSignatureMadeByNodeIsAccepted() throws Exception {
        Message m = Message.of("PICK.COMPLETED", "evt_v1a_1");
        String signature = m.v1a(keyA);
        assertThat(signature).matches("v1a,[A-Za-z0-9+/]{86}==");
        HttpResponse<String> accepted = post("/webhooks/wms", m, signature);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"status\":\"accepted\"");
        assertThat(hub.query("SELECT state FROM inbox_event WHERE sender = 'wms' AND event_id = 'evt_v1a_1'")).hasSize(1);
        // a sender with public keys only
        Message task = Message.of("TASK.CREATED", "evt_v1a_task_1");
        assertThat(post("/webhooks/tasks", task, task.v1a(keyA)).statusCode()).isEqualTo(202);
    }

    @Test
    void eitherOfTwoActiveKeysVerifiesDuringARotation() throws Exception {
        Message withA = Message.of("PICK.COMPLETED", "evt_v1a_rot_a");
        Message withB = Message.of("PICK.COMPLETED", "evt_v1a_rot_b");
        Message withBoth = Message.of("PICK.COMPLETED", "evt_v1a_rot_ab");
        assertThat(post("/webhooks/wms", withA, withA.v1a(keyA)).statusCode()).isEqualTo(202);
        assertThat(post("/webhooks/wms", withB, withB.v1a(keyB)).statusCode()).isEqualTo(202);
        // mid-rotation a vendor may sign with the old and the new key at once
        assertThat(post("/webhooks/wms", withBoth, withBoth.v1a(keyB) + " " + withBoth.v1a(keyA)).statusCode()).isEqualTo(202);
        // tasks trusts only key A: key B's signature is not enough there
        Message task = Message.of("TASK.CREATED", "evt_v1a_rot_task");
        assertProblem(post("/webhooks/tasks", task, task.v1a(keyB)), 401, "signature-invalid");
    }

    @Test
    void aKeyThatIsNotConfiguredIs401() throws Exception {
        Message m = Message.of("PICK.COMPLETED", "evt_v1a_unknown_key");
        assertProblem(post("/webhooks/wms", m, m.v1a(unconfigured)), 401, "signature-invalid");
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_v1a_unknown_key'")).isEmpty();
    }

    /** Sends {@code m} signed with key A but with one bit flipped in {@code part}: 401, and nothing stored. */
    static void flipped(String part) throws Exception {
        Message m = Message.of("PICK.COMPLETED", "evt_v1a_flip_" + part);
        String signature = m.v1a(keyA);
        byte[] body = m.body.getBytes(StandardCharsets.UTF_8);
        String id = m.id;
        long timestamp = m.timestamp;
        switch (part) {
            case "body" -> body[m.body.indexOf("evt_v1a_flip") + 4] ^= 1; // the event id's 'v': still an id, still JSON
            case "id" -> id = (char) (id.charAt(0) ^ 1) + id.substring(1); // msg_ -> lsg_
            case "timestamp" -> timestamp ^= 1; // one second off: inside the tolerance, so only the signature can refuse it
            default -> throw new IllegalArgumentException(part);
        }
        assertProblem(post("/webhooks/wms", id, timestamp, signature, body), 401, "signature-invalid");
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id LIKE 'evt__1a_flip_%'")).isEmpty();
        // the untouched message goes through: the refusal was the flip's
        assertThat(post("/webhooks/wms", m, signature).statusCode()).isEqualTo(202);
        hub.update("DELETE FROM inbox_event WHERE event_id = ?", "evt_v1a_flip_" + part);
    }

    @Test
    void aFlippedBitInTheBodyIs401() throws Exception {
        flipped("body");
    }

    @Test
    void aFlippedBitInTheIdIs401() throws Exception {
        flipped("id");
    }

    @Test
    void aFlippedBitInTheTimestampIs401() throws Exception {
        flipped("timestamp");
    }

    @Test
    void aMixedV1AndV1aHeaderVerifiesWithWhicheverKeysTheSenderHas() throws Exception {
        Message both = Message.of("PICK.COMPLETED", "evt_mixed_1");
        assertThat(post("/webhooks/wms", both, both.v1(SECRET) + " " + both.v1a(keyA)).statusCode()).isEqualTo(202);
        Message goodV1a = Message.of("PICK.COMPLETED", "evt_mixed_2");
        assertThat(post("/webhooks/wms", goodV1a, goodV1a.v1(OTHER_SECRET) + " " + goodV1a.v1a(keyB)).statusCode()).isEqualTo(202);
        Message goodV1 = Message.of("PICK.COMPLETED", "evt_mixed_3");
        assertThat(post("/webhooks/wms", goodV1, goodV1.v1a(unconfigured) + " " + goodV1.v1(SECRET)).statusCode()).isEqualTo(202);
        Message neither = Message.of("PICK.COMPLETED", "evt_mixed_4");
        assertProblem(post("/webhooks/wms", neither, neither.v1(OTHER_SECRET) + " " + neither.v1a(unconfigured)), 401,
                "signature-invalid");
        // tasks has no secret: a v1 entry, even one made with wms's secret, is ignored there
        Message task = Message.of("TASK.CREATED", "evt_mixed_task");
        assertProblem(post("/webhooks/tasks", task, task.v1(SECRET)), 401, "signature-invalid");
        assertThat(post("/webhooks/tasks", task, task.v1(SECRET) + " " + task.v1a(keyA)).statusCode()).isEqualTo(202);
    }

    @Test
    void aStaleV1aMessageIsStillOutOfTolerance() throws Exception {
        Message fresh = Message.of("PICK.COMPLETED", "evt_v1a_stale");
        Message stale = new Message(fresh.id, fresh.timestamp - 301, fresh.body);
        assertProblem(post("/webhooks/wms", stale, stale.v1a(keyA)), 401, "timestamp-out-of-tolerance");
    }

    @Test
    void aBadPublicKeyStopsTheStartNamingTheSetting() {
        Path other = tmp.resolve("bad-start");
        String shortKey = "whpk_" + java.util.Base64.getEncoder().encodeToString(new byte[31]);
        assertThatThrownBy(() -> TestHub.start(other, Map.of("opsbridge.sender.wms.scheme", "standard-webhooks",
                "opsbridge.sender.wms.public-keys", publicA + "," + shortKey)))
                .rootCause().hasMessage("Sender wms: opsbridge.sender.wms.public-keys: an Ed25519 public key is 32 bytes; one is 31 bytes");
    }

    static Path bodyFile(Message m) throws IOException {
        Path file = tmp.resolve(m.id + "-" + m.timestamp + ".json");
        if (!Files.exists(file)) {
            Files.writeString(file, m.body);
        }
        return file;
    }

    static String node(String... args) throws IOException, InterruptedException {
        return run("src/test/js/sign-ed25519.mjs", args);
    }

    static String run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(node.exitValue()).as(out).isZero();
        return out;
    }
}
