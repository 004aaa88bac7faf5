package dev.loyalty.functions.program;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The Panache repository of rule set versions. */
@ApplicationScoped
public class RuleSetVersions implements PanacheRepositoryBase<RuleSetVersion, Long> {
}
