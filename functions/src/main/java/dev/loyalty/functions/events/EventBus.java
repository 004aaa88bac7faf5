package dev.loyalty.functions.events;

import dev.loyalty.functions.store.OutboxEvent;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClientBuilder;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PutEvents to the configured EventBridge bus with the AWS SDK's own client, in per-member
 * order: a call carries at most ONE event per member (entries of one call succeed or fail
 * independently, so two of a member's events in one call could be accepted out of order).
 * Each "wave" sends every member's next event, in calls of up to 10 entries; the failed entries
 * of a partial failure are retried ({@code failed-entry-retries}); a member whose event still
 * fails stops there (its later events wait for the relay). An exception from the client (a
 * timeout, EventBridge down) ends the whole delivery: the rest is the relay's.
 */
@ApplicationScoped
public class EventBus {
    private static final Logger LOG = Logger.getLogger(EventBus.class);
    /** PutEvents takes at most 10 entries per call. */
    public static final int ENTRIES_PER_CALL_MAX = 10;
    /** PutEvents takes at most 256 KB per call; stay under it with room for the envelope. */
    static final int CALL_BYTES_MAX = 240 * 1024;

    private final EventsConfig config;
    private volatile EventBridgeClient client;

    public EventBus(EventsConfig config) {
        this.config = config;
    }

    /** What a delivery did: the events accepted, in the order they were accepted. */
    public record Delivery(List<OutboxEvent> accepted, int failedEntries, int calls, String lastError) {
    }

    /**
     * Publishes {@code events} (sorted by member, then sequence; each member's list starting at
     * its oldest unpublished event, which the caller holds locked) until done, a member fails,
     * or {@code deadlineNanos} ({@link System#nanoTime()}) passes.
     */
    public Delivery publish(List<OutboxEvent> events, long deadlineNanos) {
        Map<String, Deque<OutboxEvent>> queues = new LinkedHashMap<>();
        for (OutboxEvent e : events) {
            queues.computeIfAbsent(e.memberId(), m -> new ArrayDeque<>()).addLast(e);
        }
        List<OutboxEvent> accepted = new ArrayList<>();
        int failed = 0;
        int calls = 0;
        String lastError = null;
        while (!queues.isEmpty() && System.nanoTime() < deadlineNanos) {
            List<OutboxEvent> wave = new ArrayList<>(queues.size());
            queues.values().forEach(q -> wave.add(q.peekFirst()));
            for (List<OutboxEvent> call : calls(wave)) {
                Attempt a;
                try {
                    a = putWithRetries(call);
                } catch (SdkException e) {
                    LOG.warnf("PutEvents failed (%d entries), the relay will deliver: %s", call.size(), e.toString());
                    return new Delivery(accepted, failed + call.size(), calls + 1, e.toString());
                }
                calls += a.calls();
                for (int i = 0; i < call.size(); i++) {
                    OutboxEvent e = call.get(i);
                    Deque<OutboxEvent> q = queues.get(e.memberId());
                    if (a.errors().get(i) == null) {
                        accepted.add(q.removeFirst());
                        if (q.isEmpty()) {
                            queues.remove(e.memberId());
                        }
                    } else {
                        failed++;
                        lastError = a.errors().get(i);
                        queues.remove(e.memberId()); // stops at its first failed event
                    }
                }
                if (System.nanoTime() >= deadlineNanos) {
                    break;
                }
            }
        }
        return new Delivery(accepted, failed, calls, lastError);
    }

    private record Attempt(List<String> errors, int calls) {
    }

    /** One call's entries, with the failed ones sent again; per entry null (accepted) or its error. */
    private Attempt putWithRetries(List<OutboxEvent> call) {
        List<String> errors = new ArrayList<>();
        call.forEach(e -> errors.add("not sent"));
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < call.size(); i++) {
            pending.add(i);
        }
        int calls = 0;
        for (int attempt = 0; attempt <= config.failedEntryRetries() && !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                pause(25L << attempt);
            }
            List<PutEventsRequestEntry> entries = new ArrayList<>();
            pending.forEach(i -> entries.add(entry(call.get(i))));
            PutEventsResponse response = client().putEvents(r -> r.entries(entries));
            calls++;
            List<PutEventsResultEntry> results = response.entries();
            List<Integer> again = new ArrayList<>();
            for (int k = 0; k < pending.size(); k++) {
                PutEventsResultEntry r = k < results.size() ? results.get(k) : null;
                int i = pending.get(k);
                if (r != null && r.eventId() != null && r.errorCode() == null) {
                    errors.set(i, null);
                } else {
                    errors.set(i, r == null ? "no result entry" : r.errorCode() + ": " + r.errorMessage());
                    again.add(i);
                }
            }
            pending = again;
        }
        return new Attempt(errors, calls);
    }

    /** Splits one wave into calls of at most 10 entries and {@link #CALL_BYTES_MAX}. */
    static List<List<OutboxEvent>> calls(List<OutboxEvent> wave) {
        List<List<OutboxEvent>> out = new ArrayList<>();
        List<OutboxEvent> current = new ArrayList<>();
        int bytes = 0;
        for (OutboxEvent e : wave) {
            int size = e.dataJson().length() + 400;
            if (!current.isEmpty() && (current.size() == ENTRIES_PER_CALL_MAX || bytes + size > CALL_BYTES_MAX)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(e);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    PutEventsRequestEntry entry(OutboxEvent e) {
        return PutEventsRequestEntry.builder()
                .eventBusName(config.busName())
                .source(config.source())
                .detailType(e.type())
                .time(e.occurredAt())
                .detail(detail(e))
                .build();
    }

    /** The contract's {@code Detail}: {"eventId","type","memberId","sequence","occurredAt","recordedAt","data"}. */
    public static String detail(OutboxEvent e) {
        return new JsonObject()
                .put("eventId", e.eventId().toString())
                .put("type", e.type())
                .put("memberId", e.memberId())
                .put("sequence", e.sequence())
                .put("occurredAt", e.occurredAt().toString())
                .put("recordedAt", e.recordedAt().toString())
                .put("data", new JsonObject(e.dataJson()))
                .encode();
    }

    private EventBridgeClient client() {
        EventBridgeClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = build();
                }
                c = client;
            }
        }
        return c;
    }

    private EventBridgeClient build() {
        EventBridgeClientBuilder b = EventBridgeClient.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofMillis(config.connectTimeoutMs()))
                        .socketTimeout(Duration.ofMillis(config.attemptTimeoutMs()))
                        .build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofMillis(config.callTimeoutMs()))
                        .apiCallAttemptTimeout(Duration.ofMillis(config.attemptTimeoutMs()))
                        .build());
        config.region().ifPresent(r -> b.region(Region.of(r)));
        config.endpoint().ifPresent(url -> {
            b.endpointOverride(URI.create(url));
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            if (config.region().isEmpty()) {
                b.region(Region.US_EAST_1);
            }
        });
        return b.build();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
