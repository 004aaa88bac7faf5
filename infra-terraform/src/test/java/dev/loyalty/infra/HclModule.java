package dev.loyalty.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Terraform module as HashiCorp's HCL parser reads it: {@code tools/hcl2json/parse.js} runs
 * {@code @cdktf/hcl2json} (the Go hcl library built to WASM) under node and hands back each
 * file's JSON (hcl2json's shape: blocks are lists of bodies, expressions are {@code "${...}"}
 * strings) and, for every expression string, the references in it as HCL's expression AST sees
 * them ({@code ["aws_x", "name", "[]", "attr"]}).
 */
final class HclModule {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path TOOL = ROOT.resolve("tools").resolve("hcl2json");
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    /** File name to hcl2json's document of that file, in file name order. */
    final Map<String, JsonNode> files;
    /** Expression string to the references in it, each a list of traversal parts. */
    final Map<String, List<List<String>>> refs;

    private HclModule(Path dir, Map<String, JsonNode> files, Map<String, List<List<String>>> refs) {
        this.dir = dir;
        this.files = files;
        this.refs = refs;
    }

    /** Every {@code .tf} file of dir. */
    static HclModule parse(Path dir) throws IOException {
        ensureInstalled();
        List<String> command = new ArrayList<>(List.of("node", TOOL.resolve("parse.js").toString(), dir.toString()));
        Path out = Files.createTempFile("hcl2json", ".json");
        Path err = Files.createTempFile("hcl2json", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("hcl2json did not finish in 2 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException("hcl2json could not parse " + dir + ": " + Files.readString(err, StandardCharsets.UTF_8));
            }
            JsonNode doc = JSON.readTree(out.toFile());
            Map<String, JsonNode> files = new LinkedHashMap<>();
            doc.get("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue()));
            Map<String, List<List<String>>> refs = new LinkedHashMap<>();
            doc.get("refs").fields().forEachRemaining(e -> {
                List<List<String>> list = new ArrayList<>();
                e.getValue().forEach(r -> {
                    List<String> parts = new ArrayList<>();
                    r.forEach(part -> parts.add(part.asText()));
                    list.add(parts);
                });
                refs.put(e.getKey(), list);
            });
            return new HclModule(dir, files, refs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** tools/hcl2json is pinned by its lockfile; ./loyalty installs it, and so does this on first use. */
    static synchronized void ensureInstalled() throws IOException {
        if (Files.isDirectory(TOOL.resolve("node_modules").resolve("@cdktf").resolve("hcl2json"))) {
            return;
        }
        try {
            Process p = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(TOOL.toFile()).inheritIO().start();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("npm ci failed in " + TOOL + " (node and npm are needed: apt-get install nodejs npm)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A labelled block of the module ({@code resource "type" "name"}, {@code variable "name"}, ...). */
    record Decl(String file, String kind, String type, String name, JsonNode body) {
        String address() {
            return switch (kind) {
                case "resource" -> type + "." + name;
                case "data" -> "data." + type + "." + name;
                case "provider" -> "provider." + name;
                default -> kind + "." + name;
            };
        }
    }

    /** Every resource or data block, in file order; a name declared twice comes twice. */
    List<Decl> typed(String kind) {
        List<Decl> out = new ArrayList<>();
        files.forEach((file, doc) -> {
            JsonNode byType = doc.get(kind);
            if (byType == null) {
                return;
            }
            byType.fields().forEachRemaining(t -> t.getValue().fields().forEachRemaining(n ->
                    n.getValue().forEach(body -> out.add(new Decl(file, kind, t.getKey(), n.getKey(), body)))));
        });
        return out;
    }

    /** Every block with one label (variable, output, provider, module), in file order. */
    List<Decl> named(String kind) {
        List<Decl> out = new ArrayList<>();
        files.forEach((file, doc) -> {
            JsonNode byName = doc.get(kind);
            if (byName == null) {
                return;
            }
            byName.fields().forEachRemaining(n -> n.getValue().forEach(body -> out.add(new Decl(file, kind, null, n.getKey(), body))));
        });
        return out;
    }

    /** Every local value, by name (the file it is in is the first element). */
    Map<String, Map.Entry<String, JsonNode>> locals() {
        Map<String, Map.Entry<String, JsonNode>> out = new LinkedHashMap<>();
        files.forEach((file, doc) -> {
            JsonNode blocks = doc.get("locals");
            if (blocks != null) {
                blocks.forEach(b -> b.fields().forEachRemaining(e -> out.putIfAbsent(e.getKey(), Map.entry(file, e.getValue()))));
            }
        });
        return out;
    }

    /** Unlabelled top-level blocks (terraform, locals), in file order. */
    List<Map.Entry<String, JsonNode>> unlabelled(String kind) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        files.forEach((file, doc) -> {
            JsonNode blocks = doc.get(kind);
            if (blocks != null) {
                blocks.forEach(b -> out.add(Map.entry(file, b)));
            }
        });
        return out;
    }

    /** The one resource of that type and name (fails when there is none). */
    JsonNode resource(String type, String name) {
        return typed("resource").stream().filter(d -> d.type().equals(type) && d.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no resource " + type + "." + name)).body();
    }

    JsonNode data(String type, String name) {
        return typed("data").stream().filter(d -> d.type().equals(type) && d.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no data " + type + "." + name)).body();
    }

    JsonNode local(String name) {
        Map.Entry<String, JsonNode> e = locals().get(name);
        if (e == null) {
            throw new AssertionError("no local." + name);
        }
        return e.getValue();
    }

    /** True when the string is (or holds) an HCL expression rather than a literal. */
    static boolean isExpression(String s) {
        for (int i = 0; i + 1 < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '$' || c == '%') && s.charAt(i + 1) == '{') {
                if (i > 0 && s.charAt(i - 1) == c) {
                    i++; // $${ and %%{ are escapes
                    continue;
                }
                return true;
            }
        }
        return false;
    }

    /**
     * The expression inside a string that is one interpolation and nothing else
     * ({@code "${local.jvm ? 1 : 2}"} gives {@code local.jvm ? 1 : 2}), or null for a template
     * with literal text around or between interpolations.
     */
    static String wholeExpression(String s) {
        if (!s.startsWith("${") || !s.endsWith("}")) {
            return null;
        }
        int depth = 0;
        boolean quoted = false;
        for (int i = 2; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i == s.length() - 1 ? s.substring(2, i) : null;
                }
                depth--;
            }
        }
        return null;
    }

    /** An expression with the whitespace outside its string literals taken out, for comparisons. */
    static String compact(String expression) {
        StringBuilder out = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quoted) {
                out.append(c);
                if (c == '\\' && i + 1 < expression.length()) {
                    out.append(expression.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
                out.append(c);
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
