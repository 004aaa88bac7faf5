/**
 * Rewards and redemptions (contract Part 2): the catalog ({@link dev.loyalty.functions.rewards.RewardCatalog}),
 * redemptions and their fulfilment saga ({@link dev.loyalty.functions.rewards.RedemptionService}),
 * and their routes on the redeem Lambda ({@link dev.loyalty.functions.rewards.RewardRoutes}).
 */
package dev.loyalty.functions.rewards;
