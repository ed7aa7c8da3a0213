package io.opsbridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.opsbridge.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's static files over HTTP: types, security headers, no token needed, nothing else
 * reachable; and their sources: no inline script, data rendered as text, nothing from another
 * origin. The browser flows are in ConsoleBrowserTest.
 */
class ConsoleFilesTest {

    static final String ADMIN = "console-files-admin-token";
    static final Path CONSOLE_SOURCES = Path.of("src/main/resources/console");

    @TempDir
    static Path data;
    static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(data, Map.of(
                "opsbridge.admin.token", ADMIN));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    // ---- static files

    @Test
    void consolePagesAreServedWithoutATokenAndWithTheirSecurityHeaders() {
        HttpResponse<String> index = hub.get("/console/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                "object-src 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
        assertThat(index.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(index.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(index.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(index.body()).contains("<script type=\"module\" src=\"app.js\"></script>", "<label for=\"token\">");

        assertThat(hub.get("/console/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(hub.get("/console/console.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(hub.get("/console/icon.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        assertThat(hub.get("/console/app.js").headers().firstValue("Content-Security-Policy")).hasValue(csp);

        HttpResponse<String> bare = hub.get("/console");
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).hasValue("/console/");
    }

    @Test
    void onlyTheConsoleFilesAreReachable() {
        for (String path : List.of("/console/missing.js", "/console/%2e%2e/pom.xml", "/console/..%2fpom.xml",
                "/console/sub/app.js", "/console/App.js", "/console/logback.xml", "/console/index.html.bak")) {
            HttpResponse<String> response = hub.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
        }
        HttpResponse<String> post = hub.send(HttpRequest.newBuilder(hub.uri("/console/")).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> head = hub.send(HttpRequest.newBuilder(hub.uri("/console/app.js"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    /**
     * The files themselves: no inline script or handler (the CSP would block them anyway), data put on
     * the page only as text, the token only in sessionStorage, nothing fetched from another origin.
     */
    @Test
    void theConsoleSourcesRenderDataAsTextAndLoadNothingFromElsewhere() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(CONSOLE_SOURCES)) {
            files = list.sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("index.html", "app.js", "api.js", "console.css");
        for (Path file : files) {
            String source = Files.readString(file);
            String name = file.getFileName().toString();
            assertThat(source).as(name).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                    "eval(", "new Function", "localStorage", "//cdn", "@import");
            assertThat(source).as(name).doesNotContainPattern("(src|href)=\"https?:");
            assertThat(source).as(name).doesNotContainPattern("from '(https?:)?//");
            if (name.endsWith(".html")) {
                assertThat(source).as(name).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
                assertThat(source).as(name).doesNotContainPattern("\\son[a-z]+\\s*=");
                assertThat(source).as(name).doesNotContain("style=");
            }
        }
        // the token travels only in the Authorization header
        assertThat(Files.readString(CONSOLE_SOURCES.resolve("api.js"))).contains("sessionStorage", "Authorization: `Bearer ${token}`");
    }
}
