package dev.loyalty.infra;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * terraform cannot be installed here, so the HCL is parsed (hcl4j) and held to the code:
 * routes, function exports, the handler, the table's shape, schedules and IAM rules.
 */
class TerraformConsistencyTest {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.getParent();
    static Map<String, Object> locals;
    static Map<String, Map<String, Object>> resources;
    static String allHcl;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws Exception {
        locals = new LinkedHashMap<>();
        resources = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(MODULE)) {
            for (Path tf : files.filter(p -> p.toString().endsWith(".tf")).sorted().toList()) {
                text.append(Files.readString(tf)).append('\n');
                Map<String, Object> parsed = new HCLParser().parse(tf.toFile(), "UTF-8");
                if (parsed.get("locals") instanceof Map<?, ?> l) {
                    locals.putAll((Map<String, Object>) l);
                }
                if (parsed.get("resource") instanceof Map<?, ?> r) {
                    ((Map<String, Map<String, Object>>) r).forEach((type, byName) ->
                            resources.computeIfAbsent(type, k -> new LinkedHashMap<>()).putAll(byName));
                }
            }
        }
        allHcl = text.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> local(String name) {
        return (Map<String, Object>) locals.get(name);
    }

    /** The @Funq names in the functions' source: what QUARKUS_FUNQY_EXPORT may name. */
    static Set<String> funqNames() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern funq = Pattern.compile("@Funq\\(\"([^\"]+)\"\\)");
        try (Stream<Path> files = Files.walk(ROOT.resolve("functions/src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = funq.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void everyServedRouteIsDeployedToItsFunctionAndNothingElse() {
        Map<String, String> expected = new TreeMap<>();
        for (ApiRoute r : ApiRoutes.SERVED) {
            expected.put(r.routeKey(), r.function());
        }
        Map<String, String> deployed = new TreeMap<>();
        local("routes").forEach((k, v) -> deployed.put(k, String.valueOf(v)));
        assertEquals(expected, deployed);
        assertTrue(resources.get("aws_apigatewayv2_route").containsKey("route"));
        assertTrue(allHcl.contains("authorization_type = \"JWT\""), "every route sits behind the JWT authorizer");
        assertTrue(allHcl.contains("payload_format_version = \"2.0\""));
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneLambdaPerFunqFunctionWithItsExportHandlerAndLimits() throws IOException {
        Map<String, Object> functions = local("functions");
        assertEquals(funqNames(), new TreeSet<>(functions.keySet()), "a Lambda for every @Funq, and no other");
        functions.forEach((name, spec) -> {
            Map<String, Object> f = (Map<String, Object>) spec;
            assertEquals(name, f.get("export"), name);
            for (String limit : List.of("memory", "timeout_s", "concurrency")) {
                assertTrue(f.get(limit) instanceof Number n && n.doubleValue() > 0, name + " sets " + limit);
            }
        });
        assertEquals("io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest", locals.get("handler"));
        Map<String, Object> lambda = (Map<String, Object>) resources.get("aws_lambda_function").get("function");
        Map<String, Object> env = (Map<String, Object>) ((Map<String, Object>) lambda.get("environment")).get("variables");
        assertTrue(env.containsKey("QUARKUS_FUNQY_EXPORT"));
        assertTrue(env.containsKey("LOYALTY_LAMBDA_TIMEOUT_MS"), "idempotency claims must outlive the Lambda timeout");
        assertTrue(allHcl.contains("runtime                        = local.jvm ? \"java21\" : \"provided.al2023\""));
        assertTrue(allHcl.contains("apply_on = \"PublishedVersions\""), "SnapStart on published versions");
    }

    @Test
    void theIdempotencyTableHasTheAdaptersKeyAndTtl() throws IOException {
        JsonNode table = new ObjectMapper().readTree(MODULE.resolve("tables/idempotency.json").toFile());
        String adapter = Files.readString(ROOT.resolve(
                "functions/src/main/java/dev/loyalty/functions/idempotency/DynamoDbIdempotencyStore.java"));
        assertTrue(adapter.contains("KEY = \"" + table.at("/KeySchema/0/AttributeName").asText() + "\""));
        assertTrue(adapter.contains("EXPIRES_AT_EPOCH_SECOND = \"" + table.get("TimeToLiveAttribute").asText() + "\""));
        assertTrue(allHcl.contains("jsondecode(file(\"${path.module}/tables/idempotency.json\"))"));
        assertTrue(allHcl.contains("billing_mode = \"PAY_PER_REQUEST\""));
        assertTrue(allHcl.contains("point_in_time_recovery"));
        assertTrue(allHcl.contains("server_side_encryption"));
    }

    @Test
    void schedulesUseTheCronOfTheApplicationConfig() throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve("functions/src/main/resources/application.properties"))) {
            props.load(r);
        }
        Map<String, String> deployed = new TreeMap<>();
        local("schedules").forEach((k, v) -> deployed.put(k, String.valueOf(v)));
        Map<String, String> configured = new TreeMap<>();
        for (String job : List.of("expire-sweep", "reconcile")) {
            configured.put(job, eventBridge(props.getProperty("loyalty.schedules." + job + ".cron")));
        }
        assertEquals(configured, deployed);
        assertTrue(allHcl.contains("schedule_expression_timezone = var.program_time_zone"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachJobStopsStartingWorkWellBeforeItsLambdaTimesOut() throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve("functions/src/main/resources/application.properties"))) {
            props.load(r);
        }
        for (String job : List.of("expire-sweep", "reconcile")) {
            long budgetMs = Long.parseLong(props.getProperty("loyalty.schedules." + job + ".time-budget-ms"));
            Map<String, Object> fn = (Map<String, Object>) local("functions").get(job);
            long timeoutMs = ((Number) fn.get("timeout_s")).longValue() * 1000;
            // The last unit of work started just before the budget runs out must still finish.
            assertTrue(budgetMs <= timeoutMs * 3 / 4, job + ": budget " + budgetMs + " ms vs timeout " + timeoutMs + " ms");
        }
    }

