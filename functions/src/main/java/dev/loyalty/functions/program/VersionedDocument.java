package dev.loyalty.functions.program;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import org.hibernate.annotations.ColumnTransformer;

import java.time.Instant;

/**
 * One immutable version of a program document (a rule set, a tier set): the columns V12 and V13
 * gave {@code rule_sets} and {@code tier_sets} alike. Written once by
 * {@link VersionedDocuments#publish}, never updated or removed (the app role may only SELECT
 * and INSERT these tables). The document is JSON text in Java and {@code jsonb} in PostgreSQL:
 * bound as text and cast (the reactive client would otherwise encode a Java string for a
 * {@code jsonb} parameter as a JSON string value).
 */
@MappedSuperclass
public abstract class VersionedDocument {
    @Id
    @Column(name = "version", nullable = false, updatable = false)
    public Long version;

    @Column(name = "effective_from", nullable = false, updatable = false)
    public Instant effectiveFrom;

    @Column(name = "document", nullable = false, updatable = false)
    @ColumnTransformer(read = "CAST(document AS text)", write = "CAST(CAST(? AS text) AS jsonb)")
    public String document;

    @Column(name = "published_at", nullable = false, updatable = false)
    public Instant publishedAt;

    @Column(name = "published_by", nullable = false, updatable = false, length = 128)
    public String publishedBy;
}
