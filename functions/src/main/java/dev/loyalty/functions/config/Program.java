package dev.loyalty.functions.config;

import dev.loyalty.core.ExpiryPolicy;
import dev.loyalty.core.PointType;
import dev.loyalty.core.PointTypeCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns configuration into the core's catalog, failing start-up on an ambiguous type. */
@ApplicationScoped
public class Program {

    @Produces
    @Singleton
    PointTypeCatalog catalog(LoyaltyConfig config) {
        Map<String, PointType> types = new LinkedHashMap<>();
        config.pointTypes().forEach((code, type) -> {
            if (type.neverExpires() == type.expiresAfterDays().isPresent()) {
                throw new IllegalStateException("loyalty.point-types." + code
                        + ": set exactly one of expires-after-days or never-expires=true");
            }
            ExpiryPolicy policy = type.neverExpires()
                    ? new ExpiryPolicy.Never()
                    : new ExpiryPolicy.AfterDays(type.expiresAfterDays().getAsInt());
            types.put(code, new PointType(code, policy));
        });
        if (types.isEmpty()) {
            throw new IllegalStateException("loyalty.point-types is empty: configure at least one point type");
        }
        return new PointTypeCatalog(types, config.program().timeZone());
    }

    /** The only clock: rules get {@code now} passed in from here. */
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
