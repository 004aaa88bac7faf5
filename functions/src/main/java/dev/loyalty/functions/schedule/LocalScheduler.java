package dev.loyalty.functions.schedule;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The local stand-in for EventBridge Scheduler: on the cron expressions of
 * {@code loyalty.schedules.*} (the same values Terraform deploys), it sends a scheduled event
 * to the local runner, which invokes the job's Lambda exactly as AWS would. It only runs where
 * {@code quarkus.scheduler.enabled=true}, which the local runner sets for one JVM.
 */
@ApplicationScoped
public class LocalScheduler {
    private static final Logger LOG = Logger.getLogger(LocalScheduler.class);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;

    public LocalScheduler(dev.loyalty.functions.config.LoyaltyConfig config) {
        this.url = config.local().scheduleUrl();
    }

    @Scheduled(identity = "expire-sweep", cron = "{loyalty.schedules.expire-sweep.cron}",
            timeZone = "{loyalty.program.time-zone}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireSweep() {
        fire("expire-sweep");
    }

    @Scheduled(identity = "reconcile", cron = "{loyalty.schedules.reconcile.cron}",
            timeZone = "{loyalty.program.time-zone}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        fire("reconcile");
    }

    @Scheduled(identity = "tier-review", cron = "{loyalty.schedules.tier-review.cron}",
            timeZone = "{loyalty.program.time-zone}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tierReview() {
        fire("tier-review");
    }

    @Scheduled(identity = "report-rollup", cron = "{loyalty.schedules.report-rollup.cron}",
            timeZone = "{loyalty.program.time-zone}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reportRollup() {
        fire("report-rollup");
    }

    @Scheduled(identity = "outbox-relay", cron = "{loyalty.events.relay.cron}",
            timeZone = "{loyalty.program.time-zone}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void outboxRelay() {
        fire("outbox-relay");
    }

    @Scheduled(identity = "notices", cron = "{loyalty.notices.cron}",
            timeZone = "{loyalty.program.time-zone}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void notices() {
        fire("notices");
    }

    void fire(String job) {
        String event = "{\"version\":\"0\",\"id\":\"" + UUID.randomUUID() + "\",\"detail-type\":\"Scheduled Event\","
                + "\"source\":\"aws.scheduler\",\"time\":\"" + Instant.now() + "\",\"resources\":[\"local:schedule/" + job
                + "\"],\"detail\":{}}";
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/" + job))
                    .timeout(Duration.ofMinutes(5))
                    .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
            LOG.infof("schedule %s fired: %d %s", job, r.statusCode(), r.body());
        } catch (java.io.IOException e) {
            LOG.warnf("schedule %s could not reach the local runner: %s", job, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
