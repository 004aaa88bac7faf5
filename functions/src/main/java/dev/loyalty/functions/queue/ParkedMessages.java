package dev.loyalty.functions.queue;

import dev.loyalty.functions.store.Tx;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/** The parking lot for queue records that can never succeed. Writing is idempotent per message id. */
@ApplicationScoped
public class ParkedMessages {
    public static final String SOURCE_SQS_EARN = "sqs-earn";
    /** A listing never returns more than this many rows. */
    public static final int LIST_LIMIT_MAX = 200;

    @RegisterForReflection
    public record Parked(String memberId, String messageId, String source, String rawBody, String code, String reason,
                         Instant receivedAt, Instant parkedAt, Instant replayedAt) {
    }

    public void park(Tx tx, Parked p) {
        tx.query("INSERT INTO parked_messages(member_id, message_id, source, raw_body, code, reason, received_at, parked_at)"
                        + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (member_id, message_id) DO NOTHING",
                p.memberId(), p.messageId(), p.source(), p.rawBody(), p.code(), p.reason(), p.receivedAt(), p.parkedAt());
    }

    public List<Parked> open(Tx tx, int limit) {
        return tx.list("SELECT * FROM parked_messages WHERE replayed_at IS NULL ORDER BY parked_at LIMIT $1",
                ParkedMessages::row, Math.min(limit, LIST_LIMIT_MAX));
    }

    public java.util.Optional<Parked> find(Tx tx, String messageId) {
        return tx.list("SELECT * FROM parked_messages WHERE message_id = $1 ORDER BY parked_at DESC LIMIT 1",
                ParkedMessages::row, messageId).stream().findFirst();
    }

    public void markReplayed(Tx tx, Parked p, Instant now) {
        tx.query("UPDATE parked_messages SET replayed_at = $3 WHERE member_id = $1 AND message_id = $2",
                p.memberId(), p.messageId(), now);
    }

    private static Parked row(io.vertx.mutiny.sqlclient.Row r) {
        return new Parked(r.getString("member_id"), r.getString("message_id"), r.getString("source"),
                r.getString("raw_body"), r.getString("code"), r.getString("reason"), Tx.instant(r, "received_at"),
                Tx.instant(r, "parked_at"), Tx.instant(r, "replayed_at"));
    }
}
