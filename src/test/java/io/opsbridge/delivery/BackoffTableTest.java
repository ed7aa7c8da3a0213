package io.opsbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The redelivery back-off as a pure function (SPEC section 3): full jitter, uniform in
 * [0, min(60 s, 1 s * 2^(k-1))] before retry k, with the uniform draw fixed, so a change to the growth,
 * the cap or the Retry-After rule changes a number in this table. No clock, no waiting.
 */
class BackoffTableTest {

    static final long BASE = 1000;
    static final long CAP = 60_000;
    static final long RETRY_AFTER_CAP = 600_000;

    @ParameterizedTest(name = "retry {0}, draw {1}: {2} ms")
    @CsvSource({
            // k, draw, delay ms      ceiling min(60 s, 1 s * 2^(k-1))
            "1, 0,     0",        // 1 s
            "1, 0.5,   500",
            "1, 0.999, 999",
            "2, 0,     0",        // 2 s
            "2, 0.5,   1000",
            "2, 0.999, 1998",
            "3, 0,     0",        // 4 s
            "3, 0.5,   2000",
            "3, 0.999, 3996",
            "4, 0,     0",        // 8 s
            "4, 0.5,   4000",
            "4, 0.999, 7992",
            "5, 0,     0",        // 16 s
            "5, 0.5,   8000",
            "5, 0.999, 15984",
            "6, 0,     0",        // 32 s
            "6, 0.5,   16000",
            "6, 0.999, 31968",
            // the cap: 64 s and beyond are 60 s
            "7, 0.5,   30000",
            "7, 0.999, 59940",
            "12, 0.999, 59940",
            "40, 0.5,  30000",
            "1000, 0.5, 30000",   // no overflow for a very late retry
    })
    void fullJitterGrowsByPowersOfTwoUpToTheCap(int k, double draw, long expected) {
        assertThat(RedeliveryPolicy.delayMillis(k, BASE, CAP, null, RETRY_AFTER_CAP, draw)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "retry {0}, draw {1}, Retry-After {2} ms: {3} ms")
    @CsvSource({
            // k, draw, Retry-After ms, delay ms
            "1, 0.5,   2000,        2000",     // Retry-After is the floor over a shorter back-off (500)
            "1, 0,     2000,        2000",
            "1, 0.5,   100,         500",      // a back-off longer than Retry-After stands
            "6, 0.999, 2000,        31968",
            "1, 0.5,   0,           500",
            "1, 0.5,   600000,      600000",   // exactly the cap
            "1, 0.5,   999999000,   600000",   // a hostile Retry-After is capped
            "3, 0.999, 600001,      600000",
    })
    void retryAfterIsAFloorUpToItsCap(int k, double draw, long retryAfter, long expected) {
        assertThat(RedeliveryPolicy.delayMillis(k, BASE, CAP, retryAfter, RETRY_AFTER_CAP, draw)).isEqualTo(expected);
    }

    @Test
    void aRetryAfterCapBelowTheBackoffDoesNotShortenTheBackoff() {
        // cap of 5 s, back-off 7992 ms (retry 4, draw 0.999), Retry-After 10 s: the back-off stands
        assertThat(RedeliveryPolicy.delayMillis(4, BASE, CAP, 10_000L, 5_000, 0.999)).isEqualTo(7992);
        assertThat(RedeliveryPolicy.delayMillis(1, BASE, CAP, 10_000L, 5_000, 0.5)).isEqualTo(5000);
    }

    @Test
    void otherBasesAndCapsScaleTheSameWay() {
        assertThat(RedeliveryPolicy.delayMillis(3, 200, 1000, null, 5000, 0.5)).isEqualTo(400);
        assertThat(RedeliveryPolicy.delayMillis(4, 200, 1000, null, 5000, 0.5)).isEqualTo(500);
        assertThat(RedeliveryPolicy.delayMillis(4, 200, 1000, 999_999_000L, 5000, 0.5)).isEqualTo(5000);
    }

    static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    @ParameterizedTest(name = "Retry-After: {0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "2,                              2000",
            "' 7 ',                          7000",
            "0,                              0",
            "-5,                             0",
            "'Sun, 29 Nov 2026 10:00:10 GMT', 10000",
            "'Sun, 29 Nov 2026 09:59:00 GMT', 0",      // a date in the past: no wait
            "soon,                           null",
            "'',                             null",
    })
    void retryAfterInSecondsOrAsAnHttpDate(String value, Long expected) {
        assertThat(RedeliveryPolicy.retryAfterMillis(Map.of("Retry-After", value), NOW)).isEqualTo(expected);
    }

    @Test
    void retryAfterHeaderNameIsCaseInsensitiveAndMayBeAbsent() {
        assertThat(RedeliveryPolicy.retryAfterMillis(Map.of("retry-after", "3"), NOW)).isEqualTo(3000);
        assertThat(RedeliveryPolicy.retryAfterMillis(Map.of("Content-Type", "text/plain"), NOW)).isNull();
        assertThat(RedeliveryPolicy.retryAfterMillis(null, NOW)).isNull();
        Map<String, String> several = new java.util.LinkedHashMap<>();
        several.put("Content-Length", "5");
        several.put("Retry-After", "2");
        assertThat(RedeliveryPolicy.retryAfterMillis(several, NOW)).as("that header, not the first").isEqualTo(2000);
    }

    @Test
    void aFailureIsDescribedByItsStatusOrItsTypeAndMessage() {
        assertThat(RedeliveryPolicy.describe(new IOException("x"), 503)).isEqualTo("HTTP 503");
        assertThat(RedeliveryPolicy.describe(new IOException("connection refused"), null)).isEqualTo("IOException: connection refused");
        assertThat(RedeliveryPolicy.describe(new IllegalStateException(), null)).isEqualTo("IllegalStateException");
        assertThat(RedeliveryPolicy.describe(null, null)).isEqualTo("unknown failure");
        assertThat(RedeliveryPolicy.describe(new IOException("y".repeat(1000)), null)).hasSize(500);
    }
}
