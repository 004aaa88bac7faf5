package dev.loyalty.functions.balance;

import dev.loyalty.functions.http.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque history cursor: the sequence of the last entry returned. Sequences never change
 * (the ledger is append-only), so a cursor stays valid while new entries arrive.
 */
final class HistoryCursor {
    private static final String PREFIX = "v1:";

    private HistoryCursor() {
    }

    static String encode(long sequence) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + sequence).getBytes(StandardCharsets.UTF_8));
    }

    static long decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!raw.startsWith(PREFIX)) {
                throw new IllegalArgumentException();
            }
            long sequence = Long.parseLong(raw.substring(PREFIX.length()));
            if (sequence < 1) {
                throw new IllegalArgumentException();
            }
            return sequence;
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("cursor", "is not a cursor this API returned");
        }
    }
}
