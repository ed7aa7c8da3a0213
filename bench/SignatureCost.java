import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.opsbridge.signature.Ed25519PublicKey;
import io.opsbridge.signature.HmacSha256Signature;
import io.opsbridge.signature.StandardWebhooksSignature;
import io.opsbridge.signature.WebhookSignature;

/**
 * CPU per signature verification, the hub's own verifiers on one thread (no HTTP, no JMH): hmac-sha256
 * (X-Signature), standard-webhooks v1 (HMAC) and v1a (Ed25519, the JDK's), on the shipped ORDER.CREATED
 * example and on a 64 KiB body. Each case runs until its thread has spent WARMUP seconds of CPU unmeasured
 * (JIT), then SECONDS of CPU measured: the figure is the thread's CPU time (ThreadMXBean) divided by
 * verifications, which other processes on a busy machine disturb less than wall time (also printed).
 * Each verification is checked to succeed.
 * usage: java -cp "target/opsbridge.jar:target/lib/*" bench/SignatureCost.java [seconds=3] [warmup=3]
 */
public class SignatureCost {

    static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        byte[] example = Files.readAllBytes(Path.of("schemas/examples/ORDER.CREATED.json"));
        byte[] large = new byte[64 * 1024];
        Arrays.fill(large, (byte) 'x');
        large[0] = '"';
        large[large.length - 1] = '"';

        String secret = "whsec_" + Base64.getEncoder().encodeToString("bench-secret-bench-secret-32byte".getBytes(StandardCharsets.UTF_8));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        KeyPair signer = generator.generateKeyPair();
        KeyPair other = generator.generateKeyPair();
        Ed25519PublicKey key = Ed25519PublicKey.parse(whpk(signer));
        Ed25519PublicKey otherKey = Ed25519PublicKey.parse(whpk(other));

        System.out.printf("%s  %d cores  java %s  load average %s%n", java.time.Instant.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf("%-52s %8s %14s %14s%n", "case", "body", "cpu us/verify", "wall us/verify");
        for (byte[] body : List.of(example, large)) {
            String id = "msg_bench";
            long ts = 1_700_000_000L;
            UnaryOperator<String> hmacHeader = headers(Map.of("X-Signature", HmacSha256Signature.sign("bench", body)));
            run("hmac-sha256, 1 secret", body, new HmacSha256Signature(List.of("bench")), hmacHeader, seconds, warmup);
            String v1 = StandardWebhooksSignature.sign(secret, id, ts, body);
            run("standard-webhooks v1 (HMAC), 1 secret", body, new StandardWebhooksSignature(List.of(secret)),
                    sw(id, ts, v1), seconds, warmup);
            String v1a = "v1a," + Base64.getEncoder().encodeToString(sign(signer, id, ts, body));
            run("standard-webhooks v1a (Ed25519), 1 key", body, new StandardWebhooksSignature(List.of(), List.of(key)),
                    sw(id, ts, v1a), seconds, warmup);
            // rotation, worst case: the signing key is the second of two, so each request verifies twice
            run("standard-webhooks v1a, 2 keys, signer second", body,
                    new StandardWebhooksSignature(List.of(), List.of(otherKey, key)), sw(id, ts, v1a), seconds, warmup);
        }
    }

    static void run(String name, byte[] body, WebhookSignature scheme, UnaryOperator<String> header, double seconds, double warmup) {
        loop(scheme, header, body, warmup);
        long cpu0 = CPU.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        long n = loop(scheme, header, body, seconds);
        long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        System.out.printf("%-52s %8s %14.1f %14.1f%n", name, body.length + " B", cpu / 1e3 / n, wall / 1e3 / n);
    }

    static long loop(WebhookSignature scheme, UnaryOperator<String> header, byte[] body, double seconds) {
        long end = CPU.getCurrentThreadCpuTime() + (long) (seconds * 1e9);
        long n = 0;
        while (CPU.getCurrentThreadCpuTime() < end) {
            for (int i = 0; i < 16; i++) {
                if (!scheme.verify(header, body)) {
                    throw new IllegalStateException("did not verify");
                }
            }
            n += 16;
        }
        return n;
    }

    static String whpk(KeyPair pair) {
        byte[] spki = pair.getPublic().getEncoded(); // X.509 SubjectPublicKeyInfo: the raw key is its last 32 bytes
        return "whpk_" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
    }

    static byte[] sign(KeyPair pair, String id, long ts, byte[] body) throws Exception {
        Signature ed = Signature.getInstance("Ed25519");
        ed.initSign(pair.getPrivate());
        ed.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
        ed.update(body);
        return ed.sign();
    }

    static UnaryOperator<String> sw(String id, long ts, String signature) {
        return headers(Map.of("webhook-id", id, "webhook-timestamp", Long.toString(ts), "webhook-signature", signature));
    }

    static UnaryOperator<String> headers(Map<String, String> values) {
        return name -> values.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
