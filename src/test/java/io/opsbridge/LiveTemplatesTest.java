package io.opsbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.LogCapture;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live templates, on a copy of templates/ (issue 28): templates/task-create.jsonata edited after its
 * first use, under a running hub that reloads no route file. Each edit is in the body of the next
 * task the task manager (WireMock) receives, for orders one at a time and forty at once, on delivery
 * workers that have each parsed the earlier version. A broken edit leaves the last good body going out
 * and is reported once (an ERROR line naming file, line and column, GET /admin/templates, the health
 * check templates, opsbridge_template_reloads_total{outcome="failed"}); the fix clears the report.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveTemplatesTest {

    static final String TITLE = "\"title\": \"Pick order \" & link.order_id,";
    static final String TYPE = "\"task_type\": \"fulfillment_pick\",";

    @TempDir
    static Path data;
    @TempDir
    static Path checkout;
    static Path template;
    static String shipped;
    static WireMockServer downstream;
    static TestHub hub;
    static AdminClient admin;
    static LogCapture logs;
    static int orders;

    @BeforeAll
    static void start() throws IOException {
        Path templates = checkout.resolve("templates");
        Files.createDirectories(templates);
        try (Stream<Path> files = Files.list(Path.of("templates"))) {
            for (Path file : files.toList()) {
                Files.copy(file, templates.resolve(file.getFileName()));
            }
        }
        template = templates.resolve("task-create.jsonata");
        shipped = Files.readString(template);
        assertThat(shipped).contains(TITLE).contains(TYPE);

        downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        downstream.start();
        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{\"id\":\"TASK-{{jsonPath request.body '$.external_ref.id'}}\"}")
                .withStatus(201).withTransformers("response-template")));
        downstream.stubFor(post("/wms/picks").willReturn(aResponse().withStatus(202)));
        downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}")));
        downstream.stubFor(post("/alerts").willReturn(aResponse().withStatus(200)));
        logs = LogCapture.attach();
        Map<String, String> s = TestHub.deliveringTo(downstream.baseUrl(), data);
        s.put("opsbridge.templates.dir", templates.toString());
        s.put("opsbridge.templates.reload-interval-ms", "100");
        s.put("opsbridge.routes-reload.enabled", "false"); // no route file is reloaded: the templates are live on their own
        // a few workers, each rendering many orders, so each holds a parsed copy of the template when it is
        // edited (a pool of 128 would start a new thread for each of its first 128 orders)
        s.put("opsbridge.delivery.workers", "4");
        s.put("opsbridge.sender.crm.secrets", "crm-secret");
        s.put("opsbridge.sender.crm.rate-limit", "0");
        s.put("opsbridge.admin.token", "templates-admin");
        hub = TestHub.start(data, s);
        admin = new AdminClient(hub, "templates-admin");
    }

    @AfterAll
    static void stop() {
        hub.close();
        downstream.stop();
        logs.close();
    }

    /** Sends {@code count} ORDER.CREATED at once and answers the body of each task the task manager received for them. */
    static List<ObjectNode> tasksFor(int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("ORD-LIVE-" + (++orders));
        }
        ExecutorService senders = Executors.newFixedThreadPool(Math.min(count, 8));
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (String id : ids) {
                ObjectNode event = Events.example("ORDER.CREATED", "evt_live_" + id);
                ((ObjectNode) event.get("payload")).put("order_id", id);
                answers.add(senders.submit(() -> new Webhooks(hub).post("/webhooks/orders", "crm-secret", Events.json(event)).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(202);
            }
        } finally {
            senders.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().noneMatch(id -> tasks(id).isEmpty()));
        return ids.stream().map(id -> Events.parse(tasks(id).get(0).getBodyAsString())).toList();
    }

    static List<LoggedRequest> tasks(String orderId) {
        return downstream.findAll(postRequestedFor(urlEqualTo("/tm/tasks")).withRequestBody(matchingJsonPath("$.external_ref.id",
                equalTo(orderId))));
    }

    static ObjectNode taskFor() throws Exception {
        return tasksFor(1).get(0);
    }

    /** The shipped template with its title's words and one field more. */
    static void edit(String words, String channel) throws IOException {
        Files.writeString(template, shipped.replace("\"Pick order \"", "\"" + words + " \"")
                .replace(TYPE, TYPE + "\n  \"channel\": \"" + channel + "\","));
    }

    static double reloads(String outcome) {
        return hub.metric("opsbridge_template_reloads_total{outcome=\"" + outcome + "\"}");
    }

    @Test
    @Order(1)
    void eachEditIsInTheNextTasksBody() throws Exception {
        ObjectNode before = taskFor();
        assertThat(before.get("title").asText()).isEqualTo("Pick order " + before.at("/external_ref/id").asText());
        assertThat(before.has("channel")).isFalse();
        // forty at once: many delivery workers, each with its own parsed copy of the shipped version
        assertThat(tasksFor(40)).allMatch(b -> b.get("title").asText().startsWith("Pick order ") && !b.has("channel"));

        edit("Collect order", "live-edit-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("ok") == 1);
        assertThat(logs.lines()).anyMatch(l -> l.contains("Template templates/task-create.jsonata reloaded"));
        ObjectNode first = taskFor();
        assertThat(first.get("title").asText()).isEqualTo("Collect order " + first.at("/external_ref/id").asText());
        assertThat(first.get("channel").asText()).isEqualTo("live-edit-1");
        assertThat(first.get("priority").asText()).isEqualTo("high"); // the rest of the template as it was
        assertThat(tasksFor(40)).allMatch(b -> b.get("title").asText().startsWith("Collect order ")
                && "live-edit-1".equals(b.get("channel").asText()));

        edit("Fetch order", "live-edit-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("ok") == 2);
        ObjectNode second = taskFor();
        assertThat(second.get("title").asText()).isEqualTo("Fetch order " + second.at("/external_ref/id").asText());
        assertThat(second.get("channel").asText()).isEqualTo("live-edit-2");
        assertThat(tasksFor(10)).allMatch(b -> b.get("title").asText().startsWith("Fetch order ")
                && "live-edit-2".equals(b.get("channel").asText()));
        assertThat(reloads("failed")).isZero();
        assertThat(hub.get("/observe/health").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void aBrokenEditLeavesTheLastGoodBodyGoingOutAndIsReportedOnce() throws Exception {
        Files.writeString(template, shipped.replace(TITLE, "\"title\": \"Broken order \" & ,"));
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("failed") == 1);

        // the last good version, on every worker, for every order sent while the template is broken
        assertThat(tasksFor(10)).allMatch(b -> b.get("title").asText().startsWith("Fetch order ")
                && "live-edit-2".equals(b.get("channel").asText()));
        ObjectNode last = taskFor();
        assertThat(last.get("title").asText()).isEqualTo("Fetch order " + last.at("/external_ref/id").asText());

        // reported once for the change, not per request: one ERROR line naming the file, line and column, one count
        List<String> errors = logs.lines().stream().filter(l -> l.contains("task-create.jsonata") && l.contains("not loaded")).toList();
        assertThat(errors).singleElement().satisfies(line -> assertThat(line)
                .startsWith("Template templates/task-create.jsonata line 4 column 30 not loaded: ")
                .contains("cannot be used as a unary operator").endsWith("requests use its last good version")
                .doesNotContain("JException").doesNotContain("com.dashjoin"));
        assertThat(reloads("failed")).isEqualTo(1);
        String status = admin.get("/admin/templates", 200).toString();
        assertThat(status).contains("\"reloadEnabled\":true").contains("templates/task-create.jsonata line 4 column 30")
                .contains("\"outcome\":\"failed\"");
        assertThat(hub.get("/observe/health").statusCode()).isEqualTo(503);       // the templates check is DOWN
        assertThat(hub.get("/observe/health/ready").statusCode()).isEqualTo(200); // and the hub serves on
    }

    @Test
    @Order(3)
    void theFixedTemplateClearsTheReportAndGoesOut() throws Exception {
        edit("Fixed order", "fixed");
        await().atMost(Duration.ofSeconds(10)).until(() -> reloads("ok") == 3);
        assertThat(admin.get("/admin/templates", 200).get("problems")).isEmpty();
        assertThat(hub.get("/observe/health").statusCode()).isEqualTo(200);
        ObjectNode fixed = taskFor();
        assertThat(fixed.get("title").asText()).isEqualTo("Fixed order " + fixed.at("/external_ref/id").asText());
        assertThat(fixed.get("channel").asText()).isEqualTo("fixed");
        assertThat(reloads("failed")).isEqualTo(1);
    }
}
