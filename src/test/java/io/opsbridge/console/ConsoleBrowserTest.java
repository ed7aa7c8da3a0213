package io.opsbridge.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.opsbridge.support.Events;
import io.opsbridge.support.TestHub;
import io.opsbridge.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.HasPermissions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console end to end, in headless Chromium (Debian's chromium and chromedriver, installed by
 * scripts/install-browser.sh) against a started hub delivering to a WireMock downstream. One hub,
 * one downstream and one browser for the whole class; the tests run in order, as an operator would:
 * sign in, connect a tenant's WMS, pull, handle dead letters, read traces. Each page is saved as a
 * screenshot in target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final String ADMIN = "console-browser-admin-token";
    static final Path CHROMIUM = Path.of(System.getProperty("opsbridge.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("opsbridge.test.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    static final String MARKUP = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";

    @TempDir
    static Path data;
    static WireMockServer downstream;
    static TestHub hub;
    static Webhooks vendor;
    static ChromeDriver browser;
    static WebDriverWait wait;
    static String tenantId;

    @BeforeAll
    static void start() throws IOException {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the console's browser tests need %s and %s: run scripts/install-browser.sh (as root), as .ci/run does",
                        CHROMIUM, CHROMEDRIVER)
                .isTrue();
        downstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        downstream.start();
        healthyDownstream();
        Map<String, String> settings = TestHub.deliveringTo(downstream.baseUrl(), data);
        settings.put("opsbridge.admin.token", ADMIN);
        settings.put("opsbridge.sender.crm.secrets", "crm-secret");
        settings.put("opsbridge.sender.crm.rate-limit", "0");
        settings.put("opsbridge.delivery.base-delay-ms", "100");
        settings.put("opsbridge.delivery.max-delay-ms", "500");
        hub = TestHub.start(data, settings);
        vendor = new Webhooks(hub);

        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        browser = new ChromeDriver(new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=en-GB"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
        if (downstream != null) {
            downstream.stop();
        }
    }

    static void healthyDownstream() {
        downstream.resetAll();
        downstream.stubFor(post("/alerts").willReturn(aResponse().withStatus(200)));
        downstream.stubFor(post(urlPathMatching("/crm/orders/.*/events")).willReturn(okJson("{\"ok\":true}").withStatus(201)));
        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{\"id\":\"TASK-77\"}").withStatus(201)));
        downstream.stubFor(patch(urlPathMatching("/tm/tasks/.*")).willReturn(okJson("{}")));
        downstream.stubFor(post("/wms/picks").willReturn(okJson("{\"id\":\"PICK-77\"}").withStatus(201)));
        downstream.stubFor(patch(urlPathMatching("/wms/picks/.*")).willReturn(okJson("{}")));
        downstream.stubFor(get(urlEqualTo("/pull/orders")).willReturn(okJson(
                "[{\"externalOrderId\":\"PULL-1\",\"deliveryAddress\":\"2 Quay Street, Rotterdam\",\"plannedDate\":\"2026-12-02\"}]")));
    }

    // ---- sign-in

    @Test
    @Order(1)
    void aWrongOrMissingTokenShowsTheSignInPageAndNoData() {
        browser.get(hub.uri("/console/").toString());
        // the test reads the clipboard back (granted per origin, once the browser is on it)
        ((HasPermissions) browser).setPermission("clipboard-read", "granted");
        ((HasPermissions) browser).setPermission("clipboard-write", "granted");
        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(browser.switchTo().activeElement()).as("the token field has the focus").isEqualTo(token);
        assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
        screenshot("01-sign-in");

        token.sendKeys("not-the-token", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "not accepted"));
        assertThat(browser.findElement(By.id("view")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("view")).getText()).isEmpty();
        assertThat(sessionToken()).isNull();

        // a token that stops being accepted (a stale one in this tab) signs out at the first answer
        js("sessionStorage.setItem('opsbridge.adminToken', 'stale-token'); location.hash = '#/events';");
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        assertThat(browser.findElement(By.id("view")).getText()).isEmpty();
        assertThat(sessionToken()).isNull();
    }

    @Test
    @Order(2)
    void signInWithTheKeyboardKeepsTheTokenInTheTabOnly() {
        signIn();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("backlog-total")));
        assertThat(sessionToken()).isEqualTo(ADMIN);
        assertThat(browser.getCurrentUrl()).doesNotContain(ADMIN);
        assertThat((String) js("return document.cookie")).isEmpty();
        assertThat(browser.findElement(By.cssSelector("#nav a[aria-current=page]")).getText()).isEqualTo("Overview");
    }

    // ---- integrations

    @Test
    @Order(3)
    void connectWmsShowsTheSecretOnceAndRegenerateRefusesTheOldOne() throws Exception {
        open("#/integrations");
        WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tenant-name")));
        name.sendKeys("Acme <b>Logistics</b>", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#view h1"), "Acme"));
        assertThat(text("#view h1")).as("a tenant's name is text").isEqualTo("Acme <b>Logistics</b>");
        tenantId = browser.getCurrentUrl().replaceAll(".*#/integrations/", "");

        click(By.id("connect-wms"));
        WebElement secretBox = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-once")));
        assertThat(secretBox.getText()).contains("This secret will not be shown again", "/api/integrations/wms/" + tenantId);
        String shown = browser.findElement(By.id("secret-value")).getDomProperty("value");
        assertThat(shown).startsWith("wms_");
        click(By.id("copy-secret"));
        wait.until(ExpectedConditions.textToBe(By.id("copy-secret"), "Copied"));
        String secret = (String) browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, e => done('denied: ' + e));");
        assertThat(secret).as("the clipboard holds the secret shown").isEqualTo(shown);
        screenshot("03-integrations-connect-wms");

        click(By.id("secret-done"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("secret-once")));
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("wms-state")));
        assertThat(browser.getPageSource()).as("the secret is not shown again").doesNotContain(secret);
        assertThat(text("#wms")).contains("Last received\nNever");

        String webhookUrl = browser.findElement(By.id("webhook-url")).getText();
        assertThat(postOrder(webhookUrl, secret, "EXT-1").statusCode()).isEqualTo(200);
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("wms-state")));
        assertThat(text("#wms")).doesNotContain("Last received\nNever");

        click(By.id("regenerate-secret"));
        confirm();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-once")));
        String regenerated = browser.findElement(By.id("secret-value")).getDomProperty("value");
        assertThat(regenerated).startsWith("wms_").isNotEqualTo(secret);
        assertThat(postOrder(webhookUrl, secret, "EXT-2").statusCode()).as("the old secret").isEqualTo(401);
        assertThat(postOrder(webhookUrl, regenerated, "EXT-2").statusCode()).isEqualTo(200);
        click(By.id("secret-done"));

        click(By.id("deactivate-wms"));
        confirm();
        wait.until(ExpectedConditions.textToBe(By.id("wms-state"), "Deactivated"));
        assertThat(postOrder(webhookUrl, regenerated, "EXT-3").statusCode()).isEqualTo(401);
        click(By.id("activate-wms"));
        wait.until(ExpectedConditions.textToBe(By.id("wms-state"), "Active"));
        assertThat(postOrder(webhookUrl, regenerated, "EXT-3").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void addAPullEndpointAndSyncNow() {
        open("#/integrations/" + tenantId);
        WebElement url = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pull-url")));
        url.sendKeys(downstream.baseUrl() + "/pull/orders");
        browser.findElement(By.id("pull-method")).sendKeys("GET");
        browser.findElement(By.id("pull-interval")).sendKeys("3600", Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-once")));
        String pullSecret = browser.findElement(By.id("secret-value")).getDomProperty("value");
        assertThat(pullSecret).startsWith("pull_");
        assertThat(text("#secret-once")).contains("This secret will not be shown again");
        click(By.id("secret-done"));

        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#pulls tbody tr")));
        assertThat(row.getText()).contains("/pull/orders", "GET", "every 3600 s", "never");
        click(By.cssSelector("#pulls button.sync-now"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#pulls .sync-result"),
                "OK: 1 processed (1 new, 0 updated)"));
        assertThat(text("#pulls [data-field=last-status]")).isEqualTo("ok");
        downstream.verify(getRequestedFor(urlEqualTo("/pull/orders")).withHeader("Authorization", equalTo("Bearer " + pullSecret)));
        screenshot("04-integrations-pull-endpoints");
    }

    // ---- dead letters and events

    @Test
    @Order(5)
    void deadLettersAreFoundInspectedReplayedDiscardedAndReplayedByFilter() {
        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{\"error\":\"bad priority\"}").withStatus(400)));
        for (String id : List.of("evt_dl_a", "evt_dl_b", "evt_dl_c", "evt_dl_d")) {
            send(orderCreated(id, "ORD-" + id.toUpperCase()));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.query("SELECT id FROM dead_letter WHERE state = 'open'").size() == 4);

        open("#/dead-letters");
        browser.findElement(By.id("dl-sender")).sendKeys("crm");
        click(By.cssSelector("#dl-filter button[type=submit]"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-matching"), "Replay all 4 matching"));
        assertThat(browser.getCurrentUrl()).contains("sender=crm");
        screenshot("05-dead-letters");

        // inspect one, heal the downstream, replay it and see it done
        click(By.xpath("//tr[td/a[text()='evt_dl_a']]//a[text()='Inspect']"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dl-detail-state")));
        assertThat(text("#dl-detail")).contains("Last status\n400", "ORD-EVT_DL_A", "/tm/tasks");
        healthyDownstream();
        click(By.id("dl-replay"));
        wait.until(ExpectedConditions.textToBe(By.id("dl-detail-state"), "replayed"));
        click(By.cssSelector("#dl-detail a.trace-link"));
        traceUntilState("done");
        assertThat(text("#trace-task")).isEqualTo("TASK-77");
        assertThat(text("#trace-pick")).isEqualTo("PICK-77");
        assertThat(text("#view")).contains("400", "201", "/tm/tasks", " ms");
        assertThat(browser.findElement(By.id("trace-dead-letter")).getText()).startsWith("#");
        screenshot("06-event-trace");

        // discard one from the filtered list
        open("#/dead-letters?sender=crm");
        click(By.xpath("//tr[td/a[text()='evt_dl_b']]//button[text()='Discard']"));
        confirm();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-matching"), "Replay all 2 matching"));

        // replay the filtered set: its count, a confirmation, then every one of them done
        click(By.id("replay-matching"));
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.confirm")));
        assertThat(dialog.getText()).contains("Replay 2 dead letters?", "sender crm");
        confirm();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "2 dead letter(s) replayed"));
        await().atMost(Duration.ofSeconds(15)).until(() -> hub.query(
                "SELECT state FROM inbox_event WHERE event_id IN ('evt_dl_c', 'evt_dl_d') AND state = 'done'").size() == 2);
        assertThat(hub.query("SELECT state FROM inbox_event WHERE event_id = 'evt_dl_b'")).extracting(r -> r.get("state"))
                .containsExactly("discarded");
    }

    @Test
    @Order(6)
    void eventsAreSearchedAndAPayloadCarryingMarkupShowsAsText() {
        ObjectNode event = orderCreated("evt_markup", "ORD-MARKUP");
        ((ObjectNode) event.get("payload").get("customer")).put("name", MARKUP);
        send(event);

        open("#/events");
        WebElement order = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ev-order")));
        order.sendKeys("ORD-MARKUP", Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("order=ORD-MARKUP"));
        WebElement link = wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//a[text()='evt_markup']")));
        assertThat(browser.findElements(By.cssSelector("#view tbody tr"))).hasSize(1);
        screenshot("07-events");
        link.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("trace-payload")));
        assertThat(text("#trace-payload")).contains(MARKUP.replace("\"", "\\\""));
        assertThat(browser.findElements(By.cssSelector("#view script, #view img"))).isEmpty();
        assertThat(js("return window.__pwned === undefined")).isEqualTo(true);
        js("document.getElementById('trace-payload').scrollIntoView()");
        screenshot("08-event-trace-markup-as-text");

        // the other filters narrow the same list
        open("#/events?state=discarded");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath("//a[text()='evt_dl_b']")));
        assertThat(browser.findElements(By.cssSelector("#view tbody tr"))).hasSize(1);
        open("#/events?type=ORDER.CANCELLED");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view"), "No events match."));
    }

    @Test
    @Order(7)
    void theOverviewDrawsIntakeDownstreamErrorsBacklogAndDeadLetters() {
        open("#/overview");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dead-letters-open")));
        assertThat(text("#dead-letters-open")).isEqualTo("0");
        assertThat(text("#view")).contains("Intake by outcome", "accepted", "Downstream errors per system", "taskmanager",
                "of", "calls failed", "Backlog", "Oldest");
        assertThat(browser.findElements(By.cssSelector("#view svg.chart"))).hasSizeGreaterThanOrEqualTo(3);
        // refreshed live: a new dead letter appears without reloading the page
        downstream.stubFor(post("/tm/tasks").willReturn(okJson("{}").withStatus(400)));
        send(orderCreated("evt_overview", "ORD-OVERVIEW"));
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(ExpectedConditions.textToBe(By.id("dead-letters-open"), "1"));
        screenshot("02-overview");
        healthyDownstream();
    }

    @Test
    @Order(8)
    void signingOutForgetsTheToken() {
        click(By.id("sign-out"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(sessionToken()).isNull();
        open("#/dead-letters");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        assertThat(browser.findElement(By.id("view")).getText()).isEmpty();
    }

    // ---- helpers

    static void signIn() {
        browser.get(hub.uri("/console/").toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        // the field has the focus: the keyboard alone signs in
        browser.switchTo().activeElement().sendKeys(ADMIN, Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
    }

    static void open(String hash) {
        browser.get(hub.uri("/console/" + hash).toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("main")));
    }

    static void click(By by) {
        wait.until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    static void confirm() {
        click(By.id("confirm-ok"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog.confirm")));
    }

    static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    static String sessionToken() {
        return (String) js("return sessionStorage.getItem('opsbridge.adminToken')");
    }

    /** The trace page, reloaded until the event reaches {@code state}. */
    static void traceUntilState(String state) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
            browser.navigate().refresh();
            List<WebElement> found = new WebDriverWait(browser, Duration.ofSeconds(5))
                    .until(d -> d.findElements(By.cssSelector("#view [data-state]")));
            return found.get(0).getText().equals(state);
        });
    }

    static ObjectNode orderCreated(String eventId, String orderId) {
        ObjectNode event = Events.example("ORDER.CREATED", eventId);
        ((ObjectNode) event.get("payload")).put("order_id", orderId);
        return event;
    }

    static void send(ObjectNode event) {
        assertThat(vendor.post("/webhooks/orders", "crm-secret", Events.json(event)).statusCode()).isEqualTo(202);
    }

    static HttpResponse<String> postOrder(String webhookUrl, String secret, String externalOrderId) {
        return hub.send(HttpRequest.newBuilder(java.net.URI.create(webhookUrl))
                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"externalOrderId\":\"" + externalOrderId
                        + "\",\"deliveryAddress\":\"1 Dock Road, Rotterdam\",\"plannedDate\":\"2026-12-01\"}")));
    }

    static void screenshot(String name) {
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
