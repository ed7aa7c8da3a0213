package io.opsbridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The token bucket on a time the test moves: burst, refill by elapsed time, the Retry-After it answers. */
class RateLimiterTest {

    static final long SECOND = 1_000_000_000L;
    final AtomicLong now = new AtomicLong(123 * SECOND);

    RateLimiter limiter(double rate, double burst) {
        return new RateLimiter(rate, burst, now::get);
    }

    @Test
    void aFullBucketLetsTheBurstThroughThenAsksToWait() {
        RateLimiter bucket = limiter(2, 3);
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).as("no token left: wait a second").isEqualTo(1);
        assertThat(bucket.tryAcquire()).isEqualTo(1);
    }

    @Test
    void elapsedTimeRefillsAtTheRate() {
        RateLimiter bucket = limiter(2, 3);
        for (int i = 0; i < 3; i++) {
            bucket.tryAcquire();
        }
        now.addAndGet(SECOND / 2 - 1);
        assertThat(bucket.tryAcquire()).as("just under one token after 0.5 s at 2/s").isEqualTo(1);
        now.addAndGet(1);
        assertThat(bucket.tryAcquire()).as("one token after 0.5 s at 2/s").isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(1);
        now.addAndGet(SECOND);
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(1);
    }

    @Test
    void aLongPauseRefillsNoMoreThanTheBurst() {
        RateLimiter bucket = limiter(2, 3);
        for (int i = 0; i < 3; i++) {
            bucket.tryAcquire();
        }
        now.addAndGet(3600 * SECOND);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.tryAcquire()).isZero();
        }
        assertThat(bucket.tryAcquire()).isEqualTo(1);
    }

    @Test
    void theWaitIsTheWholeSecondsUntilTheNextToken() {
        RateLimiter slow = limiter(0.25, 1); // one token every 4 s
        assertThat(slow.tryAcquire()).isZero();
        assertThat(slow.tryAcquire()).isEqualTo(4);
        now.addAndGet(SECOND);
        assertThat(slow.tryAcquire()).isEqualTo(3);
        now.addAndGet(2 * SECOND + SECOND / 2);
        assertThat(slow.tryAcquire()).as("0.5 s to go is answered as 1 s").isEqualTo(1);
        now.addAndGet(SECOND / 2);
        assertThat(slow.tryAcquire()).isZero();
    }

    @Test
    void aReleasedTokenComesBackButNeverBeyondTheBurst() {
        RateLimiter bucket = limiter(1, 2);
        bucket.tryAcquire();
        bucket.tryAcquire();
        assertThat(bucket.tryAcquire()).isEqualTo(1);
        bucket.release();
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(1);

        RateLimiter full = limiter(1, 2);
        full.release();
        full.release();
        assertThat(full.tryAcquire()).isZero();
        assertThat(full.tryAcquire()).isZero();
        assertThat(full.tryAcquire()).as("releases on a full bucket add nothing").isEqualTo(1);
    }

    @Test
    void aBurstBelowOneIsOne() {
        RateLimiter bucket = limiter(1, 0);
        assertThat(bucket.tryAcquire()).isZero();
        assertThat(bucket.tryAcquire()).isEqualTo(1);
    }

    @Test
    void aRateOfZeroIsNoLimit() {
        RateLimiter off = limiter(0, 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(off.tryAcquire()).isZero();
        }
        off.release();
        assertThat(off.tryAcquire()).isZero();
    }

    @Test
    void aClockSteppedBackRefillsNothing() {
        RateLimiter bucket = limiter(1, 1);
        assertThat(bucket.tryAcquire()).isZero();
        now.addAndGet(-10 * SECOND);
        assertThat(bucket.tryAcquire()).isEqualTo(1);
        now.addAndGet(SECOND);
        assertThat(bucket.tryAcquire()).as("a second from where the clock stood, not from before the step").isZero();
    }
}
