package dev.loyalty.functions.program;

import dev.loyalty.core.Refusal;
import dev.loyalty.core.events.DomainEvent;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Entities;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.OutboxEvent;
import dev.loyalty.functions.store.Tx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one versioned document store behind {@link RuleSets} and {@link TierSets}: immutable
 * versions of a program document, each in force from its {@code effectiveFrom} until the next
 * version's. What differs between the two is data (the entity and its repository, the table,
 * the publication lock, how a document is parsed and written, the event a publication emits),
 * handed in by each facade; the rules are written once here:
 * <ul>
 *   <li>publish: under a transaction-scoped advisory lock (the next version number and the
 *       effectiveFrom order), a version earlier than the latest one's is refused (409
 *       RULES_VERSION_CONFLICT); otherwise the entity is persisted and the domain event written
 *       to the outbox in the same Hibernate Reactive transaction ({@link LedgerWriter#emitProgram}),
 *       and handed to the outbox listeners once it commits;</li>
 *   <li>asOf: the version in force at an instant, read through Panache;</li>
 *   <li>inForce: the hot path's read, queued in the caller's {@link Tx} (set-based SQL on the
 *       reactive pool, so a business event stays two round trips); the document only when the
 *       version is not cached.</li>
 * </ul>
 * Versions never change once written, so a parsed version is cached by its number for the
 * life of the function.
 *
 * @param <E> the entity (a {@link VersionedDocument} mapped onto its table)
 * @param <T> the parsed document (a rule set, a tier set)
 */
public final class VersionedDocuments<E extends VersionedDocument, T> {
    private static final int CACHE_MAX = 256;

    /** Builds the domain event of a publication: (version, effectiveFrom, publishedBy, publishedAt). */
    public interface PublishedEvent {
        DomainEvent of(long version, Instant effectiveFrom, String publishedBy, Instant publishedAt);
    }

    /** What a facade hands in: everything that differs between rule sets and tier sets. */
    public record Kind<E extends VersionedDocument, T>(String label, String table, long publishLockKey,
                                                       PanacheRepositoryBase<E, Long> repository, Supplier<E> newEntity,
                                                       Function<Map<String, Object>, T> parseStored,
                                                       Function<T, Map<String, Object>> encode,
                                                       PublishedEvent publishedEvent) {
        public Kind {
            if (!table.matches("[a-z_]+")) {
                throw new IllegalArgumentException("table " + table); // it is put into SQL text
            }
        }
    }

    /** A version with when it takes effect. */
    public record Version<T>(long version, Instant effectiveFrom, T document) {
    }

    public sealed interface Published {
        record Created(long version, Instant effectiveFrom) implements Published {
        }

        record Refused(Refusal refusal) implements Published {
        }
    }

    private final Kind<E, T> kind;
    private final Db db;
    private final Entities entities;
    private final LedgerWriter writer;
    private final Map<Long, T> cache = new ConcurrentHashMap<>();
    private final String inForceSql;
    private final String inForceOverSql;

    public VersionedDocuments(Kind<E, T> kind, Db db, Entities entities, LedgerWriter writer) {
        this.kind = kind;
        this.db = db;
        this.entities = entities;
        this.writer = writer;
        this.inForceSql = "SELECT version, effective_from, CASE WHEN version = ANY($2) THEN NULL ELSE document::text END AS document"
                + " FROM " + kind.table() + " WHERE effective_from <= $1 ORDER BY effective_from DESC, version DESC LIMIT 1";
        this.inForceOverSql = "(" + inForceSql.replace("$2", "$3") + ") UNION ALL SELECT version, effective_from,"
                + " CASE WHEN version = ANY($3) THEN NULL ELSE document::text END AS document FROM " + kind.table()
                + " WHERE effective_from > $1 AND effective_from <= $2";
    }

    /**
     * Queues the read of the version in force at {@code at} in the caller's transaction (its
     * document only if not cached), handed to {@code as} (the facade's own version type).
     */
    public <V> Tx.Deferred<V> inForce(Tx tx, Instant at, Function<Version<T>, V> as) {
        Long[] cached = cache.keySet().toArray(Long[]::new);
        return tx.later(inForceSql, rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                // The migrations seed version 1 in force since the earliest occurredAt a write may carry.
                throw new IllegalStateException("no " + kind.label() + " in force at " + at);
            }
            var r = it.next();
            long version = r.getLong("version");
            return as.apply(new Version<>(version, Tx.instant(r, "effective_from"), cached(version, r.getString("document"))));
        }, at, cached);
    }

    /**
     * Queues the read of every version that still parses, in version order, in the caller's
     * transaction (plain SQL, no entity layer; documents always read). A cached version is taken
     * from the cache; the others are parsed here and not cached (a read of every version must
     * not push the ones in use out of the cache), and a version that no longer parses (e.g. a
     * point type since removed from the catalog) is left out, not a failure.
     */
    public <V> Tx.Deferred<List<V>> all(Tx tx, Function<Version<T>, V> as) {
        return tx.later("SELECT version, effective_from, document::text AS document FROM " + kind.table() + " ORDER BY version",
                rows -> {
                    List<V> out = new java.util.ArrayList<>();
                    for (var r : rows) {
                        long version = r.getLong("version");
                        T document = cache.get(version);
                        if (document == null) {
                            try {
                                document = kind.parseStored().apply(new JsonObject(r.getString("document")).getMap());
                            } catch (RuntimeException e) {
                                continue;
                            }
                        }
                        out.add(as.apply(new Version<>(version, Tx.instant(r, "effective_from"), document)));
                    }
                    return out;
                });
    }

    /**
     * The versions in force at some instant of [{@code from}, {@code to}] (a queue batch's
     * occurredAt range): the one in force at {@code from} and every one taking effect after it up
     * to {@code to}, in ONE statement queued in the caller's transaction (documents only if not
     * cached). {@link InForce#at} then picks, for any instant of the range, exactly the version
     * {@link #inForce} would read.
     */
    public <V> Tx.Deferred<InForce<V>> inForceOver(Tx tx, Instant from, Instant to, Function<Version<T>, V> as) {
        Long[] cached = cache.keySet().toArray(Long[]::new);
        return tx.later(inForceOverSql, rows -> {
            List<Version<T>> versions = new java.util.ArrayList<>();
            rows.forEach(r -> {
                long version = r.getLong("version");
                versions.add(new Version<>(version, Tx.instant(r, "effective_from"), cached(version, r.getString("document"))));
            });
            if (versions.stream().noneMatch(v -> !v.effectiveFrom().isAfter(from))) {
                throw new IllegalStateException("no " + kind.label() + " in force at " + from);
            }
            return new InForce<>(versions, as);
        }, from, to, cached);
    }

    /** The versions in force over a range of instants (see {@link #inForceOver}). */
    public static final class InForce<V> {
        /** By (effectiveFrom, version): the latest entry at or before an instant is the version in force then. */
        private final java.util.NavigableMap<Instant, V> byStart = new java.util.TreeMap<>();

        <T> InForce(List<Version<T>> versions, Function<Version<T>, V> as) {
            versions.stream()
                    .sorted(java.util.Comparator.comparing((Version<T> v) -> v.effectiveFrom()).thenComparingLong(Version::version))
                    .forEach(v -> byStart.put(v.effectiveFrom(), as.apply(v))); // the same effectiveFrom: the higher version wins
        }

        /** The version in force at {@code at} (an instant of the range read). */
        public V at(Instant at) {
            var e = byStart.floorEntry(at);
            if (e == null) {
                throw new IllegalStateException("no version in force at " + at + " among those read");
            }
            return e.getValue();
        }
    }

    /** The version in force at {@code at}, read through Panache. */
    public Version<T> asOf(Instant at) {
        E found = entities.read(() -> kind.repository()
                .find("effectiveFrom <= ?1 order by effectiveFrom desc, version desc", at).<E>firstResult());
        if (found == null) {
            throw new IllegalStateException("no " + kind.label() + " in force at " + at);
        }
        return new Version<>(found.version, found.effectiveFrom, cached(found.version, found.document));
    }

    /**
     * The versions in force at some instant from {@code at} on, as published now: the one in force
     * at {@code at} and every later one, oldest first.
     */
    public List<Version<T>> inForceFrom(Instant at) {
        // None may be in force yet at `at` (a date before the first version): then only the later ones.
        E first = entities.read(() -> kind.repository()
                .find("effectiveFrom <= ?1 order by effectiveFrom desc, version desc", at).<E>firstResult());
        List<E> later = entities.read(() -> kind.repository()
                .find("effectiveFrom > ?1 order by effectiveFrom, version", at).<E>list());
        List<Version<T>> out = new java.util.ArrayList<>();
        if (first != null) {
            out.add(new Version<>(first.version, first.effectiveFrom, cached(first.version, first.document)));
        }
        later.forEach(e -> out.add(new Version<>(e.version, e.effectiveFrom, cached(e.version, e.document))));
        return out;
    }

    private T cached(long version, String document) {
        T known = cache.get(version);
        if (known != null) {
            return known;
        }
        if (document == null) {
            throw new IllegalStateException(kind.label() + " version " + version + " left the cache between read and use");
        }
        T parsed = kind.parseStored().apply(new JsonObject(document).getMap());
        if (cache.size() >= CACHE_MAX) {
            cache.clear();
        }
        cache.put(version, parsed);
        return parsed;
    }

    /**
     * Publishes {@code document} as the next version, in force from {@code effectiveFrom} (now
     * when null), with its domain event in the same transaction; one earlier than the latest
     * version's is refused (RULES_VERSION_CONFLICT) and nothing is written.
     */
    public Published publish(T document, Instant effectiveFrom, Instant now, String publishedBy) {
        Instant from = effectiveFrom == null ? now : effectiveFrom;
        String json = Json.encode(kind.encode().apply(document));
        Outcome outcome = entities.inTransaction(() -> Panache.getSession().chain(session -> session
                // pg_advisory_xact_lock returns void: wrapped so the native query has a column to read
                .createNativeQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(?1)) AS l", Long.class)
                .setParameter(1, kind.publishLockKey())
                .getSingleResult()
                .chain(locked -> kind.repository().find("order by version desc").<E>firstResult())
                .chain(last -> {
                    if (last == null) {
                        return Uni.createFrom().failure(new IllegalStateException("no " + kind.label() + " version 1"));
                    }
                    if (from.isBefore(last.effectiveFrom)) {
                        return Uni.createFrom().item(new Outcome(
                                new Published.Refused(new Refusal.RulesVersionConflict(last.effectiveFrom)), null));
                    }
                    E next = kind.newEntity().get();
                    next.version = last.version + 1;
                    next.effectiveFrom = from;
                    next.document = json;
                    next.publishedAt = now;
                    next.publishedBy = publishedBy;
                    DomainEvent event = kind.publishedEvent().of(next.version, from, publishedBy, now);
                    return kind.repository().persistAndFlush(next)
                            .chain(() -> writer.emitProgram(session, event))
                            .map(written -> new Outcome(new Published.Created(next.version, from), written));
                })));
        if (outcome.written() != null) {
            db.committedElsewhere(List.of(outcome.written()));
        }
        return outcome.published();
    }

    private record Outcome(Published published, OutboxEvent written) {
    }
}
