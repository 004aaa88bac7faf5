/**
 * Rewards and redemptions (contract Part 2): the catalog ({@link dev.loyalty.functions.rewards.RewardCatalog}),
 * redemptions and their fulfilment saga ({@link dev.loyalty.functions.rewards.RedemptionService}),
 * and their routes on the redeem Lambda ({@link dev.loyalty.functions.rewards.RewardRoutes}).
 * <ul>
 *   <li>The catalog is configuration entities ({@link dev.loyalty.functions.rewards.Reward},
 *       {@link dev.loyalty.functions.rewards.RewardStockChange}, Hibernate Reactive Panache): an
 *       operator's change loads the reward with its row lock and writes only changed columns.</li>
 *   <li>A redemption takes stock with a conditional SQL decrement, last in its own two-round-trip
 *       transaction, never through the entity: the stock row is the only thing members share.</li>
 * </ul>
 */
package dev.loyalty.functions.rewards;
