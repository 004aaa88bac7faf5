package dev.loyalty.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.local.LocalSystem;
import dev.loyalty.local.RuntimeApi;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The scenarios that drive the functions with events: queue earn (SQS batches straight to the
 * earn-queue Lambda), API earn latency, hot-member redeem contention, and balance/history reads
 * (HTTP through the front door: JWT check, API Gateway v2 event, Runtime API, handler).
 */
final class ApiScenarios {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiScenarios() {
    }

    /** The rule set the business-event scenarios publish: a purchase earns 1 point per 100 minor units, capped per day. */
    static final String BENCH_RULES = "{\"rules\":[{\"id\":\"bench-purchase\",\"event\":\"purchase\",\"pointType\":\"PURCHASE\","
            + "\"points\":1,\"perAmount\":100,\"caps\":[{\"period\":\"DAY\",\"maxPoints\":1000000}]}]}";

    /** Earns per second through earn-queue with SQS batches of {@code batch} records, one client. */
    static double queueEarns(LocalSystem system, int batch, int seconds) throws Exception {
        return queue(system, batch, seconds, false);
    }

    /** Business events per second through earn-queue (records with an {@code event} field), one client. */
    static double queueEvents(LocalSystem system, int batch, int seconds) throws Exception {
        return queue(system, batch, seconds, true);
    }

