package io.opsbridge.tenant;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.storage.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Geocodes customers' delivery addresses with a Nominatim-compatible search API
 * ({@code GET {url}/search?q=…&format=json&limit=1}), off the request path: the webhook only marks
 * a new customer {@code pending}; {@link #sweep()}, run on a schedule (routes/customer-geocoding.yaml),
 * looks each one up, through a cache by normalised address. A failure is kept on the customer
 * ({@code geocode_status = failed}, {@code geocode_error}), retried with back-off, and logged.
 */
public final class Geocoder {

    private static final Logger LOG = LoggerFactory.getLogger(Geocoder.class);
    public static final String NONE = "none";
    public static final String PENDING = "pending";
    static final String DONE = "done";
    static final String NOT_FOUND = "not_found";
    static final String FAILED = "failed";

    private record Pending(String id, String address, String addressKey, int attempts) {
    }

    private record Coordinates(boolean found, Double latitude, Double longitude) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final String baseUrl;
    private final Duration timeout;
    private final String userAgent;
    private final int maxAttempts;
    private final HttpClient http;

    public Geocoder(Jdbc jdbc, Clock clock, String baseUrl, Duration timeout, String userAgent, int maxAttempts) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.timeout = timeout;
        this.userAgent = userAgent;
        this.maxAttempts = maxAttempts;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Whether a geocoder URL is configured; without one customers are not geocoded. */
    public boolean enabled() {
        return !baseUrl.isEmpty();
    }

    /** Geocodes the customers that are due; returns how many were looked at. */
    public int sweep() {
        if (!enabled()) {
            return 0;
        }
        Instant now = clock.instant();
        List<Pending> due = jdbc.query("SELECT id, address, address_key, geocode_attempts FROM customer "
                + "WHERE geocode_status IN ('" + PENDING + "', '" + FAILED + "') AND geocode_attempts < ? "
                + "AND (geocode_next_at IS NULL OR geocode_next_at <= ?) ORDER BY created_at LIMIT 20",
                rs -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)), maxAttempts, now);
        for (Pending customer : due) {
            geocode(customer);
        }
        return due.size();
    }

    private void geocode(Pending customer) {
        Instant now = clock.instant();
        try {
            Coordinates result = cached(customer.addressKey()).orElseGet(() -> lookUp(customer));
            jdbc.update("UPDATE customer SET latitude = ?, longitude = ?, geocode_status = ?, geocode_error = NULL, "
                    + "geocode_attempts = geocode_attempts + 1 WHERE id = ?", result.latitude(), result.longitude(),
                    result.found() ? DONE : NOT_FOUND, customer.id());
        } catch (GeocodingFailed e) {
            int attempts = customer.attempts() + 1;
            Instant next = now.plusSeconds(Math.min(3600, 10L << Math.min(attempts, 8)));
            LOG.warn("Geocoding customer {} failed (attempt {} of {}): {}", customer.id(), attempts, maxAttempts, e.getMessage());
            jdbc.update("UPDATE customer SET geocode_status = ?, geocode_error = ?, geocode_attempts = ?, geocode_next_at = ? "
                    + "WHERE id = ?", FAILED, e.getMessage(), attempts, next, customer.id());
        }
    }

    private Optional<Coordinates> cached(String addressKey) {
        return jdbc.one("SELECT found, latitude, longitude FROM geocode_cache WHERE address_key = ?",
                rs -> new Coordinates(rs.getBoolean(1), (Double) rs.getObject(2), (Double) rs.getObject(3)), addressKey);
    }

    private Coordinates lookUp(Pending customer) {
        URI uri = URI.create(baseUrl + "/search?q=" + URLEncoder.encode(customer.address(), StandardCharsets.UTF_8)
                + "&format=json&limit=1");
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", userAgent)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new GeocodingFailed("geocoder unreachable or too slow: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GeocodingFailed("interrupted");
        }
        if (response.statusCode() != 200) {
            throw new GeocodingFailed("geocoder answered HTTP " + response.statusCode());
        }
        Coordinates result;
        try {
            JsonNode places = Json.MAPPER.readTree(response.body());
            if (!places.isArray()) {
                throw new GeocodingFailed("geocoder answered something other than a JSON array");
            }
            result = places.isEmpty() ? new Coordinates(false, null, null)
                    : new Coordinates(true, Double.valueOf(places.get(0).path("lat").asText()),
                            Double.valueOf(places.get(0).path("lon").asText()));
        } catch (IOException | NumberFormatException e) {
            throw new GeocodingFailed("geocoder answer unreadable");
        }
        jdbc.update("INSERT INTO geocode_cache (address_key, latitude, longitude, found, fetched_at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", customer.addressKey(), result.latitude(), result.longitude(), result.found(),
                clock.instant());
        return result;
    }

    static final class GeocodingFailed extends RuntimeException {
        GeocodingFailed(String message) {
            super(message, null, false, false);
        }
    }
}