    /** Quartz "sec min hour dom month dow" to EventBridge "cron(min hour dom month dow year)". */
    static String eventBridge(String quartz) {
        String[] f = quartz.trim().split("\\s+");
        assertEquals("0", f[0], "EventBridge has no seconds field");
        return "cron(" + f[1] + " " + f[2] + " " + f[3] + " " + f[4] + " " + f[5] + " *)";
    }

    @Test
    void everyOpenApiRouteHasAnApiGatewayRouteAndTheReverse() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(ROOT.resolve("functions/src/main/resources/openapi/loyalty-api.json").toFile());
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(
                m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
        assertEquals(documented, new TreeSet<>(local("routes").keySet()));
    }

    @Test
    void everyLambdaHasItsOwnRoleAndNoPolicyUsesWildcardActions() {
        assertTrue(allHcl.contains("role                           = aws_iam_role.function[each.key].arn"),
                "each function is wired to its own role");
        assertTrue(resources.get("aws_iam_role").containsKey("function"));
        assertTrue(allHcl.contains("for_each           = local.functions\n  name               = \"${local.name}-${each.key}\"")
                || allHcl.contains("name               = \"${local.name}-${each.key}\""), "one role per function");
        Matcher actions = Pattern.compile("actions\\s*=\\s*\\[([^\\]]*)\\]").matcher(allHcl);
        int seen = 0;
        while (actions.find()) {
            seen++;
            assertFalse(actions.group(1).contains("\"*\"") || actions.group(1).contains(":*\""),
                    "no wildcard action: " + actions.group(1));
        }
        assertTrue(seen >= 5, "policy documents were found and checked: " + seen);
        assertFalse(allHcl.contains("\"dynamodb:*\"") || allHcl.contains("\"sqs:*\"") || allHcl.contains("\"lambda:*\""));
    }