    private static double queue(LocalSystem system, int batch, int seconds, boolean events) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long applied = 0;
        long start = System.nanoTime();
        String run = UUID.randomUUID().toString().substring(0, 8);
        int n = 0;
        while (System.nanoTime() < deadline) {
            StringBuilder records = new StringBuilder();
            for (int i = 0; i < batch; i++, n++) {
                String what = events ? "\\\"event\\\":\\\"purchase\\\",\\\"amount\\\":100" : "\\\"points\\\":1,\\\"type\\\":\\\"PURCHASE\\\"";
                String body = "{\\\"memberId\\\":\\\"b" + run + "-" + (n % 1000) + "\\\"," + what + ",\\\"reference\\\":\\\"q-" + n + "\\\"}";
                records.append(i == 0 ? "" : ",").append("{\"messageId\":\"").append(run).append('-').append(n)
                        .append("\",\"receiptHandle\":\"h\",\"eventSource\":\"aws:sqs\",\"body\":\"").append(body).append("\"}");
            }
            RuntimeApi.Result r = system.function("earn-queue").invoke("{\"Records\":[" + records + "]}");
            JsonNode failures = JSON.readTree(r.body()).path("batchItemFailures");
            if (r.functionError() || failures.size() > 0) {
                throw new IllegalStateException("queue earn failed: " + r.body());
            }
            applied += batch;
        }
        return applied / ((System.nanoTime() - start) / 1e9);
    }

    /** API earn latency with {@code clients} concurrent clients, each on its own members; every answer must be 201. */
    static FrontDoorClient.LoadResult earnLatency(FrontDoorClient api, int clients, int requestsPerClient, Duration timeLimit)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // A short warm-up (not recorded): the first requests of a JVM run interpreted code.
        FrontDoorClient.load(clients, Math.max(5, requestsPerClient / 10), (c, i) -> expect(api.earn("w" + run + "-" + c, 1), 201, "earn"));
        return FrontDoorClient.load(clients, requestsPerClient, timeLimit,
                (c, i) -> expect(api.earn("api" + run + "-" + c + "-" + (i % 50), 1), 201, "earn"));
    }

    /** The outcome of one contention run: throughput and the overdraw check's figures. */
    record Contention(double perSecond, long attempts, long redeemed, long refused, long earned, Histogram latency) {
    }

    /**
     * {@code clients} clients redeeming 1 point at a time, {@code members} distinct members
     * (1 = all on one hot member; = clients: one each). Each member is first given
     * three quarters of the points its clients will try to redeem, so the last quarter is
     * refused with INSUFFICIENT_POINTS (when all attempts fit in {@code timeLimit}). Afterwards every member's balance must be exactly
     * earned - redeemed and never negative (no overdraw, no lost update).
     */
    static Contention redeemContention(FrontDoorClient api, int clients, int members, int redeemsPerClient, Duration timeLimit)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String[] ids = new String[members];
        long attemptsPerMember = (long) clients * redeemsPerClient / members;
        long earnPerMember = attemptsPerMember * 3 / 4;
        for (int m = 0; m < members; m++) {
            ids[m] = "redeem" + run + "-" + m;
            long left = earnPerMember;
            while (left > 0) {
                long points = Math.min(left, 1000);
                expect(api.earn(ids[m], points), 201, "earn (seeding a balance)");
                left -= points;
            }
        }
        // Warm-up (not recorded): every redeem JVM runs its first requests interpreted.
        String warm = "redeem" + run + "-warm";
        expect(api.earn(warm, 1000), 201, "earn (warm-up)");
        FrontDoorClient.load(clients, 10, (c, i) -> expect(api.redeem(warm, 1), 201, "redeem (warm-up)"));
        AtomicLongArray redeemed = new AtomicLongArray(members);
        AtomicLong refused = new AtomicLong();
        FrontDoorClient.LoadResult r = FrontDoorClient.load(clients, redeemsPerClient, timeLimit, (c, i) -> {
            FrontDoorClient.Response res = api.redeem(ids[c % members], 1);
            if (res.status() == 201) {
                redeemed.incrementAndGet(c % members);
            } else if (res.status() == 422 && res.body().contains("INSUFFICIENT_POINTS")) {
                refused.incrementAndGet();
            } else {
                throw new IllegalStateException("redeem: HTTP " + res.status() + " " + res.body());
            }
            return res;
        });
        long total = 0;
        for (int m = 0; m < members; m++) {
            FrontDoorClient.Response b = expect(api.get("/members/" + ids[m] + "/balance"), 200, "balance");
            long balance = JSON.readTree(b.body()).path("balance").asLong(Long.MIN_VALUE);
            long expected = earnPerMember - redeemed.get(m);
            if (balance != expected || balance < 0 || redeemed.get(m) > earnPerMember) {
                throw new IllegalStateException("overdraw or lost update on " + ids[m] + ": balance " + balance
                        + ", earned " + earnPerMember + ", redeemed " + redeemed.get(m));
            }
            total += redeemed.get(m);
        }
        long attempts = r.latency().getTotalCount();
        if (total + refused.get() != attempts) {
            throw new IllegalStateException("redeems " + total + " + refusals " + refused.get() + " != attempts " + attempts);
        }
        return new Contention(r.perSecond(), attempts, total, refused.get(), earnPerMember * members, r.latency());
    }

    /** The outcome of a flash sale: throughput, latency, and the no-oversell check's figures. */
    record FlashSale(double perSecond, long attempts, long won, long outOfStock, long limitReached, Histogram latency) {
    }

    /**
     * A flash sale: {@code attempts} redemptions of one unit from {@code members} members (each
     * given enough points for one, perMemberLimit 1) on ONE reward with {@code stock} units,
     * {@code clients} closed-loop clients. Afterwards exactly {@code stock} units went (201s,
     * stock 0), every winner paid the cost once, and every other member kept all its points.
     */
    static FlashSale flashSale(FrontDoorClient api, int clients, int members, int attempts, long stock, Duration timeLimit)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String reward = "flash-" + run;
        long cost = 50;
        expect(api.put("/rewards/" + reward, "{\"name\":\"Flash sale\",\"cost\":" + cost + ",\"initialStock\":" + stock
                + ",\"perMemberLimit\":1}"), 201, "reward");
        String[] ids = new String[members];
        FrontDoorClient.load(clients, members / clients + 1, (c, i) -> {
            int m = i * clients + c;
            if (m < members) {
                ids[m] = "flash" + run + "-" + m;
                return expect(api.earn(ids[m], cost), 201, "earn (seeding)");
            }
            return new FrontDoorClient.Response(201, "", 0);
        });
        AtomicLongArray won = new AtomicLongArray(members);
        AtomicLong outOfStock = new AtomicLong();
        AtomicLong limited = new AtomicLong();
        int perClient = attempts / clients;
        FrontDoorClient.LoadResult r = FrontDoorClient.load(clients, perClient, timeLimit, (c, i) -> {
            int m = (i * clients + c) % members;
            FrontDoorClient.Response res = api.post("/members/" + ids[m] + "/redemptions",
                    "{\"rewardId\":\"" + reward + "\",\"reference\":\"" + UUID.randomUUID() + "\"}");
            if (res.status() == 201) {
                won.incrementAndGet(m);
            } else if (res.status() == 409 && res.body().contains("OUT_OF_STOCK")) {
                outOfStock.incrementAndGet();
            } else if (res.status() == 422 && res.body().contains("REDEMPTION_LIMIT_REACHED")) {
                limited.incrementAndGet();
            } else {
                throw new IllegalStateException("redemption: HTTP " + res.status() + " " + res.body());
            }
            return res;
        });
        long total = 0;
        for (int m = 0; m < members; m++) {
            long balance = JSON.readTree(expect(api.get("/members/" + ids[m] + "/balance"), 200, "balance").body())
                    .path("balance").asLong(Long.MIN_VALUE);
            long expected = cost - won.get(m) * cost;
            if (won.get(m) > 1 || balance != expected) {
                throw new IllegalStateException("member " + ids[m] + ": won " + won.get(m) + ", balance " + balance);
            }
            total += won.get(m);
        }
        long left = -1;
        for (var item : JSON.readTree(expect(api.get("/rewards"), 200, "rewards").body()).path("items")) {
            if (item.path("rewardId").asText().equals(reward)) {
                left = item.path("stock").asLong(-1);
            }
        }
        long done = r.latency().getTotalCount();
        if (total != Math.min(stock, done) || (done >= stock && left != 0) || total + outOfStock.get() + limited.get() != done) {
            throw new IllegalStateException("flash sale: " + total + " won, stock left " + left + ", " + outOfStock.get()
                    + " out of stock, " + limited.get() + " at the limit, of " + done);
        }
        return new FlashSale(r.perSecond(), done, total, outOfStock.get(), limited.get(), r.latency());
    }

    /** Closed-loop single-client GETs of random seeded members: {@code path} is "balance" or "transactions?limit=50". */
    static Histogram reads(FrontDoorClient api, long seededMembers, String path, int requests, Duration timeLimit) throws Exception {
        FrontDoorClient.load(1, Math.max(10, requests / 10), (c, i) -> expect(api.get(member(seededMembers, path)), 200, path));
        return FrontDoorClient.load(1, requests, timeLimit, (c, i) -> expect(api.get(member(seededMembers, path)), 200, path)).latency();
    }

    private static String member(long seededMembers, String path) {
        long m = 1 + ThreadLocalRandom.current().nextLong(seededMembers);
        return "/members/seed-" + String.format(Locale.ROOT, "%08d", m) + "/" + path;
    }

    static FrontDoorClient.Response expect(FrontDoorClient.Response r, int status, String what) {
        if (r.status() != status) {
            throw new IllegalStateException(what + ": HTTP " + r.status() + " " + r.body());
        }
        return r;
    }
}
