package dev.loyalty.functions.store;

import java.util.function.Supplier;

/**
 * Who made a change, recorded on every ledger entry it writes (the audit trail): the caller's
 * {@code sub} (a member, a partner, an operator, or the job's name), the source the request
 * came through, and its request id (API Gateway's request id, the SQS message id, the
 * scheduled event's id). The entry points set it for the request they serve; the ledger writer
 * reads it, so no service passes it along. Append-only grants keep it as written.
 */
public record Actor(String sub, String source, String requestId) {
    public static final String API = "api";
    public static final String QUEUE = "queue";
    public static final String SCHEDULE = "schedule";
    public static final String CONSOLE = "console";
    /** Column widths (V10): longer values are cut, never refused, so a write cannot fail on its audit data. */
    static final int SUB_MAX = 128;
    static final int REQUEST_ID_MAX = 128;

    private static final ThreadLocal<Actor> CURRENT = new ThreadLocal<>();

    public Actor {
        sub = cut(sub, SUB_MAX);
        requestId = cut(requestId, REQUEST_ID_MAX);
    }

    /** The actor of the request this thread serves, or null (a test calling a service directly). */
    public static Actor current() {
        return CURRENT.get();
    }

    public Actor withRequestId(String id) {
        return new Actor(sub, source, id);
    }

    /** Runs {@code work} as {@code actor}; the previous actor is restored after. */
    public static <T> T as(Actor actor, Supplier<T> work) {
        Actor previous = CURRENT.get();
        CURRENT.set(actor);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
