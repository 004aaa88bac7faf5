package dev.loyalty.core.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An A/B split: variants with weights summing to 100, ranged in the order of their names (not
 * as a document lists them: a stored document's key order is not kept, and a draft and its
 * published version must split members alike). A member's bucket
 * is the first 8 bytes of SHA-256("experimentId" NUL "memberId") as an unsigned number mod 100,
 * so it never changes for a member and experiment, whatever else changes; the variant is the one
 * whose cumulative weight range holds the bucket.
 */
public record Experiment(String id, Map<String, Integer> variants) {
    public Experiment {
        Objects.requireNonNull(id, "id");
        variants = Collections.unmodifiableMap(new java.util.TreeMap<>(variants));
    }

    public static int bucket(String experimentId, String memberId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((experimentId + "\0" + memberId).getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xFF);
            }
            return (int) Long.remainderUnsigned(value, 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The member's variant. */
    public String variantOf(String memberId) {
        int bucket = bucket(id, memberId);
        int upTo = 0;
        String last = null;
        for (Map.Entry<String, Integer> v : variants.entrySet()) {
            upTo += v.getValue();
            last = v.getKey();
            if (bucket < upTo) {
                return v.getKey();
            }
        }
        return last; // unreachable for weights summing to 100 (validated)
    }
}
