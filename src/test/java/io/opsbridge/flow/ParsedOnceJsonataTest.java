package io.opsbridge.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * as long as it runs).
 */
class ParsedOnceJsonataTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;
    CamelContext camel;
    ProducerTemplate producer;
    /** What each rendering's frame was given: alive only as long as something still holds that frame. */
    final List<WeakReference<Object>> bound = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("echo.jsonata"),
                "{ \"id\": order.id, \"title\": \"Pick order \" & order.id, \"lines\": $count(order.items), \"tag\": $tag() }");
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("jsonata", new ParsedOnceJsonata());
        camel.getRegistry().bind("probe", (JsonataFrameBinding) frame -> {
            Object token = new Object();
            synchronized (bound) {
                bound.add(new WeakReference<>(token));
            }
            frame.bind("tag", (Jsonata.Fn0<String>) () -> token == null ? null : "t");
        });
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
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
}
