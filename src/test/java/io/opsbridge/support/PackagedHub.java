package io.opsbridge.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged hub (target/opsbridge.jar) as an operator runs it: its own process, in its own working
 * directory with a copy of the shipped application.properties, routes, schemas, sandbox, templates
 * and OpenAPI document, configured only the way an operator configures it (environment variables and
 * -D settings). It can be killed (SIGKILL), paused (SIGSTOP) and resumed (SIGCONT).
 */
public final class PackagedHub {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public final Path work;
    public final int port = TestHub.freePort();
    private final Map<String, String> env = new HashMap<>();
    private final List<String> settings;
    private Process process;

    private PackagedHub(Path work, List<String> settings) {
        this.work = work;
        this.settings = settings;
    }

    /**
     * A working directory under target/{@code dir} with the shipped files; the CRM sender's secret from
     * the environment; on PostgreSQL when {@code postgresUrl} is given (user postgres), else on the
     * shipped H2 file under ./data.
     */
    public static PackagedHub shipped(String dir, String name, String crmSecret, String postgresUrl, List<String> settings)
            throws IOException {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target", dir)), name + "-");
        Files.copy(Path.of("application.properties"), work.resolve("application.properties"));
        for (String tree : List.of("routes", "schemas", "sandbox", "templates")) {
            copyTree(Path.of(tree), work.resolve(tree));
        }
        Files.createDirectories(work.resolve("docs"));
        Files.copy(Path.of("docs/openapi.yaml"), work.resolve("docs/openapi.yaml"));
        PackagedHub hub = new PackagedHub(work, settings);
        hub.env.put("OPSBRIDGE_SENDER_CRM_SECRETS", crmSecret);
        hub.env.put("CAMEL_SERVER_PORT", Integer.toString(hub.port));
        hub.env.put("CAMEL_SERVER_HOST", "127.0.0.1");
        if (postgresUrl != null) {
            // PostgreSQL the way production configures it: a JDBC URL (and user) from the environment
            hub.env.put("OPSBRIDGE_DB_URL", postgresUrl);
            hub.env.put("OPSBRIDGE_DB_USER", "postgres");
        }
        return hub;
    }

    /** Starts the process (its output to {@code log} in its directory) and waits until it answers HTTP. */
    public void start(String log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        // as the README runs it: with the build's class data sharing archive (scripts/cds-archive.sh), if there is one
        Path archive = Path.of("target/opsbridge.jsa").toAbsolutePath();
        if (Files.exists(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.addAll(settings);
        command.addAll(List.of("-jar", Path.of("target/opsbridge.jar").toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(new File(work.toFile(), log));
        builder.environment().putAll(env);
        process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("hub process exited; see " + work.resolve(log)).isTrue();
            try {
                HttpResponse<Void> probe = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/webhooks/orders")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (probe.statusCode() == 405) {
                    if (!env.containsKey("OPSBRIDGE_DB_URL")) {
                        assertThat(work.resolve("data/opsbridge.mv.db")).as("the shipped H2 file under ./data").exists();
                    }
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("hub did not start within 90 s; see " + work.resolve(log));
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /** SIGSTOP: the process stands still (a long GC pause, a stalled disk), holding its connections. */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + name).isZero();
    }

    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
