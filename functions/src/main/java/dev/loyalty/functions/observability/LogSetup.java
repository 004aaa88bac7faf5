package dev.loyalty.functions.observability;

import dev.loyalty.functions.config.LoyaltyConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;

import java.util.logging.Handler;

/** Switches every console handler to {@link JsonLogFormatter} when {@code loyalty.log.json} is on (on AWS). */
@ApplicationScoped
public class LogSetup {
    void onStart(@Observes StartupEvent event, LoyaltyConfig config) {
        if (config.log().json()) {
            for (Handler h : LogContext.getLogContext().getLogger("").getHandlers()) {
                apply(h);
            }
        }
    }

    private static void apply(Handler handler) {
        handler.setFormatter(new JsonLogFormatter());
        if (handler instanceof ExtHandler ext) {
            for (Handler nested : ext.getHandlers()) {
                apply(nested);
            }
        }
    }
}
