package dev.loyalty.functions;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock, unless a test pins it: the simulation drives time forward itself. Every
 * rule already takes {@code now} from the one Clock bean, so this is the only seam needed.
 */
public final class TestClock extends Clock {
    private static volatile Instant pinned;

    public static void pin(Instant now) {
        pinned = now;
    }

    public static void release() {
        pinned = null;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        Instant p = pinned;
        return p != null ? p : Instant.now();
    }

    /** Replaces the application's clock in every test profile; unpinned it is the system clock. */
    @Singleton
    public static class Producer {
        @Produces
        @Alternative
        @Priority(10)
        @Singleton
        Clock clock() {
            return new TestClock();
        }
    }
}
