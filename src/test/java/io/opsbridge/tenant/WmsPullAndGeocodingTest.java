package io.opsbridge.tenant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.LogCapture;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a WMS (a real local HTTP server, WireMock) and geocoding through a
 * Nominatim-compatible geocoder (WireMock too), over the hub's real admin API.
 */
class WmsPullAndGeocodingTest {

    static final String ADMIN_TOKEN = "pull-test-admin-token";
    static final String TWO_ORDERS = "[{\"externalOrderId\":\"PULL-1\",\"deliveryAddress\":\"Keizersgracht 1, Amsterdam\","
            + "\"plannedDate\":\"2026-12-05\"},{\"externalOrderId\":\"PULL-2\",\"deliveryAddress\":\"Keizersgracht 2, Amsterdam\"}]";

    @TempDir
    static Path data;
    static WireMockServer wms;
    static WireMockServer geocoder;
    static TestHub hub;
    static AdminClient admin;
    static LogCapture logs;

    @BeforeAll
    static void start() {
        wms = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        geocoder = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wms.start();
        geocoder.start();
        logs = LogCapture.attach();
        hub = TestHub.start(data, Map.of(
                "opsbridge.admin.token", ADMIN_TOKEN,
                "opsbridge.geocoder.url", geocoder.baseUrl(),
                "camel.component.http.response-timeout", "1000",
                "opsbridge.geocoder.sweep-interval-ms", "100",
                "camel.component.http.connect-timeout", "1000",
                "opsbridge.delivery.enabled", "true")); // a delivering node counts its calls out in /metrics
        admin = new AdminClient(hub, ADMIN_TOKEN);
    }

    @AfterAll
    static void stop() {
        hub.close();
        logs.close();
        wms.stop();
        geocoder.stop();
    }

    @BeforeEach
    void reset() {
        wms.resetAll();
        geocoder.resetAll();
        geocoder.stubFor(get(urlPathEqualTo("/search")).willReturn(okJson("[{\"lat\":\"52.37\",\"lon\":\"4.89\"}]")));
    }

    static String tenant(String name) {
        return admin.post("/admin/tenants", "{\"name\":\"" + name + "\"}", 201).get("id").asText();
    }

    static ObjectNode register(String tenantId, String path, String method, Integer interval) {
        String body = "{\"url\":\"" + wms.baseUrl() + path + "\",\"method\":\"" + method + "\""
                + (interval == null ? "" : ",\"intervalSeconds\":" + interval) + "}";
        return admin.post("/admin/tenants/" + tenantId + "/pull-endpoints", body, 201);
    }

    @Test
    void syncNowPullsWithGetAndItsBearerSecret() {
        String tenantId = tenant("Pull GET");
        wms.stubFor(get("/orders").willReturn(okJson(TWO_ORDERS)));
        ObjectNode endpoint = register(tenantId, "/orders", "GET", null);
        String secret = endpoint.get("secret").asText();
        String id = endpoint.get("id").asText();

        ObjectNode result = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints/" + id + "/sync", "", 200);
        assertThat(result.get("status").asText()).isEqualTo("ok");
        assertThat(result.get("processed").asInt()).isEqualTo(2);
        assertThat(result.get("created").asInt()).isEqualTo(2);
        wms.verify(1, getRequestedFor(urlPathEqualTo("/orders")).withHeader("Authorization", equalTo("Bearer " + secret)));
        assertThat(hub.query("SELECT source FROM tenant_order WHERE tenant_id = ?", tenantId))
                .extracting(r -> r.get("source")).containsOnly("pull:" + id);

        // again: the same orders update, they are not created twice
        ObjectNode again = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints/" + id + "/sync", "", 200);
        assertThat(again.get("created").asInt()).isZero();
        assertThat(again.get("updated").asInt()).isEqualTo(2);

        // through camel-http like the flows' calls: counted with them
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/metrics")).GET()).body())
                .contains("opsbridge_downstream_attempts_total{status_class=\"2xx\",system=\"wms-pull\"}");

        ObjectNode shown = admin.get("/admin/tenants/" + tenantId + "/pull-endpoints/" + id, 200);
        assertThat(shown.get("lastStatus").asText()).isEqualTo("ok");
        assertThat(shown.get("lastProcessed").asInt()).isEqualTo(2);
        assertThat(shown.get("lastSyncAt").isNull()).isFalse();
        assertThat(shown.toString()).doesNotContain(secret);
        // the pull secret must be sent, so it is kept encrypted, never in clear
        String stored = (String) hub.query("SELECT secret_encrypted FROM pull_endpoint WHERE id = ?", id).get(0).get("secret_encrypted");
        assertThat(stored).startsWith("v1:").doesNotContain(secret);
        assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
    }

