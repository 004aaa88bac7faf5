package dev.loyalty.functions.program;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The Panache repository of tier set versions. */
@ApplicationScoped
public class TierSetVersions implements PanacheRepositoryBase<TierSetVersion, Long> {
}
