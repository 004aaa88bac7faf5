package dev.loyalty.functions.rewards;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The Panache repository of operators' stock changes. */
@ApplicationScoped
public class StockChangeRepository implements PanacheRepositoryBase<RewardStockChange, RewardStockChange.Key> {
}