    @Test
    @SuppressWarnings("unchecked")
    void leastPrivilegeNoFunctionMayDeleteFromTheTable() {
        Map<String, Object> actions = local("dynamodb_actions");
        assertEquals(local("functions").keySet(), actions.keySet(), "every function's table rights are explicit");
        List<String> all = new ArrayList<>();
        actions.values().forEach(v -> all.addAll((List<String>) v));
        assertFalse(all.stream().anyMatch(a -> a.contains("Delete")), "claims are released in place, never deleted");
        assertTrue(((List<String>) actions.get("balance")).isEmpty(), "reads need no table rights");
        assertTrue(allHcl.contains("function_response_types            = [\"ReportBatchItemFailures\"]"));
        assertTrue(allHcl.contains("maxReceiveCount"));
    }

    @Test
    void onlyMigrateConnectsAsTheSchemaOwner() throws IOException {
        Map<String, Object> logins = local("db_login");
        assertEquals(local("functions").keySet(), logins.keySet(), "every function's database login is explicit");
        Map<String, Object> owners = new TreeMap<>(logins);
        owners.values().removeIf(v -> !"owner".equals(v));
        assertEquals(Set.of("migrate"), owners.keySet(), "only migrate holds DDL rights");
        assertTrue(logins.values().stream().allMatch(v -> "owner".equals(v) || "app".equals(v)));
        // The secret a Lambda gets, and may read, follows db_login.
        assertTrue(allHcl.contains("LOYALTY_DB_SECRET_ARN       = local.db_login[each.key] == \"owner\" ? "
                + "aws_rds_cluster.ledger.master_user_secret[0].secret_arn : aws_secretsmanager_secret.app_db.arn"));
        assertTrue(allHcl.contains("resources = local.db_login[each.key] == \"owner\" ? "
                + "[aws_rds_cluster.ledger.master_user_secret[0].secret_arn, aws_secretsmanager_secret.app_db.arn]"
                + " : [aws_secretsmanager_secret.app_db.arn]"));
        assertEquals(4, allHcl.split("master_user_secret\\[0\\]\\.secret_arn", -1).length - 1,
                "the owner secret is referenced only by the proxy (policy, auth), migrate's env and migrate's policy");
        // The app login's grants exist in the migrations the migrate Lambda runs.
        String v5 = Files.readString(ROOT.resolve("functions/src/main/resources/db/migration/V5__app_role.sql"))
                .replaceAll("(?m)--.*$", "");
        assertTrue(v5.contains("CREATE ROLE loyalty_app NOLOGIN"));
        assertFalse(v5.toUpperCase(java.util.Locale.ROOT).matches("(?s).*GRANT[^;]*\\b(DELETE|TRUNCATE|ALL)\\b[^;]*;.*"),
                "no DELETE, TRUNCATE or ALL is granted to the functions");
        assertTrue(resources.get("aws_db_proxy").get("ledger").toString().contains("app_db"),
                "the proxy can log in as the functions' user");
    }

    @Test
    void everyLambdaDeploysItsOwnZipThatTheBuildProduces() throws IOException {
        String pom = Files.readString(ROOT.resolve("functions/pom.xml"));
        Matcher zips = Pattern.compile("tofile=\"\\$\\{project.build.directory}/lambda/([a-z-]+)\\.zip\"").matcher(pom);
        Set<String> built = new TreeSet<>();
        while (zips.find()) {
            built.add(zips.group(1));
        }
        assertEquals(new TreeSet<>(local("functions").keySet()), built, "a zip per Lambda, and no zip without one");
        assertTrue(allHcl.contains("filename                       = \"${var.artifact_dir}/${each.key}.zip\""));
        assertTrue(allHcl.contains("source_code_hash               = filebase64sha256(\"${var.artifact_dir}/${each.key}.zip\")"));
    }
}
