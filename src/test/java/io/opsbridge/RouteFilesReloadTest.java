package io.opsbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.opsbridge.support.AdminClient;
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
 * Live route files, on a copy of routes/: a good edit of a flow, a new file, and a broken file
 * (which keeps the last good version running and is reported by an ERROR line naming the file and
 * line, the route-files health check and a metric). Every other endpoint keeps answering.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouteFilesReloadTest {

    static final String ALERT_FLOW = """
            # INVENTORY.ALERT (WMS): an alert, %s.
            - route:
                id: flow-inventory-alert
                routeConfigurationId: delivery-errors
                from:
                  uri: direct:flow-inventory-alert
                  steps:
                    - bean:
                        ref: alerts
                        method: inventory
                    - setProperty:
                        name: alertText
                        simple: "%s ${exchangeProperty.alertText}"
                    - wireTap:
                        uri: direct:alert
            """;

    @TempDir
    static Path data;
    @TempDir
    static Path checkout;
    static Path routes;
    static WireMockServer alerts;
    static TestHub hub;
    static AdminClient admin;
    static LogCapture logs;
    static int alertCount;

    @BeforeAll
    static void start() throws IOException {
        routes = checkout.resolve("routes");
        Files.createDirectories(routes);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        alerts = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        alerts.start();
        alerts.stubFor(post("/alerts").willReturn(aResponse().withStatus(200)));
        logs = LogCapture.attach();
        Map<String, String> s = new HashMap<>();
        s.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml,file:sandbox/*.yaml");
        s.put("opsbridge.routes-reload.enabled", "true");
        s.put("opsbridge.routes-reload.directory", routes.toString());
        s.put("opsbridge.routes-reload.interval-ms", "200");
        s.put("opsbridge.delivery.enabled", "true");
        s.put("opsbridge.delivery.poll-interval-ms", "50");
        s.put("opsbridge.alerts.webhook-url", alerts.baseUrl() + "/alerts");
        s.put("opsbridge.sender.wms.secrets", "wms-secret");
        s.put("opsbridge.admin.token", "reload-admin");
        hub = TestHub.start(data, s);
        admin = new AdminClient(hub, "reload-admin");
    }

    @AfterAll
    static void stop() {
        hub.close();
        alerts.stop();
        logs.close();
    }

    /** Sends an INVENTORY.ALERT and answers the text of the alert it caused. */
    static String alertFor(String eventId) {
        String event = """
                {"event_id":"%s","event_type":"INVENTORY.ALERT","event_version":"1.0","timestamp":"%s","source":"wms",
                 "payload":{"sku":"SKU-RELOAD","qty_available":1}}""".formatted(eventId, Instant.now());
        assertThat(new Webhooks(hub).post("/webhooks/wms", "wms-secret", event).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> alerts.findAll(postRequestedFor(urlEqualTo("/alerts"))).size() > alertCount);
        alertCount = alerts.findAll(postRequestedFor(urlEqualTo("/alerts"))).size();
        return alerts.findAll(postRequestedFor(urlEqualTo("/alerts"))).get(alertCount - 1).getBodyAsString();
    }

    static void everythingElseAnswers() {
        assertThat(get("/openapi.yaml").statusCode()).isEqualTo(200);
        assertThat(admin.get("/admin/tenants").statusCode()).isEqualTo(200);
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/sandbox/wms/inventory").statusCode()).isEqualTo(200);
        assertThat(new Webhooks(hub).post("/webhooks/wms", "wms-secret", "{}").statusCode()).isEqualTo(400); // the intake still checks
    }

    static HttpResponse<String> get(String path) {
        return hub.send(HttpRequest.newBuilder(hub.uri(path)).GET());
    }

    static String metrics() {
        return get("/metrics").body();
    }

    @Test
    @Order(1)
    void aGoodEditReloadsOnlyThatFilesRoutes() throws IOException {
        assertThat(alertFor("evt_reload_before")).doesNotContain("EDITED");
        Files.writeString(routes.resolve("flow-inventory-alert.yaml"), ALERT_FLOW.formatted("edited", "EDITED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("opsbridge_route_reloads_total{outcome=\"ok\"}"));
        assertThat(alertFor("evt_reload_after")).contains("EDITED").contains("SKU-RELOAD");
        assertThat(logs.lines()).anyMatch(l -> l.contains("flow-inventory-alert.yaml reloaded"));
        everythingElseAnswers();
    }

    @Test
    @Order(2)
    void aNewFileAddsItsRoutes() throws IOException {
        assertThat(get("/hello-reload").statusCode()).isEqualTo(404);
        Files.writeString(routes.resolve("hello-reload.yaml"), """
                - route:
                    id: hello-reload
                    from:
                      uri: "platform-http:/hello-reload"
                      parameters:
                        httpMethodRestrict: GET
                      steps:
                        - removeHeaders:
                            pattern: "*"
                        - setBody:
                            constant: "hello from a new route file"
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/hello-reload").statusCode() == 200);
        assertThat(get("/hello-reload").body()).isEqualTo("hello from a new route file");
        everythingElseAnswers();
    }

    @Test
    @Order(3)
    void aBrokenFileKeepsTheLastGoodVersionAndIsReported() throws IOException {
        String broken = ALERT_FLOW.formatted("broken", "BROKEN").replace("uri: direct:flow-inventory-alert",
                "urii: direct:flow-inventory-alert");
        Files.writeString(routes.resolve("flow-inventory-alert.yaml"), broken);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("opsbridge_route_reloads_total{outcome=\"failed\"}"));

        assertThat(logs.lines()).anyMatch(l -> l.contains("flow-inventory-alert.yaml line ") && l.contains("not loaded"));
        assertThat(get("/observe/health").statusCode()).isEqualTo(503);            // the route-files check is DOWN
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);      // and the hub serves on
        String status = admin.get("/admin/route-files", 200).toString();
        assertThat(status).contains("flow-inventory-alert.yaml line 6").contains("urii").contains("failed");
        assertThat(alertFor("evt_reload_broken")).contains("EDITED").doesNotContain("BROKEN"); // the last good version runs
        everythingElseAnswers();

        // a YAML syntax error names its line too; the fix clears the report
        Files.writeString(routes.resolve("flow-inventory-alert.yaml"), "- route:\n    id: x\n  from: [\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.lines().stream()
                .anyMatch(l -> l.contains("flow-inventory-alert.yaml line 3") || l.contains("flow-inventory-alert.yaml line 4")));
        // well-formed, but its routes cannot be made (no such component): taken out again, the last good one put back
        Files.writeString(routes.resolve("flow-inventory-alert.yaml"), ALERT_FLOW.formatted("unbuildable", "UNBUILDABLE")
                .replace("uri: direct:alert", "uri: \"nosuchcomponent:alert\""));
        await().atMost(Duration.ofSeconds(10)).until(() -> logs.lines().stream()
                .anyMatch(l -> l.contains("flow-inventory-alert.yaml") && l.contains("the last good version was put back")));
        assertThat(alertFor("evt_reload_restored")).contains("EDITED").doesNotContain("UNBUILDABLE");
        everythingElseAnswers();

        Files.writeString(routes.resolve("flow-inventory-alert.yaml"), ALERT_FLOW.formatted("fixed", "FIXED"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/observe/health").statusCode() == 200);
        assertThat(admin.get("/admin/route-files", 200).get("problems")).isEmpty();
        assertThat(alertFor("evt_reload_fixed")).contains("FIXED");
        assertThat(metrics()).contains("opsbridge_route_reloads_total{outcome=\"failed\"} 3.0");
    }
}
