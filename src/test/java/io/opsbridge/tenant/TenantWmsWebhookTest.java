package io.opsbridge.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opsbridge.crypto.Secrets;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.LogCapture;
import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC section 4 over real HTTP: admin auth, tenants, connect WMS, and the tenant order webhook. */
class TenantWmsWebhookTest {

    static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    @TempDir
    static Path data;
    static TestHub hub;
    static AdminClient admin;
    static LogCapture logs;
    static final List<String> secretsShown = new ArrayList<>();

    @BeforeAll
    static void start() {
        logs = LogCapture.attach();
        hub = TestHub.start(data, Map.of(
                "opsbridge.admin.token", ADMIN_TOKEN,
                "opsbridge.public-url", "https://hub.example.com/",
                "opsbridge.tenant-intake.max-orders", "5"));
        admin = new AdminClient(hub, ADMIN_TOKEN);
    }

    @AfterAll
    static void stop() {
        hub.close();
        // no secret shown once ever appears in a log line
        for (String secret : secretsShown) {
            assertThat(logs.lines()).noneMatch(line -> line.contains(secret));
        }
        logs.close();
    }

    record Tenant(String id, String secret) {
        String url() {
            return "/api/integrations/wms/" + id;
        }
    }

    static Tenant newConnectedTenant(String name) {
        String id = admin.post("/admin/tenants", "{\"name\":\"" + name + "\"}", 201).get("id").asText();
        ObjectNode connected = admin.post("/admin/tenants/" + id + "/integrations/wms", "", 201);
        String secret = connected.get("secret").asText();
        secretsShown.add(secret);
        return new Tenant(id, secret);
    }

    static HttpResponse<String> push(String url, String secret, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (secret != null) {
            request.header("Authorization", "Bearer " + secret);
        }
        return hub.send(request);
    }

    static Map<String, Object> snapshot(String tenantId) {
        return Map.of(
                "orders", hub.query("SELECT * FROM tenant_order WHERE tenant_id = ? ORDER BY id", tenantId),
                "customers", hub.query("SELECT * FROM customer WHERE tenant_id = ? ORDER BY id", tenantId),
                "integration", hub.query("SELECT * FROM wms_integration WHERE tenant_id = ?", tenantId));
    }

