package io.opsbridge.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed reads of {@code application.properties} through Camel's properties component, so a JVM
 * system property or an environment variable ({@code OPSBRIDGE_DB_URL} for {@code opsbridge.db.url})
 * overrides any key.
 */
public final class Settings {

    private final PropertiesComponent properties;

    public Settings(CamelContext context) {
        this.properties = context.getPropertiesComponent();
    }

    public Optional<String> find(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String get(String key) {
        return find(key).orElseThrow(() -> new IllegalStateException("Missing configuration key " + key));
    }

    public String get(String key, String fallback) {
        return find(key).orElse(fallback);
    }

    public long getLong(String key, long fallback) {
        return find(key).map(v -> parseLong(key, v)).orElse(fallback);
    }

    public int getInt(String key, int fallback) {
        return Math.toIntExact(getLong(key, fallback));
    }

    /** A comma separated list; blank entries dropped. */
    public List<String> getList(String key) {
        return find(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Configuration key " + key + " must be a whole number, got '" + value + "'");
        }
    }
}
