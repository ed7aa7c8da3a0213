package io.opsbridge.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/integrators.md promises: a new event type whose flow forwards its fields end to end,
 * added with YAML, a schema and a template only. An integrator's copy of routes/, schemas/ and
 * templates/ gets SHIPMENT.DISPATCHED (the files below, as the guide shows them) and the unchanged
 * jar forwards it to the CRM.
 */
class NewEventTypeWithoutJavaTest {

    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "SHIPMENT.DISPATCHED payload (WMS)",
              "type": "object",
              "required": ["order_id", "carrier"],
              "properties": {
                "order_id": { "$ref": "../common.schema.json#/$defs/id" },
                "carrier": { "type": "string", "maxLength": 100 },
                "tracking_number": { "type": "string", "maxLength": 200 },
                "dispatched_at": { "$ref": "../common.schema.json#/$defs/dateTime" }
              }
            }
            """;
    static final String TEMPLATE = """
            /* POST {crm}/orders/{order_id}/events on SHIPMENT.DISPATCHED */
            {
              "type": "dispatched",
              "order_id": link.order_id,
              "source_event_id": event.event_id,
              "occurred_at": event.timestamp,
              "data": {
                "carrier": event.payload.carrier,
                "tracking_number": event.payload.tracking_number,
                "dispatched_at": event.payload.dispatched_at
              }
            }
            """;
    static final String FLOW = """
            - route:
                id: flow-shipment-dispatched
                routeConfigurationId: delivery-errors
                from:
                  uri: direct:flow-shipment-dispatched
                  steps:
                    - setProperty:
                        name: step
                        constant: notify-dispatched
                    - bean:
                        ref: flowRequests
                        method: "request(*, 'crm')"
                    - setHeader:
                        name: Idempotency-Key
                        simple: "${exchangeProperty.flowEvent.eventId}:dispatched"
                    - to: "jsonata:file:{{opsbridge.templates.dir}}/crm-event-dispatched.jsonata?inputType=Jackson&outputType=JsonString"
                    - toD: "{{opsbridge.crm.url}}/orders/${exchangeProperty.link.orderId}/events?httpMethod=POST"
            """;
    /** One more {@code when} of the content-based router (routes/event-router.yaml), at its indentation. */
    static final String ROUTER_WHEN = String.join("\n",
            "              - simple: \"${exchangeProperty.eventType} == 'SHIPMENT.DISPATCHED'\"",
            "                steps:",
            "                  - to: direct:flow-shipment-dispatched",
            "");

    @TempDir
    static Path data;
    @TempDir
    static Path checkout;
    static WireMockServer crm;
    static TestHub hub;

    @BeforeAll
    static void start() throws IOException {
        for (String dir : new String[] {"routes", "schemas", "templates"}) {
            copy(Path.of(dir), checkout.resolve(dir));
        }
        Files.writeString(checkout.resolve("schemas/events/SHIPMENT.DISPATCHED.schema.json"), SCHEMA);
        Files.writeString(checkout.resolve("templates/crm-event-dispatched.jsonata"), TEMPLATE);
        Files.writeString(checkout.resolve("routes/flow-shipment-dispatched.yaml"), FLOW);
        Path router = checkout.resolve("routes/event-router.yaml");
        String routes = Files.readString(router);
        int otherwise = routes.indexOf("            otherwise:");
        Files.writeString(router, routes.substring(0, otherwise) + ROUTER_WHEN + routes.substring(otherwise));

        crm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        crm.start();
        crm.stubFor(post(urlPathMatching("/crm/orders/.*/events")).willReturn(okJson("{}").withStatus(201)));
        Map<String, String> s = new HashMap<>();
        s.put("camel.main.routes-include-pattern", "file:" + checkout.resolve("routes") + "/*.yaml,file:sandbox/*.yaml");
        s.put("opsbridge.schemas.dir", checkout.resolve("schemas").toString());
        s.put("opsbridge.templates.dir", checkout.resolve("templates").toString());
        s.put("opsbridge.sender.wms.event-types", "PICK.CREATED,PICK.COMPLETED,PICK.PARTIAL,BACKORDER.CREATED,INVENTORY.ALERT,"
                + "SHIPMENT.DISPATCHED");
        s.put("opsbridge.sender.wms.secrets", "wms-secret");
        s.put("opsbridge.crm.url", crm.baseUrl() + "/crm");
        s.put("opsbridge.delivery.enabled", "true");
        s.put("opsbridge.delivery.poll-interval-ms", "50");
        s.put("opsbridge.admin.token", "integrator-admin");
        hub = TestHub.start(data, s);
    }

    @AfterAll
    static void stop() {
        hub.close();
        crm.stop();
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    @Test
    void aNewEventTypeIsForwardedEndToEndWithYamlSchemaAndTemplateOnly() {
        String timestamp = Instant.now().toString();
        String event = """
                {"event_id":"evt_dispatch_1","event_type":"SHIPMENT.DISPATCHED","event_version":"1.0","timestamp":"%s",
                 "source":"wms.prod","payload":{"order_id":"ORD-DISPATCH-1","carrier":"DHL","tracking_number":"JD42",
                 "dispatched_at":"2026-11-21T08:00:00Z","dock":"D4"}}""".formatted(timestamp);
        assertThat(new Webhooks(hub).post("/webhooks/wms", "wms-secret", event).statusCode()).isEqualTo(202);
        AdminClient admin = new AdminClient(hub, "integrator-admin");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "done".equals(admin.get("/admin/events/wms/evt_dispatch_1", 200).get("state").asText()));

        LoggedRequest call = crm.findAll(postRequestedFor(urlEqualTo("/crm/orders/ORD-DISPATCH-1/events"))).get(0);
        assertThat(call.getHeader("Idempotency-Key")).isEqualTo("evt_dispatch_1:dispatched");
        assertThat(Events.parse(call.getBodyAsString())).isEqualTo(Events.parse("""
                {"type":"dispatched","order_id":"ORD-DISPATCH-1","source_event_id":"evt_dispatch_1","occurred_at":"%s",
                 "data":{"carrier":"DHL","tracking_number":"JD42","dispatched_at":"2026-11-21T08:00:00Z"}}""".formatted(timestamp)));

        // the schema the integrator wrote is enforced like the shipped ones
        String noCarrier = event.replace("\"carrier\":\"DHL\",", "").replace("evt_dispatch_1", "evt_dispatch_2");
        assertThat(new Webhooks(hub).post("/webhooks/wms", "wms-secret", noCarrier).body()).contains("/payload/carrier");
        crm.verify(1, postRequestedFor(urlPathMatching("/crm/orders/.*/events")).withHeader("Idempotency-Key", equalTo("evt_dispatch_1:dispatched")));
    }
}