    @Test
    void pullsWithPostToo() {
        String tenantId = tenant("Pull POST");
        wms.stubFor(post("/export").willReturn(okJson("{\"externalOrderId\":\"POST-1\",\"deliveryAddress\":\"Main 1\"}")));
        ObjectNode endpoint = register(tenantId, "/export", "POST", null);
        ObjectNode result = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints/" + endpoint.get("id").asText() + "/sync", "", 200);
        assertThat(result.get("status").asText()).isEqualTo("ok");
        assertThat(result.get("processed").asInt()).isEqualTo(1);
        wms.verify(1, postRequestedFor(urlPathEqualTo("/export"))
                .withHeader("Authorization", equalTo("Bearer " + endpoint.get("secret").asText())));
    }

    @Test
    void aPullOfBadJsonOrAFailingWmsRecordsTheErrorAndWritesNothing() {
        String tenantId = tenant("Pull broken");
        wms.stubFor(get("/bad").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("[{\"externalOrderId\":\"B1\", oops")));
        wms.stubFor(get("/down").willReturn(aResponse().withStatus(503)));
        wms.stubFor(get("/invalid").willReturn(okJson("[{\"externalOrderId\":\"V1\",\"deliveryAddress\":\"x\"},"
                + "{\"externalOrderId\":\"V2\",\"deliveryAddress\":\"x\",\"plannedDate\":\"2025-02-30\"}]")));
        for (String path : List.of("/bad", "/down", "/invalid")) {
            String id = register(tenantId, path, "GET", null).get("id").asText();
            ObjectNode result = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints/" + id + "/sync", "", 200);
            assertThat(result.get("status").asText()).as(path).isEqualTo("failed");
            assertThat(result.get("error").asText()).as(path).isNotBlank();
            ObjectNode shown = admin.get("/admin/tenants/" + tenantId + "/pull-endpoints/" + id, 200);
            assertThat(shown.get("lastStatus").asText()).isEqualTo("failed");
            assertThat(shown.get("lastError").asText()).isEqualTo(result.get("error").asText());
        }
        assertThat(hub.query("SELECT 1 FROM tenant_order WHERE tenant_id = ?", tenantId)).isEmpty();
        assertThat(admin.get("/admin/tenants/" + tenantId + "/pull-endpoints", 200).get("pullEndpoints")).hasSize(3);
    }

    @Test
    void aScheduleOfOneSecondPullsByItselfUntilTheEndpointIsDeleted() {
        String tenantId = tenant("Pull scheduled");
        wms.stubFor(get("/scheduled").willReturn(okJson("[{\"externalOrderId\":\"S1\",\"deliveryAddress\":\"Tick 1\"}]")));
        String id = register(tenantId, "/scheduled", "GET", 1).get("id").asText();

        await().atMost(Duration.ofSeconds(15)).until(() -> wms.findAll(getRequestedFor(urlPathEqualTo("/scheduled"))).size() >= 2);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                "ok".equals(admin.get("/admin/tenants/" + tenantId + "/pull-endpoints/" + id, 200).path("lastStatus").asText()));
        assertThat(hub.query("SELECT external_order_id FROM tenant_order WHERE tenant_id = ?", tenantId))
                .extracting(r -> r.get("external_order_id")).containsExactly("S1");

        assertThat(admin.delete("/admin/tenants/" + tenantId + "/pull-endpoints/" + id).statusCode()).isEqualTo(204);
        int afterDelete = wms.findAll(getRequestedFor(urlPathEqualTo("/scheduled"))).size();
        // the proof that time went on: another endpoint on the same schedule, added after the delete, pulled twice
        wms.stubFor(get("/control").willReturn(okJson("[]")));
        String control = register(tenantId, "/control", "GET", 1).get("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> wms.findAll(getRequestedFor(urlPathEqualTo("/control"))).size() >= 2);
        assertThat(wms.findAll(getRequestedFor(urlPathEqualTo("/scheduled"))).size())
                .as("at most the pull in flight at the delete").isLessThanOrEqualTo(afterDelete + 1);
        assertThat(admin.delete("/admin/tenants/" + tenantId + "/pull-endpoints/" + control).statusCode()).isEqualTo(204);
        assertThat(admin.get("/admin/tenants/" + tenantId + "/pull-endpoints/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void aScheduleAddedWhileRunningLeavesEveryRequestCountedOnce() {
        String tenantId = tenant("Pull counted once");
        wms.stubFor(get("/counted").willReturn(okJson("[]")));
        String id = register(tenantId, "/counted", "GET", 3600).get("id").asText(); // adds a route to the running hub
        String series = "http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\","
                + "uri=\"/admin/tenants/:tenantId\"}";
        double before = hub.metric(series);
        admin.get("/admin/tenants/" + tenantId, 200);
        assertThat(hub.metric(series)).isEqualTo(before + 1);
        // the admin token is still checked once, and an unknown path is still a problem+json 404
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/admin/tenants/" + tenantId)).GET()).statusCode()).isEqualTo(401);
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/no-such-path")).GET()).body()).contains("\"status\":404");
        assertThat(admin.delete("/admin/tenants/" + tenantId + "/pull-endpoints/" + id).statusCode()).isEqualTo(204);
    }

    @Test
    void registeringValidatesUrlMethodAndSchedule() {
        String tenantId = tenant("Pull validation");
        String path = "/admin/tenants/" + tenantId + "/pull-endpoints";
        assertThat(admin.post(path, "{\"url\":\"ftp://wms/orders\"}").statusCode()).isEqualTo(400);
        assertThat(admin.post(path, "{\"url\":\"" + wms.baseUrl() + "/x\",\"method\":\"PUT\"}").statusCode()).isEqualTo(400);
        assertThat(admin.post(path, "{\"url\":\"" + wms.baseUrl() + "/x\",\"intervalSeconds\":0}").statusCode()).isEqualTo(400);
        assertThat(admin.post("/admin/tenants/nope/pull-endpoints", "{\"url\":\"" + wms.baseUrl() + "/x\"}").statusCode())
                .isEqualTo(404);

        // an unknown field is named, not ignored: "schedule" would have made an endpoint that never runs by itself
        HttpResponse<String> unknown = admin.post(path, "{\"url\":\"" + wms.baseUrl() + "/x\",\"schedule\":\"PT3S\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = io.opsbridge.support.Events.parse(unknown.body());
        assertThat(problem.get("type").asText()).isEqualTo("urn:opsbridge:problem:unknown-field");
        assertThat(problem.get("detail").asText()).contains("schedule").contains("intervalSeconds");
        assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo("/schedule");
        assertThat(admin.get(path, 200).get("pullEndpoints")).isEmpty();
        assertThat(admin.post("/admin/tenants", "{\"name\":\"X\",\"nmae\":\"Y\"}").statusCode()).isEqualTo(400);
        assertThat(admin.post("/admin/dead-letters/replay", "{\"all\":true,\"sendr\":\"crm\"}").body()).contains("sendr");
    }

    @Test
    void credentialsInAPullUrlAreStoredEncryptedShownMaskedAndStillSent() {
        String tenantId = tenant("Pull with credentials");
        wms.stubFor(get(urlPathEqualTo("/keyed")).willReturn(okJson(TWO_ORDERS)));
        String url = wms.baseUrl().replace("http://", "http://puller:pw-123@") + "/keyed?apiKey=k-SECRET-1&page=1&access_token=t-SECRET-2";
        ObjectNode endpoint = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints", "{\"url\":\"" + url + "\"}", 201);
        String id = endpoint.get("id").asText();
        String masked = wms.baseUrl().replace("http://", "http://****@") + "/keyed?apiKey=****&page=1&access_token=****";
        assertThat(endpoint.get("url").asText()).isEqualTo(masked);
        assertThat(admin.get("/admin/tenants/" + tenantId + "/pull-endpoints/" + id, 200).get("url").asText()).isEqualTo(masked);
        String list = admin.get("/admin/tenants/" + tenantId + "/pull-endpoints", 200).toString();
        String stored = hub.query("SELECT * FROM pull_endpoint WHERE id = ?", id).toString();
        for (String secret : List.of("pw-123", "k-SECRET-1", "t-SECRET-2")) {
            assertThat(list).doesNotContain(secret);
            assertThat(stored).doesNotContain(secret);
        }

        ObjectNode synced = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints/" + id + "/sync", "", 200);
        assertThat(synced.get("status").asText()).as(synced.toString()).isEqualTo("ok");
        wms.verify(1, getRequestedFor(urlPathEqualTo("/keyed")).withQueryParam("apiKey", equalTo("k-SECRET-1"))
                .withQueryParam("access_token", equalTo("t-SECRET-2")));
    }

    @Test
    void deactivatingTheTenantsWmsStopsItsPullsTooUntilReactivated() {
        String tenantId = tenant("Pull deactivated");
        admin.post("/admin/tenants/" + tenantId + "/integrations/wms", "", 201);
        wms.stubFor(get("/paused").willReturn(okJson("[]")));
        String id = register(tenantId, "/paused", "GET", 1).get("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> !wms.findAll(getRequestedFor(urlPathEqualTo("/paused"))).isEmpty());

        admin.post("/admin/tenants/" + tenantId + "/integrations/wms/deactivate", "", 200);
        int before = wms.findAll(getRequestedFor(urlPathEqualTo("/paused"))).size();
        HttpResponse<String> sync = admin.post("/admin/tenants/" + tenantId + "/pull-endpoints/" + id + "/sync", "");
        assertThat(sync.statusCode()).isEqualTo(409);
        assertThat(sync.body()).contains("integration-inactive");
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() ->
                wms.findAll(getRequestedFor(urlPathEqualTo("/paused"))).size() <= before + 1); // one may have been in flight

        admin.post("/admin/tenants/" + tenantId + "/integrations/wms/activate", "", 200);
        int paused = wms.findAll(getRequestedFor(urlPathEqualTo("/paused"))).size();
        await().atMost(Duration.ofSeconds(5)).until(() -> wms.findAll(getRequestedFor(urlPathEqualTo("/paused"))).size() > paused);
        assertThat(admin.post("/admin/tenants/" + tenantId + "/integrations/wms/deactivate", "{\"pulls\":false}").statusCode())
                .isEqualTo(400);
        admin.delete("/admin/tenants/" + tenantId + "/pull-endpoints/" + id);
    }

    @Test
    void newCustomersAreGeocodedAsynchronouslyAndThroughTheCache() {
        String tenantId = tenant("Geo");
        ObjectNode connected = admin.post("/admin/tenants/" + tenantId + "/integrations/wms", "", 201);
        String url = "/api/integrations/wms/" + tenantId;
        String secret = connected.get("secret").asText();
        assertThat(push(url, secret, "{\"externalOrderId\":\"G1\",\"deliveryAddress\":\"Prinsengracht 263, Amsterdam\"}")
                .statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(customers(tenantId).get(0).path("geocodeStatus").asText()));
        JsonNode customer = customers(tenantId).get(0);
        assertThat(customer.get("latitude").asDouble()).isEqualTo(52.37);
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/metrics")).GET()).body())
                .contains("opsbridge_downstream_attempts_total{status_class=\"2xx\",system=\"geocoder\"}");
        assertThat(customer.get("longitude").asDouble()).isEqualTo(4.89);

        // the same address, written differently, in another tenant: answered from the cache
        String other = tenant("Geo 2");
        String otherSecret = admin.post("/admin/tenants/" + other + "/integrations/wms", "", 201).get("secret").asText();
        push("/api/integrations/wms/" + other, otherSecret,
                "{\"externalOrderId\":\"G2\",\"deliveryAddress\":\"PRINSENGRACHT 263 amsterdam\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(customers(other).get(0).path("geocodeStatus").asText()));
        assertThat(geocoder.findAll(getRequestedFor(urlPathEqualTo("/search"))
                .withQueryParam("q", matching("(?i)prinsengracht.*")))).hasSize(1);
    }

    @Test
    void aSlowOrFailingGeocoderNeitherFailsNorDelaysTheWebhookAndItsFailureIsVisible() {
        geocoder.resetAll();
        geocoder.stubFor(get(urlPathEqualTo("/search")).willReturn(okJson("[]").withFixedDelay(3000)));
        String tenantId = tenant("Geo slow");
        String secret = admin.post("/admin/tenants/" + tenantId + "/integrations/wms", "", 201).get("secret").asText();
        long started = System.nanoTime();
        HttpResponse<String> response = push("/api/integrations/wms/" + tenantId, secret,
                "{\"externalOrderId\":\"SLOW-1\",\"deliveryAddress\":\"Nowhere Lane 1\"}");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(tookMillis).as("the webhook does not wait for the 3 s geocoder").isLessThan(3000);

        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(customers(tenantId).get(0).path("geocodeStatus").asText()));
        assertThat(customers(tenantId).get(0).get("geocodeError").asText()).contains("too slow");
        assertThat(logs.lines()).anyMatch(line -> line.contains("Geocoding customer") && line.contains("failed"));
    }

    static JsonNode customers(String tenantId) {
        return admin.get("/admin/tenants/" + tenantId + "/customers", 200).get("customers");
    }

    static HttpResponse<String> push(String url, String secret, String json) {
        return hub.send(HttpRequest.newBuilder(hub.uri(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + secret).POST(HttpRequest.BodyPublishers.ofString(json)));
    }
}
