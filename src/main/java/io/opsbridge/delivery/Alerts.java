package io.opsbridge.delivery;

import java.util.Map;

import io.opsbridge.Json;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts (routes/alerts.yaml): a log line always, and a Slack-style {@code {"text": …}} POST to
 * {@code opsbridge.alerts.webhook-url} when one is configured. Sent on a copy of the exchange; a
 * failing alert webhook is logged and never reaches the dead-letter queue.
 */
public final class Alerts {

    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    /** Exchange property: the alert's text. */
    public static final String TEXT = "alertText";
    /** Exchange property marking an alert exchange (its call is not a delivery attempt). */
    public static final String ALERT = "alert";
    public static final String URL = "alertUrl";

    private final String webhookUrl;

    public Alerts(String webhookUrl) {
        this.webhookUrl = webhookUrl == null || webhookUrl.isBlank() ? null : webhookUrl.trim();
    }

    public void prepare(Exchange exchange) {
        String text = exchange.getProperty(TEXT, "OpsBridge alert", String.class);
        LOG.warn("ALERT {}", text);
        exchange.setProperty(ALERT, true);
        exchange.setProperty(URL, webhookUrl);
        exchange.removeProperty(FlowEvent.STEP);
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setBody(Json.write(Map.of("text", text)));
    }

    /** INVENTORY.ALERT: words the alert from what the payload has (only the SKU is required). */
    public void inventory(Exchange exchange) {
        var payload = exchange.getProperty(FlowEvent.PROPERTY, FlowEvent.class).payload();
        var available = payload.hasNonNull("available") ? payload.get("available") : payload.get("qty_available");
        exchange.setProperty(TEXT, ":package: Low stock: SKU " + payload.path("sku").asText()
                + (available != null ? " has " + available.asText() + " available" : "")
                + (payload.hasNonNull("threshold") ? " (threshold " + payload.get("threshold").asText() + ")" : "")
                + (payload.hasNonNull("warehouse") ? " in " + payload.get("warehouse").asText() : ""));
    }

    public void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        // never the URL: a chat webhook URL is itself a secret
        String why = failure instanceof org.apache.camel.http.base.HttpOperationFailedException http
                ? "HTTP " + http.getStatusCode() : failure == null ? "unknown" : failure.getClass().getSimpleName();
        LOG.warn("Alert webhook failed ({}); the alert is in the log only", why);
    }
}
