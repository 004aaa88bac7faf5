package dev.loyalty.functions.program;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.rules.BusinessEvent;
import dev.loyalty.core.rules.RuleSet;
import dev.loyalty.core.rules.RuleSetDocument;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.core.rules.Tier;
import dev.loyalty.core.tiers.TierSet;
import dev.loyalty.core.tiers.TierSetDocument;
import dev.loyalty.core.tiers.TierSetParser;
import dev.loyalty.functions.http.ApiError;
import dev.loyalty.functions.http.ApiException;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.http.JsonBody;
import dev.loyalty.functions.http.Requests;
import dev.loyalty.functions.http.Responses;
import dev.loyalty.functions.http.Routes;
import dev.loyalty.functions.idempotency.IdempotentWrites;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The program's routes on the earn Lambda: business events ({@code points:earn} or admin; a
 * member cannot award itself) through the idempotency layer, and the rule sets (admin):
 * publish, read as of an instant, simulate.
 */
@ApplicationScoped
public class ProgramRoutes {
    static final Set<String> EVENT_FIELDS = Set.of("event", "reference", "occurredAt", "amount", "currency", "attributes",
            "description");
    /** A return's fields ({@code event: "return"}): it names its purchase and the amount returned. */
    static final Set<String> RETURN_FIELDS = Set.of("event", "reference", "originalReference", "amount", "occurredAt",
            "description");
    static final Set<String> SIMULATE_FIELDS = Set.of("memberId", "event", "rules", "tier");

    private final Requests requests;
    private final Responses responses;
    private final IdempotentWrites idempotent;
    private final EventService events;
    private final RuleSets ruleSets;
    private final TierSets tierSets;
    private final ObjectMapper json;
    private final Clock clock;

    public ProgramRoutes(Requests requests, Responses responses, IdempotentWrites idempotent, EventService events,
                         RuleSets ruleSets, TierSets tierSets, ObjectMapper json, Clock clock) {
        this.tierSets = tierSets;
        this.requests = requests;
        this.responses = responses;
        this.idempotent = idempotent;
        this.events = events;
        this.ruleSets = ruleSets;
        this.json = json;
        this.clock = clock;
    }

    public HttpApiResponse handle(HttpApiEvent event, Routes.Match route) {
        try {
            return route(event, route);
        } catch (InvalidRuleSet e) {
            return responses.refusal(new Refusal.InvalidRuleSet(e.invalid.errors()), event.requestId());
        } catch (InvalidTierSet e) {
            return responses.refusal(new Refusal.InvalidTierSet(e.invalid.errors()), event.requestId());
        }
    }