    @Test
    void everyAdminEndpointNeedsTheAdminToken() {
        for (String path : List.of("/admin/tenants", "/admin/tenants/x/integrations/wms", "/admin/anything")) {
            HttpResponse<String> anonymous = hub.send(HttpRequest.newBuilder(hub.uri(path)).GET());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(new AdminClient(hub, "wrong-token").get(path).statusCode()).isEqualTo(401);
        }
        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/admin/tenants?Authorization=Bearer%20" + ADMIN_TOKEN)).GET())
                .statusCode()).isEqualTo(401);
        assertThat(admin.get("/admin/tenants").statusCode()).isEqualTo(200);
    }

    @Test
    void connectingShowsTheWebhookUrlAndTheSecretOnceAndKeepsOnlyItsHash() {
        String id = admin.post("/admin/tenants", "{\"name\":\"Once Ltd\"}", 201).get("id").asText();
        ObjectNode connected = admin.post("/admin/tenants/" + id + "/integrations/wms", "", 201);
        String secret = connected.get("secret").asText();
        secretsShown.add(secret);
        assertThat(connected.get("webhookUrl").asText()).isEqualTo("https://hub.example.com/api/integrations/wms/" + id);
        assertThat(connected.get("active").asBoolean()).isTrue();

        ObjectNode read = admin.get("/admin/tenants/" + id + "/integrations/wms", 200);
        assertThat(read.has("secret")).isFalse();
        assertThat(read.toString()).doesNotContain(secret);
        assertThat(read.get("lastReceivedAt").isNull()).isTrue();
        assertThat(hub.query("SELECT secret_sha256 FROM wms_integration WHERE tenant_id = ?", id))
                .containsExactly(Map.of("secret_sha256", Secrets.sha256Hex(secret)));
        assertThat(admin.post("/admin/tenants/" + id + "/integrations/wms", "").statusCode()).isEqualTo(409);
        assertThat(admin.get("/admin/tenants/no-such-tenant/integrations/wms").statusCode()).isEqualTo(404);
    }

    @Test
    void oneOrderOrAnArrayIsUpsertedByExternalOrderId() {
        Tenant tenant = newConnectedTenant("Upsert BV");
        HttpResponse<String> first = push(tenant.url(), tenant.secret(),
                "{\"externalOrderId\":\"EXT-1\",\"deliveryAddress\":\"Damrak 1, Amsterdam\",\"plannedDate\":\"2026-12-01\","
                        + "\"totalWeight\":120.5,\"volume\":1.2,\"palletCount\":2,\"specialHandling\":[\"fragile\"]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        ObjectNode created = Events.parse(first.body());
        assertThat(created.get("accepted").asBoolean()).isTrue();
        assertThat(created.get("processed").asInt()).isEqualTo(1);
        JsonNode order = created.get("orders").get(0);
        assertThat(order.get("externalOrderId").asText()).isEqualTo("EXT-1");
        assertThat(order.get("created").asBoolean()).isTrue();
        String orderId = order.get("orderId").asText();

        HttpResponse<String> again = push(tenant.url(), tenant.secret(),
                "[{\"externalOrderId\":\"EXT-1\",\"deliveryAddress\":\"damrak 1 amsterdam\",\"plannedDate\":\"2026-12-02\"},"
                        + "{\"externalOrderId\":\"EXT-2\",\"deliveryAddress\":\"Coolsingel 40, Rotterdam\","
                        + "\"customerName\":\"Port Shop\",\"customerContact\":\"+31 10 000\"}]");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        ObjectNode updated = Events.parse(again.body());
        assertThat(updated.get("processed").asInt()).isEqualTo(2);
        assertThat(updated.get("orders").get(0).get("created").asBoolean()).isFalse();
        assertThat(updated.get("orders").get(0).get("orderId").asText()).isEqualTo(orderId);
        assertThat(updated.get("orders").get(1).get("created").asBoolean()).isTrue();

        ObjectNode planned = admin.get("/admin/tenants/" + tenant.id() + "/orders?plannedDate=2026-12-02", 200);
        assertThat(planned.get("orders")).hasSize(1);
        JsonNode ext1 = planned.get("orders").get(0);
        assertThat(ext1.get("externalOrderId").asText()).isEqualTo("EXT-1");
        assertThat(ext1.get("totalWeight").isNull()).as("an upsert replaces the order").isTrue();
        assertThat(ext1.get("customer").get("name").asText()).isEqualTo("WMS Customer");
        assertThat(ext1.get("customer").get("contact").asText()).isEqualTo("N/A");
        assertThat(admin.get("/admin/tenants/" + tenant.id() + "/orders?plannedDate=2026-12-01", 200).get("orders")).isEmpty();
        assertThat(hub.query("SELECT COUNT(*) AS n FROM customer WHERE tenant_id = ?", tenant.id()).get(0).get("n"))
                .as("the same address, written differently, is the same customer").isEqualTo(2L);
        assertThat(admin.get("/admin/tenants/" + tenant.id() + "/integrations/wms", 200).get("lastReceivedAt").isNull()).isFalse();
        assertThat(admin.get("/admin/tenants/" + tenant.id() + "/orders?plannedDate=2026-02-30").statusCode()).isEqualTo(400);
    }

    @Test
    void oneInvalidItemWritesNothingAndNamesItsIndex() {
        Tenant tenant = newConnectedTenant("Atomic GmbH");
        assertThat(push(tenant.url(), tenant.secret(), "{\"externalOrderId\":\"KEEP\",\"deliveryAddress\":\"A 1\"}").statusCode())
                .isEqualTo(200);
        Map<String, Object> before = snapshot(tenant.id());

        HttpResponse<String> response = push(tenant.url(), tenant.secret(),
                "[{\"externalOrderId\":\"N1\",\"deliveryAddress\":\"B 2\"},{\"externalOrderId\":\"KEEP\",\"deliveryAddress\":\"C 3\"},"
                        + "{\"deliveryAddress\":\"D 4\"}]");
        assertThat(response.statusCode()).isEqualTo(400);
        ObjectNode error = Events.parse(response.body());
        assertThat(error.get("error").asText()).isNotBlank();
        assertThat(error.get("details").asText()).contains("orders[2]").contains("externalOrderId");
        assertThat(snapshot(tenant.id())).isEqualTo(before);

        assertThat(Events.parse(push(tenant.url(), tenant.secret(), "[{\"externalOrderId\":\"N1\"}]").body())
                .get("details").asText()).contains("orders[0]").contains("deliveryAddress");
        assertThat(Events.parse(push(tenant.url(), tenant.secret(),
                "[{\"externalOrderId\":\"N1\",\"deliveryAddress\":\"x\",\"palletCount\":1.5}]").body()).get("details").asText())
                .contains("palletCount");
        assertThat(snapshot(tenant.id())).isEqualTo(before);
    }

    @Test
    void invalidPlannedDatesAre422PerItemAndWriteNothing() {
        Tenant tenant = newConnectedTenant("Dates SA");
        Map<String, Object> before = snapshot(tenant.id());
        HttpResponse<String> response = push(tenant.url(), tenant.secret(),
                "[{\"externalOrderId\":\"D1\",\"deliveryAddress\":\"x\",\"plannedDate\":\"2025-02-30\"},"
                        + "{\"externalOrderId\":\"D2\",\"deliveryAddress\":\"x\",\"plannedDate\":\"2025-03-01\"},"
                        + "{\"externalOrderId\":\"D3\",\"deliveryAddress\":\"x\",\"plannedDate\":\"01/04/2025\"}]");
        assertThat(response.statusCode()).isEqualTo(422);
        ObjectNode error = Events.parse(response.body());
        assertThat(error.get("error").asText()).isNotBlank();
        JsonNode messages = error.get("fieldErrors").get("plannedDate");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).asText()).contains("orders[0]").contains("2025-02-30");
        assertThat(messages.get(1).asText()).contains("orders[2]");
        assertThat(snapshot(tenant.id())).isEqualTo(before);
        assertThat(push(tenant.url(), tenant.secret(),
                "{\"externalOrderId\":\"LEAP\",\"deliveryAddress\":\"x\",\"plannedDate\":\"2028-02-29\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void wrongSecretUnknownTenantAndInactiveWebhookAreTheSame401() {
        Tenant a = newConnectedTenant("Tenant A");
        Tenant b = newConnectedTenant("Tenant B");
        String order = "{\"externalOrderId\":\"X\",\"deliveryAddress\":\"x\"}";
        List<HttpResponse<String>> refusals = new ArrayList<>(List.of(
                push(b.url(), a.secret(), order),
                push("/api/integrations/wms/no-such-tenant", a.secret(), order),
                push(a.url(), null, order),
                push(a.url(), "wms_guess", order)));
        admin.post("/admin/tenants/" + a.id() + "/integrations/wms/deactivate", "", 200);
        refusals.add(push(a.url(), a.secret(), order));
        for (HttpResponse<String> refusal : refusals) {
            assertThat(refusal.statusCode()).isEqualTo(401);
            assertThat(refusal.body()).isEqualTo(refusals.get(0).body());
        }
        assertThat(hub.query("SELECT 1 FROM tenant_order WHERE tenant_id IN (?, ?)", a.id(), b.id())).isEmpty();
        assertThat(admin.get("/admin/tenants/" + a.id() + "/integrations/wms", 200).get("lastReceivedAt").isNull()).isTrue();

        admin.post("/admin/tenants/" + a.id() + "/integrations/wms/activate", "", 200);
        assertThat(push(a.url(), a.secret(), order).statusCode()).isEqualTo(200);
    }

    @Test
    void afterRegeneratingTheOldSecretIs401AndTheNewOne200() {
        Tenant tenant = newConnectedTenant("Rotate Inc");
        ObjectNode regenerated = admin.post("/admin/tenants/" + tenant.id() + "/integrations/wms/regenerate-secret", "", 200);
        String fresh = regenerated.get("secret").asText();
        secretsShown.add(fresh);
        assertThat(fresh).isNotEqualTo(tenant.secret());
        String order = "{\"externalOrderId\":\"R1\",\"deliveryAddress\":\"x\"}";
        assertThat(push(tenant.url(), tenant.secret(), order).statusCode()).isEqualTo(401);
        assertThat(push(tenant.url(), fresh, order).statusCode()).isEqualTo(200);
    }

    @Test
    void deactivatedWebhookLeavesLastReceivedAtAlone() {
        Tenant tenant = newConnectedTenant("Pause Co");
        assertThat(push(tenant.url(), tenant.secret(), "{\"externalOrderId\":\"P1\",\"deliveryAddress\":\"x\"}").statusCode())
                .isEqualTo(200);
        String received = admin.get("/admin/tenants/" + tenant.id() + "/integrations/wms", 200).get("lastReceivedAt").asText();
        admin.post("/admin/tenants/" + tenant.id() + "/integrations/wms/deactivate", "", 200);
        assertThat(push(tenant.url(), tenant.secret(), "{\"externalOrderId\":\"P2\",\"deliveryAddress\":\"x\"}").statusCode())
                .isEqualTo(401);
        ObjectNode integration = admin.get("/admin/tenants/" + tenant.id() + "/integrations/wms", 200);
        assertThat(integration.get("active").asBoolean()).isFalse();
        assertThat(integration.get("lastReceivedAt").asText()).isEqualTo(received);
    }

    @Test
    void customerIdMustBeOneOfThisTenantsCustomers() {
        Tenant tenant = newConnectedTenant("Customers Ltd");
        Tenant other = newConnectedTenant("Other Ltd");
        push(other.url(), other.secret(), "{\"externalOrderId\":\"O1\",\"deliveryAddress\":\"Elsewhere 9\"}");
        String othersCustomer = admin.get("/admin/tenants/" + other.id() + "/customers", 200).get("customers").get(0).get("id").asText();
        push(tenant.url(), tenant.secret(), "{\"externalOrderId\":\"C1\",\"deliveryAddress\":\"Here 1\",\"customerName\":\"Here\"}");
        String ownCustomer = admin.get("/admin/tenants/" + tenant.id() + "/customers", 200).get("customers").get(0).get("id").asText();

        assertThat(push(tenant.url(), tenant.secret(), "{\"externalOrderId\":\"C2\",\"customerId\":\"" + ownCustomer + "\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> foreign = push(tenant.url(), tenant.secret(),
                "{\"externalOrderId\":\"C3\",\"customerId\":\"" + othersCustomer + "\"}");
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(Events.parse(foreign.body()).get("details").asText()).contains("orders[0]").contains("customerId");
    }

    @Test
    void badJsonWrongShapeAndTooManyOrdersAre400() {
        Tenant tenant = newConnectedTenant("Shapes");
        for (String body : List.of("{\"externalOrderId\":", "\"just a string\"", "42", "[1, 2]")) {
            HttpResponse<String> response = push(tenant.url(), tenant.secret(), body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(Events.parse(response.body()).get("error").asText()).isNotBlank();
        }
        StringBuilder six = new StringBuilder("[");
        for (int i = 0; i < 6; i++) {
            six.append(i == 0 ? "" : ",").append("{\"externalOrderId\":\"B").append(i).append("\",\"deliveryAddress\":\"x\"}");
        }
        HttpResponse<String> tooMany = push(tenant.url(), tenant.secret(), six.append("]").toString());
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(Events.parse(tooMany.body()).get("details").asText()).contains("At most 5");
        assertThat(push(tenant.url(), tenant.secret(), "[]").statusCode()).isEqualTo(200);
        HttpResponse<String> form = hub.send(HttpRequest.newBuilder(hub.uri(tenant.url()))
                .header("Authorization", "Bearer " + tenant.secret())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("a=b")));
        assertThat(form.statusCode()).isEqualTo(415);
    }

    @Test
    void aBodyThatIsNotWellFormedUtf8Is400AndWritesNothing() {
        Tenant tenant = newConnectedTenant("UTF-8");
        Map<String, Object> before = snapshot(tenant.id());
        // "C0 AF" is an overlong "/", "ED A0 80" an encoded surrogate: both decode in a lenient parser
        for (byte[] bad : List.of(new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            byte[] prefix = "{\"externalOrderId\":\"U1\",\"deliveryAddress\":\"1 High St".getBytes(StandardCharsets.UTF_8);
            byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(bad, 0, body, prefix.length, bad.length);
            System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
            HttpResponse<String> response = hub.send(HttpRequest.newBuilder(hub.uri(tenant.url()))
                    .header("Authorization", "Bearer " + tenant.secret()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Events.parse(response.body()).get("error").asText()).isNotBlank();
        }
        assertThat(snapshot(tenant.id())).isEqualTo(before);
        // the admin API too
        HttpResponse<String> admin400 = hub.send(HttpRequest.newBuilder(hub.uri("/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"',
                        (byte) 0xC0, (byte) 0xAF, '"', '}'})));
        assertThat(admin400.statusCode()).isEqualTo(400);
    }
}
