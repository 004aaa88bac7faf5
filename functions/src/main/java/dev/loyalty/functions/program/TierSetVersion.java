package dev.loyalty.functions.program;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A tier set version ({@code tier_sets}, V13). */
@Entity
@Table(name = "tier_sets")
public class TierSetVersion extends VersionedDocument {
}
