package dev.loyalty.core;

import java.util.Objects;

/**
 * A member's balance and how many entries produced it. The version is the optimistic-concurrency
 * token: an entry is appended only against the version it was computed from.
 * The balance is not forced to be non-negative, since a reversal of already-spent points may
 * legitimately take it below zero; the rules that spend points are what prevent overdrafts.
 */
public record AccountState(MemberId memberId, long balance, long version) {

    public AccountState {
        Objects.requireNonNull(memberId, "memberId");
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        if (version == 0 && balance != 0) {
            throw new IllegalArgumentException("an account with no entries must have balance 0");
        }
    }

    public static AccountState empty(MemberId memberId) {
        return new AccountState(memberId, 0L, 0L);
    }

    /**
     * The state after appending one entry of {@code signedPoints}.
     *
     * @throws ArithmeticException if the balance would overflow; rules check this first and reject
     */
    public AccountState advance(long signedPoints) {
        return new AccountState(memberId, Math.addExact(balance, signedPoints), Math.addExact(version, 1L));
    }
}
