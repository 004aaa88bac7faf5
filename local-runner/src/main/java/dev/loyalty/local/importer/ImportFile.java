package dev.loyalty.local.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.core.AccountState;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.earn.EarnOutcome;
import dev.loyalty.core.earn.EarnRule;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Reads and validates a whole import file before anything is sent: JSON Lines ({@code .jsonl},
 * {@code .ndjson}: one object per line) or CSV ({@code .csv}: a header row naming the columns,
 * RFC 4180 quoting). Fields: {@code member} (or {@code memberId}), {@code points}, {@code type},
 * {@code earnedAt}, {@code expiresAt} (empty or absent: the point type's policy), {@code reference}.
 *
 * <p>Each record is checked by the core's own earn rule ({@link EarnRule}, the one the queue
 * applies) against the default point types, plus what only the whole file can show: a
 * (member, reference) used twice. Limits: {@link #RECORDS_MAX} records, {@link #LINE_CHARS_MAX}
 * characters a line, at most {@link #ERRORS_SHOWN_MAX} errors listed.
 */
public final class ImportFile {
    public static final int RECORDS_MAX = 1_000_000;
    public static final int LINE_CHARS_MAX = 16_384;
    public static final int ERRORS_SHOWN_MAX = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the file holds: the valid records, and every error found (line and reason). */
    public record Report(Path file, List<ImportRecord> records, List<String> errors, Map<String, long[]> byType) {
        public boolean valid() {
            return errors.isEmpty();
        }

        public long points() {
            return records.stream().mapToLong(ImportRecord::points).sum();
        }

        public String describe() {
            StringBuilder s = new StringBuilder();
            s.append(file).append(": ").append(records.size())
                    .append(" valid records, ").append(errors.size()).append(" errors\n");
            byType.forEach((type, c) -> s.append("  ").append(type).append(": ").append(c[0]).append(" lots, ")
                    .append(c[1]).append(" points\n"));
            s.append("  total: ").append(points()).append(" points for ")
                    .append(records.stream().map(ImportRecord::memberId).distinct().count()).append(" members\n");
            errors.stream().limit(ERRORS_SHOWN_MAX).forEach(e -> s.append("  error: ").append(e).append('\n'));
            if (errors.size() > ERRORS_SHOWN_MAX) {
                s.append("  ... and ").append(errors.size() - ERRORS_SHOWN_MAX).append(" more errors\n");
            }
            return s.toString();
        }
    }

    private ImportFile() {
    }

    public static Report read(Path file, Instant now) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean csv = name.endsWith(".csv");
        if (!csv && !name.endsWith(".jsonl") && !name.endsWith(".ndjson")) {
            throw new IllegalArgumentException("the file must end in .jsonl, .ndjson or .csv: " + file);
        }
        PointTypeCatalog catalog = PointTypeCatalog.defaults(java.time.ZoneOffset.UTC);
        List<ImportRecord> records = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, long[]> byType = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> header = null;
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                if (line.length() > LINE_CHARS_MAX) {
                    errors.add("line " + number + ": longer than " + LINE_CHARS_MAX + " characters");
                    continue;
                }
                if (records.size() + errors.size() >= RECORDS_MAX) {
                    errors.add("line " + number + ": more than " + RECORDS_MAX + " records; split the file");
                    break;
                }
                Map<String, String> fields;
                try {
                    if (csv) {
                        List<String> cells = csvCells(line);
                        if (header == null) {
                            header = cells.stream().map(String::trim).toList();
                            continue;
                        }
                        if (cells.size() != header.size()) {
                            throw new IllegalArgumentException(cells.size() + " columns, the header has " + header.size());
                        }
                        fields = new HashMap<>();
                        for (int i = 0; i < header.size(); i++) {
                            fields.put(header.get(i), cells.get(i));
                        }
                    } else {
                        JsonNode node = JSON.readTree(line);
                        if (node == null || !node.isObject()) {
                            throw new IllegalArgumentException("not a JSON object");
                        }
                        fields = new HashMap<>();
                        for (var it = node.fields(); it.hasNext(); ) {
                            var f = it.next();
                            fields.put(f.getKey(), f.getValue().isNull() ? null
                                    : f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
                        }
                    }
                    ImportRecord r = record(number, fields, now, catalog);
                    Integer first = seen.putIfAbsent(r.memberId() + "\n" + r.reference(), number);
                    if (first != null) {
                        throw new IllegalArgumentException("member " + r.memberId() + " and reference " + r.reference()
                                + " are already on line " + first);
                    }
                    records.add(r);
                    long[] c = byType.computeIfAbsent(r.type(), t -> new long[2]);
                    c[0]++;
                    c[1] += r.points();
                } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
                    errors.add("line " + number + ": " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException
                            ? "not JSON" : e.getMessage()));
                }
            }
        }
        return new Report(file, List.copyOf(records), List.copyOf(errors), byType);
    }

    static ImportRecord record(int line, Map<String, String> f, Instant now, PointTypeCatalog catalog) {
        for (String k : f.keySet()) {
            if (!List.of("member", "memberId", "points", "type", "earnedAt", "expiresAt", "reference").contains(k)) {
                throw new IllegalArgumentException("unknown field " + k);
            }
        }
        String member = blankToNull(f.containsKey("member") ? f.get("member") : f.get("memberId"));
        String reference = blankToNull(f.get("reference"));
        String type = blankToNull(f.get("type"));
        String pointsRaw = blankToNull(f.get("points"));
        if (member == null || pointsRaw == null || type == null || reference == null || blankToNull(f.get("earnedAt")) == null) {
            throw new IllegalArgumentException("member, points, type, earnedAt and reference are required");
        }
        long points;
        try {
            points = Long.parseLong(pointsRaw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("points: not a whole number");
        }
        Instant earnedAt = instant("earnedAt", f.get("earnedAt"));
        Instant expiresAt = blankToNull(f.get("expiresAt")) == null ? null : instant("expiresAt", f.get("expiresAt"));
        EarnCommand command = new EarnCommand(member, points, type, reference, earnedAt, null, expiresAt);
        if (!MemberId.isValid(member)) {
            throw new IllegalArgumentException("memberId: must be 1 to 64 characters of [A-Za-z0-9_.:-]");
        }
        // The queue applies exactly this rule; what fails here would be parked there.
        if (EarnRule.apply(AccountState.empty(new MemberId(member)), command, now, catalog, UUID::randomUUID)
                instanceof EarnOutcome.Refused(var refusal)) {
            throw new IllegalArgumentException(refusal.field() + ": " + refusal.message());
        }
        return new ImportRecord(line, member, points, type, earnedAt, expiresAt, reference);
    }

    private static Instant instant(String field, String raw) {
        try {
            return Instant.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": not an ISO-8601 instant such as 2026-11-22T10:15:30Z");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** One CSV line (no line breaks inside quotes): cells split on commas, "" inside quotes is ". */
    static List<String> csvCells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote");
        }
        cells.add(cell.toString());
        return cells;
    }
}
