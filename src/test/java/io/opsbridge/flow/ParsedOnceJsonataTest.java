package io.opsbridge.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.opsbridge.ops.Metrics;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.jsonata.JsonataFrameBinding;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code jsonata:} component as the flows use it: one template, rendered by many delivery workers
 * at once and many times over. Each rendering is its own: it answers for its own input only, and
 * leaves nothing behind once its body is written (the hub renders about four templates per order, for
 * as long as it runs). An edited template is rendered by every worker once {@link LiveTemplates} has
 * seen it settle (two looks, called here by hand); a broken one leaves the last good one in use.
 */
class ParsedOnceJsonataTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static final String TEMPLATE = "{ \"id\": order.id, \"title\": \"Pick order \" & order.id, \"lines\": $count(order.items), \"tag\": $tag() }";

    @TempDir
    Path dir;
    CamelContext camel;
    Metrics metrics;
    LiveTemplates templates;
    ProducerTemplate producer;
    /** What each rendering's frame was given: alive only as long as something still holds that frame. */
    final List<WeakReference<Object>> bound = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("echo.jsonata"), TEMPLATE);
        camel = new DefaultCamelContext();
        metrics = new Metrics(camel);
        // looks only when a test calls scan(): the interval is never reached
        templates = new LiveTemplates(camel, dir, Duration.ofHours(1), metrics, Clock.systemUTC());
        camel.getRegistry().bind("jsonata", new ParsedOnceJsonata(templates));
        camel.getRegistry().bind("probe", (JsonataFrameBinding) frame -> {
            Object token = new Object();
            synchronized (bound) {
                bound.add(new WeakReference<>(token));
            }
            frame.bind("tag", (Jsonata.Fn0<String>) () -> token == null ? null : "t");
        });
        camel.start();
        templates.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        templates.stop();
        camel.stop();
    }

    JsonNode render(String id) throws Exception {
        String uri = "jsonata:file:" + dir.resolve("echo.jsonata") + "?inputType=Jackson&outputType=JsonString&frameBinding=#probe";
        Object input = MAPPER.valueToTree(Map.of("order", Map.of("id", id, "items", List.of(1, 2, 3))));
        return MAPPER.readTree(producer.requestBody(uri, input, String.class));
    }

    @Test
    void concurrentRenderingsEachAnswerForTheirOwnInput() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> mismatches = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                mismatches.add(workers.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        String id = "ORD-" + worker + "-" + i;
                        JsonNode body = render(id);
                        if (!id.equals(body.path("id").asText()) || !("Pick order " + id).equals(body.path("title").asText())
                                || body.path("lines").asInt() != 3 || !"t".equals(body.path("tag").asText())) {
                            wrong.add(id + " -> " + body);
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<List<String>> f : mismatches) {
                assertThat(f.get()).isEmpty();
            }
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void aRenderingKeepsNothingAliveOnceItsBodyIsWritten() throws Exception {
        for (int i = 0; i < 200; i++) {
            assertThat(render("ORD-" + i).path("id").asText()).isEqualTo("ORD-" + i);
        }
        long alive = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && alive > 0; attempt++) {
            System.gc();
            Thread.sleep(50);
            synchronized (bound) {
                alive = bound.stream().filter(ref -> ref.get() != null).count();
            }
        }
        // Before: each rendering's frame hung from the previous one's, so every input the template
        // had ever seen stayed reachable, and each lookup of a built-in walked the whole chain.
        assertThat(alive).as("renderings whose frame is still reachable, of %d", bound.size()).isZero();
    }

    /** Each of {@code threads} workers renders once, all on different threads (none starts before all have one). */
    static List<JsonNode> everyWorkerRenders(ExecutorService workers, int threads, ThrowingRender render) throws Exception {
        CyclicBarrier together = new CyclicBarrier(threads);
        List<Future<JsonNode>> bodies = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            bodies.add(workers.submit(() -> {
                together.await(10, TimeUnit.SECONDS);
                return render.render("ORD-" + worker);
            }));
        }
        List<JsonNode> all = new ArrayList<>();
        for (Future<JsonNode> body : bodies) {
            all.add(body.get());
        }
        return all;
    }

    interface ThrowingRender {
        JsonNode render(String id) throws Exception;
    }

    double reloads(String outcome) {
        Counter counter = metrics.registry().find("opsbridge.template.reloads").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anEditIsRenderedByEveryWorkerOnceTwoLooksSawIt() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            // every worker has its own parsed copy of the first version
            assertThat(everyWorkerRenders(workers, 8, this::render)).allMatch(b -> b.path("title").asText().startsWith("Pick order "));

            Files.writeString(dir.resolve("echo.jsonata"), TEMPLATE.replace("Pick order ", "Collect order "));
            templates.scan(); // seen once: perhaps still being written
            assertThat(render("ORD-A").path("title").asText()).isEqualTo("Pick order ORD-A");
            templates.scan(); // the same text again: taken
            assertThat(everyWorkerRenders(workers, 8, this::render)).allMatch(b -> b.path("title").asText().startsWith("Collect order "));

            // the second edit too, with a field added
            Files.writeString(dir.resolve("echo.jsonata"), TEMPLATE.replace("Pick order ", "Fetch order ").replace(" }", ", \"v\": 3 }"));
            templates.scan();
            templates.scan();
            assertThat(everyWorkerRenders(workers, 8, this::render))
                    .allMatch(b -> b.path("title").asText().startsWith("Fetch order ") && b.path("v").asInt() == 3);
            assertThat(reloads("ok")).isEqualTo(2);
            assertThat(reloads("failed")).isZero();

            // a request reads no file: a deleted template keeps its last version
            Files.delete(dir.resolve("echo.jsonata"));
            templates.scan();
            assertThat(render("ORD-B").path("title").asText()).isEqualTo("Fetch order ORD-B");
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void aFileSeenHalfWrittenIsNeitherTakenNorReported() throws Exception {
        render("ORD-0");
        Files.writeString(dir.resolve("echo.jsonata"), "{ \"id\": order.id, \"title\": "); // an editor's write, caught half-way
        templates.scan();
        Files.writeString(dir.resolve("echo.jsonata"), TEMPLATE.replace("Pick order ", "Collect order "));
        templates.scan();
        assertThat(render("ORD-1").path("title").asText()).isEqualTo("Pick order ORD-1");
        templates.scan();
        assertThat(render("ORD-2").path("title").asText()).isEqualTo("Collect order ORD-2");
        assertThat(reloads("failed")).isZero();
        assertThat(templates.files().problems()).isEmpty();
    }

    @Test
    void aBrokenTemplateLeavesTheLastGoodOneInUseAndIsReportedOnceUntilFixed() throws Exception {
        assertThat(render("ORD-0").path("title").asText()).isEqualTo("Pick order ORD-0");
        Files.writeString(dir.resolve("echo.jsonata"), "{\n  \"id\": order.id,\n  \"title\": \"Broken \" & ,\n}");
        for (int look = 0; look < 5; look++) {
            templates.scan();
            assertThat(render("ORD-" + look).path("title").asText()).isEqualTo("Pick order ORD-" + look);
        }
        assertThat(reloads("failed")).isEqualTo(1); // once per change, however often it is looked at or used
        assertThat(templates.files().problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).endsWith("echo.jsonata");
            assertThat(p.outcome()).isEqualTo("failed");
            assertThat(p.detail()).contains("echo.jsonata line 3 column 24").contains("cannot be used as a unary operator")
                    .endsWith("requests use its last good version");
        });

        Files.writeString(dir.resolve("echo.jsonata"), TEMPLATE.replace("Pick order ", "Fixed order "));
        templates.scan();
        templates.scan();
        assertThat(templates.files().problems()).isEmpty();
        assertThat(render("ORD-9").path("title").asText()).isEqualTo("Fixed order ORD-9");
        assertThat(reloads("ok")).isEqualTo(1);
    }

    @Test
    void aTemplateBrokenAtStartIsReportedAndFailsItsRequestsUntilFixed() throws Exception {
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("echo.jsonata"), "{ \"id\": order.id, ");
        LiveTemplates started = new LiveTemplates(camel, broken, Duration.ofHours(1), metrics, Clock.systemUTC());
        started.start();
        try {
            assertThat(started.files().problems()).singleElement().satisfies(p -> assertThat(p.detail())
                    .contains("echo.jsonata line 1 column 18").endsWith("it has no good version: requests that use it fail"));
            assertThat(reloads("failed")).isEqualTo(1);
            assertThatThrownBy(() -> started.source(broken.resolve("echo.jsonata").toAbsolutePath().normalize()))
                    .isInstanceOf(JException.class);

            Files.writeString(broken.resolve("echo.jsonata"), TEMPLATE);
            started.scan();
            started.scan();
            assertThat(started.files().problems()).isEmpty();
            assertThat(started.source(broken.resolve("echo.jsonata").toAbsolutePath().normalize()).current().text()).isEqualTo(TEMPLATE);
        } finally {
            started.stop();
        }
    }

    @Test
    void notStartedATemplateIsReadAtItsFirstUseAndKept() throws Exception {
        camel.getRegistry().bind("jsonataOnce", new ParsedOnceJsonata(
                new LiveTemplates(camel, dir, Duration.ofHours(1), metrics, Clock.systemUTC())));
        String uri = "jsonataOnce:file:" + dir.resolve("echo.jsonata") + "?inputType=Jackson&outputType=JsonString&frameBinding=#probe";
        Object input = MAPPER.valueToTree(Map.of("order", Map.of("id", "ORD-1", "items", List.of(1))));
        assertThat(producer.requestBody(uri, input, String.class)).contains("Pick order ORD-1");
        Files.writeString(dir.resolve("echo.jsonata"), TEMPLATE.replace("Pick order ", "Collect order "));
        assertThat(producer.requestBody(uri, input, String.class)).contains("Pick order ORD-1");
    }

    @Test
    void positionsAreLineAndColumnOfTheTokenTheParserStoppedAt() {
        String text = "{\n  \"a\": 1,\n  \"b\": order.id &\n}";
        assertThat(LiveTemplates.position(text, 31)).isEqualTo("line 4 column 1"); // the parser's location: just past "}"
        assertThat(LiveTemplates.position("", 0)).isEqualTo("line 1 column 1");
    }
}
