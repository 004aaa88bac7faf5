package dev.loyalty.functions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.spend.RedeemFunction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Races on real PostgreSQL. The mock event server runs one invocation at a time (as one
 * Lambda instance does), so the races call the redeem function's handler method from many
 * threads at once: many concurrent Lambda instances on one database.
 */
@QuarkusTest
@TestProfile(FunctionProfileRedeem.class)
class SpendingConcurrencyTest extends SpendingSupport {
    @Inject
    RedeemFunction function;

    HttpApiEvent event(String sample, String member, String path, Map<String, String> params, String body) {
        ObjectNode json = ApiEvents.post(sample, member, path, params, body, key());
        try {
            return Lambda.JSON.treeToValue(json, HttpApiEvent.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    List<HttpApiResponse> race(List<HttpApiEvent> events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(events.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpApiResponse>> futures = new ArrayList<>();
        for (HttpApiEvent e : events) {
            Callable<HttpApiResponse> call = () -> {
                start.await();
                return function.redeem(e);
            };
            futures.add(pool.submit(call));
        }
        start.countDown();
        List<HttpApiResponse> out = new ArrayList<>();
        for (Future<HttpApiResponse> f : futures) {
            out.add(f.get(120, TimeUnit.SECONDS)); // a deadlock would surface here as a timeout
        }
        pool.shutdown();
        return out;
    }

    static String code(HttpApiResponse r) {
        try {
            return Lambda.JSON.readTree(r.body()).path("code").asText(null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void thirtyTwoRedeemsOfTenOnOneHundredGiveExactlyTenSuccesses() throws Exception {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        List<HttpApiEvent> events = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            events.add(event("redeem", m, "/members/" + m + "/redeem", Map.of(),
                    "{\"points\":10,\"reference\":\"race-" + i + "\"}"));
        }
        List<HttpApiResponse> responses = race(events);
        long ok = responses.stream().filter(r -> r.statusCode() == 201).count();
        long insufficient = responses.stream().filter(r -> r.statusCode() == 422 && "INSUFFICIENT_POINTS".equals(code(r))).count();
        System.out.printf("32 parallel redeems of 10 on 100: %d x 201, %d x INSUFFICIENT_POINTS, balance %d%n",
                ok, insufficient, balance(m));
        assertEquals(10, ok);
        assertEquals(22, insufficient);
        assertEquals(0, balance(m));
    }

    @Test
    void holdsRacingRedeemsNeverPushAvailableBelowZero() throws Exception {
        String m = newMember();
        seed(m, 100, "PURCHASE", null);
        List<HttpApiEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(event("hold", m, "/members/" + m + "/holds", Map.of(),
                    "{\"points\":10,\"reference\":\"hold-" + i + "\"}"));
            events.add(event("redeem", m, "/members/" + m + "/redeem", Map.of(),
                    "{\"points\":10,\"reference\":\"buy-" + i + "\"}"));
        }
        List<HttpApiResponse> responses = race(events);
        long ok = responses.stream().filter(r -> r.statusCode() == 201).count();
        assertEquals(10, ok, "100 points cover exactly ten reservations or redemptions of 10");
        responses.stream().filter(r -> r.statusCode() != 201)
                .forEach(r -> assertEquals("INSUFFICIENT_POINTS", code(r), r.body()));
        long balance = balance(m);
        long held = activeHeld(m);
        System.out.printf("24 racing holds/redeems of 10 on 100: %d ok, balance %d, held %d, available %d%n",
                ok, balance, held, balance - held);
        assertEquals(0, balance - held, "available ends at exactly 0, never below");
    }

    @Test
    void oppositeTransfersNeitherDeadlockNorLosePoints() throws Exception {
        String a = newMember();
        String b = newMember();
        seed(a, 100, "PURCHASE", null);
        seed(b, 100, "PROMO", null);
        List<HttpApiEvent> events = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            events.add(event("transfer", a, "/members/" + a + "/transfers", Map.of(),
                    "{\"toMemberId\":\"" + b + "\",\"points\":5,\"reference\":\"ab-" + i + "\"}"));
            events.add(event("transfer", b, "/members/" + b + "/transfers", Map.of(),
                    "{\"toMemberId\":\"" + a + "\",\"points\":5,\"reference\":\"ba-" + i + "\"}"));
        }
        AtomicBoolean failed = new AtomicBoolean();
        List<HttpApiResponse> responses = race(events);
        for (HttpApiResponse r : responses) {
            if (r.statusCode() != 201) {
                failed.set(true);
                System.out.println("transfer failed: " + r.statusCode() + " " + r.body());
            }
        }
        assertFalse(failed.get(), "every transfer completes: no deadlock victim, no 5xx");
        assertEquals(200, balance(a) + balance(b), "no point created or lost");
        assertEquals(100, balance(a), "sixteen 5s each way cancel out");
        assertTrue(balance(b) >= 0);
    }
}
