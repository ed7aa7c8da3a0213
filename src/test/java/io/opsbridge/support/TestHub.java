package io.opsbridge.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.opsbridge.OpsBridge;
import org.apache.camel.main.Main;

/**
 * The real hub, started in this JVM on a free port with its own H2 file: tests talk to it over
 * HTTP only, and read its database to check what was stored.
 */
public final class TestHub implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final TestClock clock;
    private Main main;
    private int port;

    private TestHub(Path dataDir, Map<String, String> overrides, TestClock clock) {
        this.dataDir = dataDir;
        this.overrides = overrides;
        this.clock = clock;
    }

    /** Starts a hub whose database lives in {@code dataDir}; {@code overrides} win over application.properties. */
    /**
     * Settings of a hub that delivers to downstream systems at {@code baseUrl} (crm, tm, wms and alerts
     * under it), polling fast; a mutable map the test adds its own keys to.
     */
    public static Map<String, String> deliveringTo(String baseUrl, Path dataDir) {
        Map<String, String> s = new HashMap<>();
        s.put("opsbridge.delivery.enabled", "true");
        s.put("opsbridge.delivery.poll-interval-ms", "50");
        s.put("opsbridge.crm.url", baseUrl + "/crm");
        s.put("opsbridge.taskmanager.url", baseUrl + "/tm");
        s.put("opsbridge.wms.url", baseUrl + "/wms");
        s.put("opsbridge.alerts.webhook-url", baseUrl + "/alerts");
        return s;
    }

    public static TestHub start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, null);
    }

    /** The same, with {@code clock} as the hub's clock (bound as "clock", as an embedding application would). */
    public static TestHub start(Path dataDir, Map<String, String> overrides, TestClock clock) {
        TestHub hub = new TestHub(dataDir, overrides, clock);
        hub.start();
        return hub;
    }

    /** The hub's controlled clock, when it was started with one. */
    public TestClock clock() {
        if (clock == null) {
            throw new IllegalStateException("this hub runs on the system clock");
        }
        return clock;
    }

    public static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("opsbridge")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;QUERY_CACHE_SIZE=64;DB_CLOSE_ON_EXIT=FALSE";
    }

    public void start() {
        port = freePort();
        Map<String, String> all = new HashMap<>();
        all.put("opsbridge.db.url", h2Url(dataDir));
        all.put("camel.server.port", Integer.toString(port));
        all.put("camel.server.host", "127.0.0.1");
        // intake tests look at events as received; the flow tests turn delivery on
        all.put("opsbridge.delivery.enabled", "false");
        all.put("opsbridge.reconciler.enabled", "false");
        // the key that encrypts stored secrets beside the test's data, never under the checkout's ./data
        all.put("opsbridge.secrets.key-file", dataDir.resolve("secrets.key").toString());
        all.putAll(overrides);
        main = OpsBridge.create(all);
        if (clock != null) {
            main.bind("clock", clock);
        }
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("hub did not start", e);
        }
    }

    /** Stops and starts again on the same data directory (a clean restart). */
    public void restart() {
        stop();
        start();
    }

    public void stop() {
        if (main != null) {
            try {
                main.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            main = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public org.apache.camel.CamelContext context() {
        return main.getCamelContext();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** One series of /metrics as printed ({@code name{label="value",…}}, labels in Prometheus's order); 0 when absent. */
    public double metric(String series) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    /** The names of the series /metrics holds now. */
    public java.util.Set<String> metricNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String line : get("/metrics").body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    public <T> T bean(String name, Class<T> type) {
        return main.getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }

    /** Rows of a query against the hub's own database, each column by its (lower case) name. */
    public List<Map<String, Object>> query(String sql, Object... args) {
        try (Connection c = bean("dataSource", DataSource.class).getConnection();
                PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                q.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                List<Map<String, Object>> rows = new java.util.ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An update against the hub's own database (test set-up only). */
    public int update(String sql, Object... args) {
        try (Connection c = bean("dataSource", DataSource.class).getConnection(); PreparedStatement u = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                u.setObject(i + 1, args[i]);
            }
            return u.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
