package io.opsbridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * Starts the hub: camel-main with {@code application.properties} from the working directory
 * (or {@code -Dopsbridge.config=…} / {@code OPSBRIDGE_CONFIG}), routes from {@code routes/}.
 */
public final class OpsBridge {

    private OpsBridge() {
    }

    public static void main(String[] args) {
        try {
            create(Map.of()).run(args);
        } catch (Exception e) {
            // one line an operator can act on, not a stack trace
            StringBuilder reason = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                reason.append(" <- ").append(cause.getMessage());
            }
            LoggerFactory.getLogger(OpsBridge.class).error("OpsBridge did not start: {}", reason);
            System.exit(1);
        }
    }

    /** A hub not yet started; {@code overrides} win over every other source of configuration. */
    public static Main create(Map<String, String> overrides) {
        Main main = new Main();
        String config = Optional.ofNullable(System.getProperty("opsbridge.config"))
                .or(() -> Optional.ofNullable(System.getenv("OPSBRIDGE_CONFIG")))
                .orElse("application.properties");
        main.setPropertyPlaceholderLocations("file:" + config);
        main.configure().addConfiguration(new HubConfiguration());
        environmentOverrides(Path.of(config), System.getenv()).forEach(main::addOverrideProperty);
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /**
     * The environment variable of each key in the configuration file ({@code camel.server.port} ->
     * {@code CAMEL_SERVER_PORT}). Camel resolves them for our own keys but not for every
     * {@code camel.*} key; this makes the rule hold for all of them.
     */
    static Map<String, String> environmentOverrides(Path config, Map<String, String> env) {
        Properties keys = new Properties();
        if (Files.exists(config)) {
            try (InputStream in = Files.newInputStream(config)) {
                keys.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + config, e);
            }
        }
        Map<String, String> found = new java.util.HashMap<>();
        for (String key : keys.stringPropertyNames()) {
            String value = env.get(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            if (value != null) {
                found.put(key, value);
            }
        }
        return found;
    }
}
