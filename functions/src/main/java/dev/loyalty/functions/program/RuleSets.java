package dev.loyalty.functions.program;

import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.events.DomainEvents;
import dev.loyalty.core.rules.RuleSet;
import dev.loyalty.core.rules.RuleSetDocument;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Entities;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;

/**
 * Rule set versions ({@link RuleSetVersion} entities in {@code rule_sets}): publish a new
 * immutable version (with its {@code program.rules.published} event), read the one in force at
 * an instant. The store is the shared {@link VersionedDocuments}; this facade says what a rule
 * set is (its parser, its document, its event).
 */
@ApplicationScoped
public class RuleSets {
    /** Serialises publications (the next version number and the effectiveFrom order). */
    private static final long PUBLISH_LOCK_KEY = 0x52554C4553L; // "RULES"

    private final PointTypeCatalog catalog;
    private final VersionedDocuments<RuleSetVersion, RuleSet> store;
    private final TierSets tierSets;
    private final java.time.Clock clock;

    public RuleSets(Db db, PointTypeCatalog catalog, Entities entities, LedgerWriter writer, RuleSetVersions versions,
                    TierSets tierSets, java.time.Clock clock) {
        this.catalog = catalog;
        this.tierSets = tierSets;
        this.clock = clock;
        this.store = new VersionedDocuments<>(new VersionedDocuments.Kind<>("rule set", "rule_sets", PUBLISH_LOCK_KEY,
                versions, RuleSetVersion::new, this::parseStored, RuleSetDocument::of,
                (version, from, by, at) -> DomainEvents.rulesPublished(version, from, by, at, UUID::randomUUID)),
                db, entities, writer);
    }

    /** A version with when it takes effect. */
    public record Version(long version, Instant effectiveFrom, RuleSet ruleSet) {
    }

    public sealed interface Published {
        record Created(long version, Instant effectiveFrom) implements Published {
        }

        record Refused(Refusal refusal) implements Published {
        }
    }

    /**
     * Validates a document to be in force from {@code effectiveFrom}: against the program's point
     * types, and its {@code when.tiers} against {@code tierNames} (the names of the tier set
     * versions in force from then on, {@link TierSets#namesFrom}). A rule set naming a tier none
     * of them has is refused whole.
     */
    public RuleSetParser.Result parse(Object document, java.util.Set<String> tierNames) {
        return RuleSetParser.parse(document, catalog.codes(), java.util.Objects.requireNonNull(tierNames, "tierNames"));
    }

    /** {@link #parse(Object, java.util.Set)} for a rule set in force from {@code effectiveFrom}. */
    public RuleSetParser.Result parse(Object document, Instant effectiveFrom) {
        return parse(document, tierSets.namesFrom(effectiveFrom));
    }

    /** {@link #parse(Object, Instant)} from now. */
    public RuleSetParser.Result parse(Object document) {
        return parse(document, clock.instant());
    }

    /** A stored version: validated when it was published, its tier names are not checked again. */
    private RuleSet parseStored(java.util.Map<String, Object> document) {
        return switch (RuleSetParser.parse(document, catalog.codes(), null)) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            // A stored version names something the configuration no longer has (a point type removed).
            case RuleSetParser.Result.Invalid i -> throw new IllegalStateException(
                    "a stored rule set version is no longer valid: " + i.errors());
        };
    }

    /** Queues the read of the version in force at {@code at} (its document only if not cached). */
    public Tx.Deferred<Version> inForce(Tx tx, Instant at) {
        return store.inForce(tx, at, v -> new Version(v.version(), v.effectiveFrom(), v.document()));
    }

    /** Queues the read of the versions in force over [{@code from}, {@code to}] (a queue batch's occurredAt range). */
    public Tx.Deferred<VersionedDocuments.InForce<Version>> inForceOver(Tx tx, Instant from, Instant to) {
        return store.inForceOver(tx, from, to, v -> new Version(v.version(), v.effectiveFrom(), v.document()));
    }

    public Version asOf(Instant at) {
        var v = store.asOf(at);
        return new Version(v.version(), v.effectiveFrom(), v.document());
    }

    /**
     * Publishes {@code ruleSet} as the next version, in force from {@code effectiveFrom} (now when
     * null); one earlier than the latest version's is refused (409 RULES_VERSION_CONFLICT).
     */
    public Published publish(RuleSet ruleSet, Instant effectiveFrom, Instant now, String publishedBy) {
        return switch (store.publish(ruleSet, effectiveFrom, now, publishedBy)) {
            case VersionedDocuments.Published.Created c -> new Published.Created(c.version(), c.effectiveFrom());
            case VersionedDocuments.Published.Refused r -> new Published.Refused(r.refusal());
        };
    }
}
