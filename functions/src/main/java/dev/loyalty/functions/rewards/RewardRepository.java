package dev.loyalty.functions.rewards;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The Panache repository of the reward catalog. */
@ApplicationScoped
public class RewardRepository implements PanacheRepositoryBase<Reward, String> {
}
