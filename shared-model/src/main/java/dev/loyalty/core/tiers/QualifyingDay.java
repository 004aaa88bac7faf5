package dev.loyalty.core.tiers;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What a member earned of one point type on one day of {@code occurredAt} (program time zone),
 * net of take-backs: the stored unit of qualification (every earn's type is kept, so a later tier
 * set version that makes another type qualify counts it too). As a change, {@code points} is
 * signed: an earn adds, a reversal or return takes back on the original earn's day.
 */
public record QualifyingDay(LocalDate day, String pointType, long points) {
    public QualifyingDay {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(pointType, "pointType");
    }
}
