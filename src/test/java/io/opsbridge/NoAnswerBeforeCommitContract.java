package io.opsbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.opsbridge.support.AdminClient;
import io.opsbridge.support.Events;
import io.opsbridge.support.HeldCommits;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1, made deterministic: the hub's database commits go through a driver that can hold
 * them (configured by its ordinary opsbridge.db.url). While the commit of an accepted event or of
 * tenant orders is held, no answer may reach the client; once it is let go, the answer comes and
 * the rows are there. Independent of how the hub writes (one commit per request or group commit).
 * Run on H2 ({@link NoAnswerBeforeCommitTest}) and PostgreSQL ({@link NoAnswerBeforeCommitOnPostgresTest}).
 */
abstract class NoAnswerBeforeCommitContract {

    static final String ADMIN = "held-admin-token";
    /** How long an answer must stay away while its commit is held. An answer sent before the commit arrives in milliseconds. */
    static final Duration HELD_FOR = Duration.ofMillis(1500);
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path data;
    static TestHub hub;

    @AfterEach
    void letGo() {
        HeldCommits.release();
    }

    @Test
    void theWebhookAnswersOnlyAfterTheInboxCommit() throws Exception {
        String body = Events.json(Events.example("ORDER.CREATED", "evt_held"));
        HttpRequest request = new Webhooks(hub).signed("/webhooks/orders", "held-secret", body).build();

        HeldCommits.hold("inbox_event");
        CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        assertThat(HeldCommits.awaitHeld(30)).as("the intake commits the event's inbox row").isTrue();
        // the same event again while the first is not yet committed: its "duplicate" must not come early either
        CompletableFuture<HttpResponse<String>> repeat = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());

        assertNoAnswerWhileHeld(first);
        assertNoAnswerWhileHeld(repeat);
        assertThat(hub.query("SELECT 1 FROM inbox_event WHERE event_id = 'evt_held'")).as("not committed yet").isEmpty();

        HeldCommits.release();
        HttpResponse<String> accepted = first.get(30, TimeUnit.SECONDS);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(hub.query("SELECT state FROM inbox_event WHERE event_id = 'evt_held'"))
                .containsExactly(Map.of("state", "received"));
        HttpResponse<String> duplicate = repeat.get(30, TimeUnit.SECONDS);
        assertThat(duplicate.statusCode()).as(duplicate.body()).isEqualTo(200);
        assertThat(Events.parse(duplicate.body()).get("status").asText()).isEqualTo("duplicate");
    }

    @Test
    void theTenantOrderWebhookAnswersOnlyAfterItsCommit() throws Exception {
        AdminClient admin = new AdminClient(hub, ADMIN);
        String tenant = admin.post("/admin/tenants", "{\"name\":\"Held\"}", 201).get("id").asText();
        String secret = admin.post("/admin/tenants/" + tenant + "/integrations/wms", "", 201).get("secret").asText();
        HttpRequest request = HttpRequest.newBuilder(hub.uri("/api/integrations/wms/" + tenant))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + secret)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "[{\"externalOrderId\":\"HELD-1\",\"deliveryAddress\":\"Damrak 1, Amsterdam\"},"
                                + "{\"externalOrderId\":\"HELD-2\",\"deliveryAddress\":\"Damrak 2, Amsterdam\"}]"))
                .build();

        HeldCommits.hold("tenant_order");
        CompletableFuture<HttpResponse<String>> answer = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        assertThat(HeldCommits.awaitHeld(30)).as("the orders are written in a transaction").isTrue();

        assertNoAnswerWhileHeld(answer);
        assertThat(hub.query("SELECT 1 FROM tenant_order WHERE tenant_id = ?", tenant)).as("not committed yet").isEmpty();
        assertThat(admin.get("/admin/tenants/" + tenant + "/integrations/wms", 200).path("lastReceivedAt").isNull())
                .as("lastReceivedAt changes only with the orders").isTrue();

        HeldCommits.release();
        HttpResponse<String> stored = answer.get(30, TimeUnit.SECONDS);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(Events.parse(stored.body()).get("processed").asInt()).isEqualTo(2);
        assertThat(hub.query("SELECT external_order_id FROM tenant_order WHERE tenant_id = ? ORDER BY external_order_id", tenant))
                .extracting(r -> r.get("external_order_id")).isEqualTo(List.of("HELD-1", "HELD-2"));
    }

    static void assertNoAnswerWhileHeld(CompletableFuture<HttpResponse<String>> answer) {
        assertThatThrownBy(() -> answer.get(HELD_FOR.toMillis(), TimeUnit.MILLISECONDS))
                .as("an answer arrived while its commit was held")
                .isInstanceOf(TimeoutException.class);
    }
}
