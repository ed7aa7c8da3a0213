package io.opsbridge.tenant;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.opsbridge.Json;
import io.opsbridge.storage.Jdbc;
import io.opsbridge.http.CallOut;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Geocodes customers' delivery addresses with a Nominatim-compatible search API
 * ({@code GET {url}/search?q=…&format=json&limit=1}), off the request path: the webhook only marks
 * a new customer {@code pending}; routes/customer-geocoding.yaml, on a schedule, takes the customers
 * that are due ({@link #due()}), answers each from a cache by normalised address or calls the
 * geocoder through camel-http like every downstream call ({@link #request}, {@link #answer}), and
 * records the result ({@link #done}). A failure is kept on the customer ({@code geocode_status =
 * failed}, {@code geocode_error}), retried with back-off, and logged ({@link #failed}).
 */
public final class Geocoder {

    private static final Logger LOG = LoggerFactory.getLogger(Geocoder.class);
    public static final String NONE = "none";
    public static final String PENDING = "pending";
    static final String DONE = "done";
    static final String NOT_FOUND = "not_found";
    static final String FAILED = "failed";
    /** Exchange properties: the customer being geocoded, and its coordinates once known. */
    static final String CUSTOMER = "geocodeCustomer";
    static final String RESULT = "geocodeResult";

    /** A customer due for geocoding. */
    public record Pending(String id, String address, String addressKey, int attempts) {
    }

    private record Coordinates(boolean found, Double latitude, Double longitude) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final boolean enabled;
    private final String searchUrl;
    private final String userAgent;
    private final int maxAttempts;

    public Geocoder(Jdbc jdbc, Clock clock, String baseUrl, String userAgent, int maxAttempts) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.enabled = baseUrl != null && !baseUrl.isBlank();
        this.searchUrl = enabled ? baseUrl.replaceFirst("/+$", "") + "/search" : null;
        this.userAgent = userAgent;
        this.maxAttempts = maxAttempts;
    }

    /** Whether a geocoder URL is configured; without one customers are not geocoded. */
    public boolean enabled() {
        return enabled;
    }

    /** The customers due now (pending, or failed and due for a retry), at most 20; none without a geocoder. */
    public List<Pending> due() {
        if (!enabled) {
            return List.of();
        }
        return jdbc.query("SELECT id, address, address_key, geocode_attempts FROM customer "
                + "WHERE geocode_status IN ('" + PENDING + "', '" + FAILED + "') AND geocode_attempts < ? "
                + "AND (geocode_next_at IS NULL OR geocode_next_at <= ?) ORDER BY created_at LIMIT 20",
                rs -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)), maxAttempts,
                clock.instant());
    }

    /**
     * One customer (the split's body): answered from the cache (property {@value #RESULT}), or the
     * geocoder request is prepared (query, User-Agent) for the route to send.
     */
    public void request(Exchange exchange) {
        Pending customer = exchange.getMessage().getBody(Pending.class);
        exchange.setProperty(CUSTOMER, customer);
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setBody(null);
        cached(customer.addressKey()).ifPresent(c -> exchange.setProperty(RESULT, c));
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        CallOut.to(exchange, searchUrl + "?q=" + URLEncoder.encode(customer.address(), StandardCharsets.UTF_8)
                + "&format=json&limit=1", "geocoder");
        message.setHeader("User-Agent", userAgent);
        message.setHeader("Accept", "application/json");
    }

    /** The geocoder's answer: the first place's coordinates, or none found; cached by address. */
    public void answer(Exchange exchange) {
        Pending customer = exchange.getProperty(CUSTOMER, Pending.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status != 200) {
            throw new GeocodingFailed("geocoder answered HTTP " + status);
        }
        Coordinates result;
        try {
            byte[] body = exchange.getMessage().getBody(byte[].class);
            JsonNode places = Json.MAPPER.readTree(body == null ? new byte[0] : body);
            if (places == null || !places.isArray()) {
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
        exchange.setProperty(RESULT, result);
    }

    /** The customer's coordinates (or that none were found) recorded. */
    public void done(Exchange exchange) {
        Pending customer = exchange.getProperty(CUSTOMER, Pending.class);
        Coordinates result = exchange.getProperty(RESULT, Coordinates.class);
        jdbc.update("UPDATE customer SET latitude = ?, longitude = ?, geocode_status = ?, geocode_error = NULL, "
                + "geocode_attempts = geocode_attempts + 1 WHERE id = ?", result.latitude(), result.longitude(),
                result.found() ? DONE : NOT_FOUND, customer.id());
    }

    /** The lookup failed (unreachable, too slow, not 200, unreadable): kept on the customer, retried later. */
    public void failed(Exchange exchange) {
        Pending customer = exchange.getProperty(CUSTOMER, Pending.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String why = failure instanceof GeocodingFailed ? failure.getMessage()
                : ioCause(failure) != null ? "geocoder unreachable or too slow: " + ioCause(failure).getClass().getSimpleName()
                : "geocoding failed: " + (failure == null ? "unknown" : failure.getClass().getSimpleName());
        int attempts = customer.attempts() + 1;
        Instant next = clock.instant().plusSeconds(Math.min(3600, 10L << Math.min(attempts, 8)));
        LOG.warn("Geocoding customer {} failed (attempt {} of {}): {}", customer.id(), attempts, maxAttempts, why);
        jdbc.update("UPDATE customer SET geocode_status = ?, geocode_error = ?, geocode_attempts = ?, geocode_next_at = ? "
                + "WHERE id = ?", FAILED, why, attempts, next, customer.id());
    }

    private static IOException ioCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    private Optional<Coordinates> cached(String addressKey) {
        return jdbc.one("SELECT found, latitude, longitude FROM geocode_cache WHERE address_key = ?",
                rs -> new Coordinates(rs.getBoolean(1), (Double) rs.getObject(2), (Double) rs.getObject(3)), addressKey);
    }

    static final class GeocodingFailed extends RuntimeException {
        GeocodingFailed(String message) {
            super(message, null, false, false);
        }
    }
}
