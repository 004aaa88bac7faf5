package dev.loyalty.functions.program;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A rule set version ({@code rule_sets}, V12). */
@Entity
@Table(name = "rule_sets")
public class RuleSetVersion extends VersionedDocument {
}