    private HttpApiResponse route(HttpApiEvent event, Routes.Match route) {
        ApiRoute r = route.route();
        Caller caller = Caller.from(event);
        if (r.equals(ApiRoutes.EVENTS)) {
            String memberId = route.memberId();
            caller.requireEarn();
            if (caller.subject().equals(memberId)) {
                throw new ApiException(ApiError.FORBIDDEN, "a member cannot award itself");
            }
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, r, raw, () -> {
                JsonBody body = requests.jsonObject(raw, false);
                EventResult result;
                if (isReturn(body)) {
                    result = events.recordReturn(returnCommand(memberId, body.allowOnly(RETURN_FIELDS)));
                } else {
                    result = events.record(businessEvent(memberId, body.allowOnly(EVENT_FIELDS)));
                }
                return switch (result) {
                    case EventResult.Recorded rec -> responses.ok(201, rec.answer());
                    case EventResult.AlreadyRecorded again -> IdempotentWrites.withHeader(responses.ok(201, again.answer()),
                            IdempotentWrites.REPLAYED_HEADER, "true");
                    case EventResult.Refused refused -> responses.refusal(refused.refusal(), event.requestId());
                };
            });
        }
        caller.requireAdmin();
        if (r.equals(ApiRoutes.TIERS_GET)) {
            Instant asOf = Requests.instantQuery(event, "asOf");
            TierSets.Version v = tierSets.asOf(asOf == null ? clock.instant() : asOf);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", v.version());
            body.put("effectiveFrom", v.effectiveFrom().toString());
            body.putAll(TierSetDocument.of(v.tierSet()));
            return responses.ok(200, body);
        }
        if (r.equals(ApiRoutes.TIERS_PUBLISH)) {
            // A write like every other: behind the Idempotency-Key (a retry replays the 201).
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, r, raw, () -> {
                JsonBody body = requests.jsonObject(raw, false);
                Instant effectiveFrom = body.optionalInstant("effectiveFrom");
                TierSet set = switch (tierSets.parse(json.convertValue(body.node(), Map.class))) {
                    case TierSetParser.Result.Parsed p -> p.tierSet();
                    case TierSetParser.Result.Invalid i -> throw new InvalidTierSet(i);
                };
                return switch (tierSets.publish(set, effectiveFrom, clock.instant(), caller.subject())) {
                    case TierSets.Published.Created c -> responses.ok(201, created(c.version(), c.effectiveFrom()));
                    case TierSets.Published.Refused f -> responses.refusal(f.refusal(), event.requestId());
                };
            });
        }
        if (r.equals(ApiRoutes.RULES_GET)) {
            Instant asOf = Requests.instantQuery(event, "asOf");
            RuleSets.Version v = ruleSets.asOf(asOf == null ? clock.instant() : asOf);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", v.version());
            body.put("effectiveFrom", v.effectiveFrom().toString());
            body.putAll(RuleSetDocument.of(v.ruleSet()));
            return responses.ok(200, body);
        }
        if (r.equals(ApiRoutes.RULES_PUBLISH)) {
            requests.idempotencyKey(event);
            String raw = requests.rawBody(event);
            return idempotent.run(event, caller, r, raw, () -> {
                JsonBody body = requests.jsonObject(raw, false);
                Instant effectiveFrom = body.optionalInstant("effectiveFrom");
                Instant now = clock.instant();
                // when.tiers: the names of the tier sets in force from the rule set's effectiveFrom on.
                RuleSet set = parsed(body.node(), tierSets.namesFrom(effectiveFrom == null ? now : effectiveFrom));
                return switch (ruleSets.publish(set, effectiveFrom, now, caller.subject())) {
                    case RuleSets.Published.Created c -> responses.ok(201, created(c.version(), c.effectiveFrom()));
                    case RuleSets.Published.Refused f -> responses.refusal(f.refusal(), event.requestId());
                };
            });
        }
        // RULES_SIMULATE: a dry run that writes nothing; a POST like every other, so it takes an
        // Idempotency-Key (a retry replays the first answer).
        requests.idempotencyKey(event);
        String raw = requests.rawBody(event);
        return idempotent.run(event, caller, r, raw, () -> simulate(event, raw));
    }

    private static Map<String, Object> created(long version, Instant effectiveFrom) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("effectiveFrom", effectiveFrom.toString());
        return out;
    }

    private HttpApiResponse simulate(HttpApiEvent event, String raw) {
        JsonBody body = requests.jsonObject(raw, false).allowOnly(SIMULATE_FIELDS);
        String memberId = body.requiredString("memberId");
        if (!MemberId.isValid(memberId)) {
            throw ApiException.validation("memberId", "must be 1 to 64 characters of [A-Za-z0-9_.:-]");
        }
        JsonNode eventNode = body.node().get("event");
        if (eventNode == null || !eventNode.isObject()) {
            throw ApiException.validation("event", "is required: a business event body");
        }
        BusinessEvent e = businessEvent(memberId, requests.jsonObject(eventNode.toString(), false).allowOnly(EVENT_FIELDS));
        // A draft's when.tiers: the tier sets' names from now on, and the names a simulation may ask for.
        RuleSet draft = null;
        if (body.node().hasNonNull("rules")) {
            java.util.Set<String> names = new java.util.TreeSet<>(tierSets.namesFrom(clock.instant()));
            names.addAll(ProgramTiers.names());
            draft = draft(body.node().get("rules"), names);
        }
        String tierName = body.optionalString("tier");
        // A tier of the set in force now (its multiplier), else one of the names rule sets may use.
        Tier tier = tierName == null ? null : tierSets.asOf(clock.instant()).tierSet().find(tierName)
                .map(dev.loyalty.core.tiers.TierLevel::asRuleTier).or(() -> ProgramTiers.find(tierName))
                .orElseThrow(() -> ApiException.validation("tier", "unknown tier"));
        return switch (events.simulate(e, draft, tier)) {
            case EventResult.Recorded rec -> responses.ok(200, rec.answer());
            case EventResult.AlreadyRecorded again -> responses.ok(200, again.answer());
            case EventResult.Refused refused -> responses.refusal(refused.refusal(), event.requestId());
        };
    }

    /** The whole body as a rule set document (its effectiveFrom is the publication's). */
    private RuleSet parsed(JsonNode node, java.util.Set<String> tierNames) {
        Map<?, ?> doc = json.convertValue(node, Map.class);
        return parsedDocument(doc, tierNames);
    }

    /** A simulation's draft: a rule set document, or just its list of rules. */
    private RuleSet draft(JsonNode rules, java.util.Set<String> tierNames) {
        Object doc = rules.isArray() ? Map.of("rules", json.convertValue(rules, java.util.List.class))
                : json.convertValue(rules, Object.class);
        return parsedDocument(doc, tierNames);
    }

    private RuleSet parsedDocument(Object doc, java.util.Set<String> tierNames) {
        return switch (ruleSets.parse(doc, tierNames)) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            case RuleSetParser.Result.Invalid i -> throw new InvalidRuleSet(i);
        };
    }

    /** {@code event: "return"}: the return rule, not the program's rules. */
    public static boolean isReturn(JsonBody body) {
        JsonNode e = body.node().get("event");
        return e != null && e.isTextual() && dev.loyalty.core.rules.RulesEngine.RETURN_EVENT.equals(e.asText());
    }

    public static dev.loyalty.core.returns.ReturnCommand returnCommand(String memberId, JsonBody b) {
        return new dev.loyalty.core.returns.ReturnCommand(memberId, b.requiredString("reference"),
                b.requiredString("originalReference"), b.optionalLong("amount"), b.optionalInstant("occurredAt"),
                b.optionalString("description"));
    }

    private BusinessEvent businessEvent(String memberId, JsonBody b) {
        Map<String, String> attributes = null;
        JsonNode a = b.node().get("attributes");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) {
                throw ApiException.validation("attributes", "must be an object of string to string");
            }
            attributes = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isTextual()) {
                    throw ApiException.validation("attributes." + f.getKey(), "must be a string");
                }
                attributes.put(f.getKey(), f.getValue().asText());
            }
        }
        return new BusinessEvent(memberId, b.requiredString("event"), b.requiredString("reference"),
                b.optionalInstant("occurredAt"), b.optionalLong("amount"), b.optionalString("currency"), attributes,
                b.optionalString("description"));
    }

    /** A tier set with errors: 400 with every error's path, nothing published. */
    static final class InvalidTierSet extends RuntimeException {
        final TierSetParser.Result.Invalid invalid;

        InvalidTierSet(TierSetParser.Result.Invalid invalid) {
            super("invalid tier set", null, false, false);
            this.invalid = invalid;
        }
    }

    /** A rule set with errors: 400 with every error's path, nothing published. */
    static final class InvalidRuleSet extends RuntimeException {
        final RuleSetParser.Result.Invalid invalid;

        InvalidRuleSet(RuleSetParser.Result.Invalid invalid) {
            super("invalid rule set", null, false, false);
            this.invalid = invalid;
        }
    }
}
