package io.opsbridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The timestamp tolerance at its edges: the edge itself is inside, a nanosecond past it is not. */
class TimestampToleranceTest {

    static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    @ParameterizedTest(name = "signed {0} s from now (tolerance {1} s): {2}")
    @CsvSource({
            // offset of the signed time from now (seconds, may be fractional), tolerance s, accepted
            "0,             300, true",
            "-300,          300, true",
            "300,           300, true",
            "-300.000000001, 300, false",
            "300.000000001,  300, false",
            "-301,          300, false",
            "301,           300, false",
            "-299.999,      300, true",
            "0,             0,   true",
            "0.000000001,   0,   false",
            "-0.000000001,  0,   false",
            "-3,            3,   true",
            "-4,            3,   false",
    })
    void signedTimesWithinTheToleranceEitherSideAreAccepted(String offsetSeconds, long tolerance, boolean accepted) {
        java.math.BigDecimal nanos = new java.math.BigDecimal(offsetSeconds).movePointRight(9);
        Instant signedAt = NOW.plusNanos(nanos.longValueExact());
        assertThat(TimestampCheck.withinTolerance(NOW, signedAt, Duration.ofSeconds(tolerance))).isEqualTo(accepted);
    }
}
