package dev.loyalty.infra;

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
 * terraform cannot be installed here, so the HCL is parsed (HashiCorp's parser, hcl2json; see
 * {@link HclModule}) and its values are held to the code: routes, function exports, the handler,
 * the table's shape, schedules, IAM rules and the release setup. Values are compared as parsed
 * (an expression with the whitespace outside its strings taken out), never as source text.
 */
class TerraformConsistencyTest {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.getParent();
    static HclModule tf;

    @BeforeAll
    static void parse() throws Exception {
        tf = HclModule.parse(MODULE);
    }

    /** A local holding a literal map, as name to value. */
    static Map<String, JsonNode> local(String name) {
        Map<String, JsonNode> out = new TreeMap<>();
        tf.local(name).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The value at a path of keys and (for blocks) indexes, e.g. at(lambda, "environment", 0, "variables"). */
    static JsonNode at(JsonNode node, Object... path) {
        JsonNode n = node;
        for (Object p : path) {
            n = p instanceof Integer i ? n.path(i) : n.path((String) p);
        }
        assertFalse(n.isMissingNode(), "no value at " + java.util.Arrays.toString(path));
        return n;
    }

    /** An expression value ("${...}") as its expression, whitespace outside strings removed. */
    static String expr(JsonNode value) {
        String whole = HclModule.wholeExpression(value.asText());
        assertTrue(whole != null, "not a single expression: " + value);
        return HclModule.compact(whole);
    }

    /** The references in an expression value, as "a.b[].c" strings. */
    static List<String> refs(JsonNode value) {
        return tf.refs.getOrDefault(value.asText(), List.of()).stream()
                .map(r -> String.join(".", r).replace(".[", "[")).toList();
    }

    /** Every string value anywhere under node (literal or expression), in order. */
    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else {
            node.forEach(n -> out.addAll(strings(n)));
        }
        return out;
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
        local("routes").forEach((k, v) -> deployed.put(k, v.asText()));
        assertEquals(expected, deployed);
        JsonNode route = tf.resource("aws_apigatewayv2_route", "route");
        assertEquals("local.routes", expr(route.get("for_each")), "a route per entry of local.routes");
        assertEquals("each.key", expr(route.get("route_key")));
        assertEquals("JWT", route.get("authorization_type").asText(), "every route sits behind the JWT authorizer");
        assertEquals("aws_apigatewayv2_authorizer.jwt.id", expr(route.get("authorizer_id")));
        assertEquals(List.of("aws_apigatewayv2_integration.function[].id", "each.value"), refs(route.get("target")),
                "each route targets the integration of its function");
        assertEquals("JWT", tf.resource("aws_apigatewayv2_authorizer", "jwt").get("authorizer_type").asText());
        JsonNode integration = tf.resource("aws_apigatewayv2_integration", "function");
        assertEquals("2.0", integration.get("payload_format_version").asText());
        assertEquals("AWS_PROXY", integration.get("integration_type").asText());
        assertEquals("aws_lambda_alias.live[each.key].invoke_arn", expr(integration.get("integration_uri")),
                "API Gateway invokes the live alias (what a release shifts)");
    }

    @Test
    void oneLambdaPerFunqFunctionWithItsExportHandlerAndLimits() throws IOException {
        Map<String, JsonNode> functions = local("functions");
        assertEquals(funqNames(), new TreeSet<>(functions.keySet()), "a Lambda for every @Funq, and no other");
        functions.forEach((name, f) -> {
            assertEquals(name, f.get("export").asText(), name);
            for (String limit : List.of("memory", "timeout_s", "concurrency")) {
                assertTrue(f.path(limit).isNumber() && f.get(limit).asDouble() > 0, name + " sets " + limit);
            }
        });
        assertEquals("io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest", tf.local("handler").asText());
        JsonNode lambda = tf.resource("aws_lambda_function", "function");
        assertEquals("local.functions", expr(lambda.get("for_each")));
        assertEquals("local.handler", expr(lambda.get("handler")));
        JsonNode env = at(lambda, "environment", 0, "variables");
        assertEquals("each.value.export", expr(env.get("QUARKUS_FUNQY_EXPORT")));
        // Every function's JIT said outright: C2 for the minute-long batch jobs (full_jit), java21's C1-only
        // default for the rest (the tier-review included).
        assertEquals("contains(local.full_jit,each.key)?\"-XX:TieredStopAtLevel=4\":\"-XX:+TieredCompilation-XX:TieredStopAtLevel=1\"",
                expr(env.get("JAVA_TOOL_OPTIONS")).replace(" ", ""));
        assertEquals("tostring(each.value.timeout_s*1000)", expr(env.get("LOYALTY_LAMBDA_TIMEOUT_MS")),
                "idempotency claims must outlive the Lambda timeout");
        assertEquals("each.value.timeout_s", expr(lambda.get("timeout")));
        assertEquals("each.value.memory", expr(lambda.get("memory_size")));
        assertEquals("each.value.concurrency", expr(lambda.get("reserved_concurrent_executions")));
        assertEquals("local.jvm?\"java21\":\"provided.al2023\"", expr(lambda.get("runtime")));
        assertEquals("var.packaging==\"jvm\"", expr(tf.local("jvm")));
        assertTrue(lambda.get("publish").asBoolean(), "every apply publishes a version");
        // The benchmark's switches never reach a deployed function (no domain events without it).
        for (String benchOnly : List.of("LOYALTY_BENCH_WITHOUT_OUTBOX", "LOYALTY_EVENTS_PUBLISH_AFTER_COMMIT")) {
            assertFalse(env.has(benchOnly), benchOnly + " is for the benchmark only");
        }
        JsonNode snapStart = at(lambda, "dynamic", "snap_start", 0);
        assertEquals("local.jvm?[1]:[]", expr(snapStart.get("for_each")), "SnapStart for JVM packaging");
        assertEquals("PublishedVersions", at(snapStart, "content", 0, "apply_on").asText(), "SnapStart on published versions");
    }

    @Test
    void theIdempotencyTableHasTheAdaptersKeyAndTtl() throws IOException {
        JsonNode table = new ObjectMapper().readTree(MODULE.resolve("tables/idempotency.json").toFile());
        String adapter = Files.readString(ROOT.resolve(
                "functions/src/main/java/dev/loyalty/functions/idempotency/DynamoDbIdempotencyStore.java"));
        assertTrue(adapter.contains("KEY = \"" + table.at("/KeySchema/0/AttributeName").asText() + "\""));
        assertTrue(adapter.contains("EXPIRES_AT_EPOCH_SECOND = \"" + table.get("TimeToLiveAttribute").asText() + "\""));
        assertEquals("jsondecode(file(\"${path.module}/tables/idempotency.json\"))", expr(tf.local("idempotency_table")));
        JsonNode t = tf.resource("aws_dynamodb_table", "idempotency");
        assertEquals("local.idempotency_table.KeySchema[0].AttributeName", expr(t.get("hash_key")));
        assertEquals("local.idempotency_table.AttributeDefinitions[0].AttributeName", expr(at(t, "attribute", 0, "name")));
        assertEquals("local.idempotency_table.AttributeDefinitions[0].AttributeType", expr(at(t, "attribute", 0, "type")));
        assertEquals("local.idempotency_table.TimeToLiveAttribute", expr(at(t, "ttl", 0, "attribute_name")));
        assertTrue(at(t, "ttl", 0, "enabled").isBoolean() && at(t, "ttl", 0, "enabled").asBoolean(), "TTL on");
        assertEquals("PAY_PER_REQUEST", t.get("billing_mode").asText());
        assertTrue(at(t, "point_in_time_recovery", 0, "enabled").isBoolean()
                && at(t, "point_in_time_recovery", 0, "enabled").asBoolean(), "point-in-time recovery enabled");
        assertTrue(at(t, "server_side_encryption", 0, "enabled").isBoolean()
                && at(t, "server_side_encryption", 0, "enabled").asBoolean(), "encrypted with a KMS key");
    }

    @Test
    void schedulesUseTheCronOfTheApplicationConfig() throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve("functions/src/main/resources/application.properties"))) {
            props.load(r);
        }
        Map<String, String> deployed = new TreeMap<>();
        local("schedules").forEach((k, v) -> deployed.put(k, v.asText()));
        Map<String, String> configured = new TreeMap<>();
        for (String job : List.of("expire-sweep", "reconcile", "tier-review", "outbox-relay", "notices", "report-rollup")) {
            configured.put(job, eventBridge(props.getProperty(jobKey(job) + ".cron")));
        }
        assertEquals(configured, deployed);
        JsonNode schedule = tf.resource("aws_scheduler_schedule", "job");
        assertEquals("local.schedules", expr(schedule.get("for_each")));
        assertEquals("each.value", expr(schedule.get("schedule_expression")));
        assertEquals("var.program_time_zone", expr(schedule.get("schedule_expression_timezone")));
        // tier-review's alarm watches the metric its Lambda writes (ScheduledFunctions#tierReview).
        JsonNode review = tf.resource("aws_cloudwatch_metric_alarm", "tier_review_unfinished");
        assertEquals("TierReviewUnfinished", review.get("metric_name").asText());
        assertEquals("LoyaltyLedger", review.get("namespace").asText());
        assertEquals("breaching", review.get("treat_missing_data").asText());
        assertEquals("aws_lambda_alias.live[each.key].arn", expr(at(schedule, "target", 0, "arn")));
        // report-rollup's alarm watches the metric its Lambda writes (ScheduledFunctions#reportRollup).
        JsonNode rollup = tf.resource("aws_cloudwatch_metric_alarm", "report_rollup_behind");
        assertEquals("ReportRollupBehind", rollup.get("metric_name").asText());
        assertEquals("report-rollup", rollup.get("dimensions").get("Function").asText());
        assertEquals("LoyaltyLedger", rollup.get("namespace").asText());
        assertEquals("breaching", rollup.get("treat_missing_data").asText());
    }

    @Test
    void onlyTheEventPublishersMayPutEventsAndOnlyOnTheBus() {
        JsonNode doc = tf.data("aws_iam_policy_document", "function");
        JsonNode put = null;
        for (JsonNode d : doc.path("dynamic").path("statement")) {
            JsonNode content = d.get("content").get(0);
            if (content.path("sid").asText().equals("PublishEvents")) {
                put = d;
            }
        }
        assertTrue(put != null, "a PublishEvents statement");
        JsonNode content = put.get("content").get(0);
        assertEquals(List.of("events:PutEvents"), List.of(content.get("actions").get(0).asText()));
        assertEquals("aws_cloudwatch_event_bus.loyalty.arn", expr(content.get("resources").get(0)));
        assertEquals("contains(local.publishes_events,each.key)?[1]:[]", expr(put.get("for_each")));
        List<String> publishers = new ArrayList<>();
        tf.local("publishes_events").forEach(v -> publishers.add(v.asText()));
        assertEquals(List.of("earn", "earn-queue", "redeem", "reports", "outbox-relay", "notices"), publishers);
        JsonNode lambda = tf.resource("aws_lambda_function", "function");
        assertEquals("aws_cloudwatch_event_bus.loyalty.name", expr(at(lambda, "environment", 0, "variables").get("LOYALTY_EVENT_BUS")));
        JsonNode alarm = tf.resource("aws_cloudwatch_metric_alarm", "outbox_oldest_unpublished");
        assertEquals("OutboxOldestUnpublishedAgeSeconds", alarm.get("metric_name").asText());
        assertEquals("LoyaltyLedger", alarm.get("namespace").asText());
    }

    @Test
    void eachJobStopsStartingWorkWellBeforeItsLambdaTimesOut() throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve("functions/src/main/resources/application.properties"))) {
            props.load(r);
        }
        for (String job : List.of("expire-sweep", "reconcile", "tier-review", "outbox-relay", "notices", "report-rollup")) {
            long budgetMs = Long.parseLong(props.getProperty(jobKey(job) + ".time-budget-ms"));
            JsonNode fn = local("functions").get(job);
            long timeoutMs = fn.get("timeout_s").asLong() * 1000;
            // The last unit of work started just before the budget runs out must still finish.
            assertTrue(budgetMs <= timeoutMs * 3 / 4, job + ": budget " + budgetMs + " ms vs timeout " + timeoutMs + " ms");
        }
    }

    /** Where a job's cron and time budget live in application.properties. */
    static String jobKey(String job) {
        return switch (job) {
            case "outbox-relay" -> "loyalty.events.relay";
            case "notices" -> "loyalty.notices";
            default -> "loyalty.schedules." + job;
        };
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
        JsonNode lambda = tf.resource("aws_lambda_function", "function");
        assertEquals("aws_iam_role.function[each.key].arn", expr(lambda.get("role")), "each function is wired to its own role");
        JsonNode role = tf.resource("aws_iam_role", "function");
        assertEquals("local.functions", expr(role.get("for_each")), "one role per function");
        assertEquals("${local.name}-${each.key}", role.get("name").asText());
        JsonNode policy = tf.resource("aws_iam_role_policy", "function");
        assertEquals("aws_iam_role.function[each.key].id", expr(policy.get("role")));
        assertEquals("data.aws_iam_policy_document.function[each.key].json", expr(policy.get("policy")));
        // Every statement of every policy document, static or dynamic: its actions are literal
        // names, or a local whose values are, and none is a wildcard.
        int statements = 0;
        for (HclModule.Decl doc : tf.typed("data")) {
            if (!doc.type().equals("aws_iam_policy_document")) {
                continue;
            }
            List<JsonNode> all = new ArrayList<>();
            doc.body().path("statement").forEach(all::add);
            doc.body().path("dynamic").path("statement").forEach(d -> all.add(d.get("content").get(0)));
            for (JsonNode st : all) {
                statements++;
                JsonNode actions = st.get("actions");
                List<String> names = new ArrayList<>();
                if (actions.isArray()) {
                    actions.forEach(a -> names.add(a.asText()));
                } else {
                    assertEquals("local.dynamodb_actions[each.key]", expr(actions), doc.address());
                    local("dynamodb_actions").values().forEach(v -> v.forEach(a -> names.add(a.asText())));
                }
                for (String a : names) {
                    assertFalse(HclModule.isExpression(a), doc.address() + ": actions are literal: " + a);
                    assertFalse(a.equals("*") || a.endsWith(":*") || a.contains("*"), doc.address() + ": no wildcard action: " + a);
                }
            }
        }
        assertTrue(statements >= 8, "policy statements were found and checked: " + statements);
    }

    @Test
    void leastPrivilegeNoFunctionMayDeleteFromTheTable() {
        Map<String, JsonNode> actions = local("dynamodb_actions");
        assertEquals(local("functions").keySet(), actions.keySet(), "every function's table rights are explicit");
        List<String> all = new ArrayList<>();
        actions.values().forEach(v -> v.forEach(a -> all.add(a.asText())));
        assertFalse(all.stream().anyMatch(a -> a.contains("Delete")), "claims are released in place, never deleted");
        assertTrue(actions.get("balance").isEmpty(), "reads need no table rights");
        JsonNode mapping = tf.resource("aws_lambda_event_source_mapping", "earn");
        assertEquals(List.of("ReportBatchItemFailures"), strings(mapping.get("function_response_types")));
        assertEquals("aws_lambda_alias.live[\"earn-queue\"].arn", expr(mapping.get("function_name")));
        JsonNode queue = tf.resource("aws_sqs_queue", "earn");
        assertEquals(List.of("aws_sqs_queue.earn_dlq.arn", "var.sqs_max_receive_count"), refs(queue.get("redrive_policy")),
                "the earn queue redrives to its DLQ after sqs_max_receive_count receives");
        assertTrue(HclModule.compact(queue.get("redrive_policy").asText()).contains("maxReceiveCount=var.sqs_max_receive_count"));
    }

    /**
     * The daily issued-points alarm watches the metric the reconcile job writes (names read from
     * the code), with the threshold the functions are given; the reports (and that check) read the
     * proxy's read-only endpoint, the variable the configuration reads.
     */
    @Test
    void theDailyIssuedAlarmWatchesWhatReconcileWritesAndReportsReadTheReadOnlyEndpoint() throws IOException {
        String check = Files.readString(ROOT.resolve("functions/src/main/java/dev/loyalty/functions/reports/DailyIssuedCheck.java"));
        Matcher anomaly = Pattern.compile("ANOMALY_METRIC = \"([A-Za-z]+)\"").matcher(check);
        assertTrue(anomaly.find(), "DailyIssuedCheck names its anomaly metric");
        String scheduled = Files.readString(ROOT.resolve("functions/src/main/java/dev/loyalty/functions/schedule/ScheduledFunctions.java"));
        assertTrue(scheduled.contains("dailyIssued.emitYesterdaySafely(\"reconcile\")"), "reconcile writes the daily check");
        JsonNode alarm = tf.resource("aws_cloudwatch_metric_alarm", "daily_issued_anomaly");
        assertEquals(anomaly.group(1), alarm.get("metric_name").asText());
        assertEquals("LoyaltyLedger", alarm.get("namespace").asText());
        assertEquals("reconcile", alarm.get("dimensions").get("Function").asText());
        assertEquals("GreaterThanThreshold", alarm.get("comparison_operator").asText());
        assertEquals(0, alarm.get("threshold").asInt());

        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve("functions/src/main/resources/application.properties"))) {
            props.load(r);
        }
        Matcher pct = Pattern.compile("\\$\\{([A-Z_]+):(\\d+)}").matcher(props.getProperty("loyalty.alerts.daily-issued-deviation-pct"));
        assertTrue(pct.matches(), "the threshold is an environment variable with a default");
        String pctDefault = tf.named("variable").stream().filter(v -> v.name().equals("daily_issued_deviation_pct"))
                .findFirst().orElseThrow().body().get("default").asText();
        assertEquals(pct.group(2), pctDefault, "Terraform's default is the code's");
        JsonNode env = at(tf.resource("aws_lambda_function", "function"), "environment", 0, "variables");
        assertEquals("tostring(var.daily_issued_deviation_pct)", expr(env.get(pct.group(1))));

        assertEquals("${LOYALTY_DB_READ_URL:}", props.getProperty("loyalty.db.read-url"));
        assertEquals("contains(local.reads_replica,each.key)?\"postgresql://${aws_db_proxy_endpoint.read_only.endpoint}"
                + ":5432/loyalty?sslmode=require\":\"\"", expr(env.get("LOYALTY_DB_READ_URL")));
        List<String> readers = new ArrayList<>();
        tf.local("reads_replica").forEach(v -> readers.add(v.asText()));
        assertEquals(List.of("reports", "reconcile"), readers);
        JsonNode endpoint = tf.resource("aws_db_proxy_endpoint", "read_only");
        assertEquals("READ_ONLY", endpoint.get("target_role").asText());
        assertEquals("aws_db_proxy.ledger.name", expr(endpoint.get("db_proxy_name")));
    }

    @Test
    void onlyMigrateConnectsAsTheSchemaOwner() throws IOException {
        Map<String, String> logins = new TreeMap<>();
        local("db_login").forEach((k, v) -> logins.put(k, v.asText()));
        assertEquals(local("functions").keySet(), logins.keySet(), "every function's database login is explicit");
        Map<String, String> owners = new TreeMap<>(logins);
        owners.values().removeIf(v -> !"owner".equals(v));
        assertEquals(Set.of("migrate"), owners.keySet(), "only migrate holds DDL rights");
        assertTrue(logins.values().stream().allMatch(v -> "owner".equals(v) || "app".equals(v)));
        // The secret a Lambda gets, and may read, follows db_login.
        JsonNode env = at(tf.resource("aws_lambda_function", "function"), "environment", 0, "variables");
        assertEquals("local.db_login[each.key]==\"owner\"?aws_rds_cluster.ledger.master_user_secret[0].secret_arn"
                + ":aws_secretsmanager_secret.app_db.arn", expr(env.get("LOYALTY_DB_SECRET_ARN")));
        assertEquals("local.db_login[each.key]==\"owner\"?aws_secretsmanager_secret.app_db.arn:\"\"",
                expr(env.get("LOYALTY_APP_DB_SECRET_ARN")));
        JsonNode secretStatement = null;
        for (JsonNode st : tf.data("aws_iam_policy_document", "function").get("statement")) {
            if ("DatabaseSecret".equals(st.path("sid").asText())) {
                secretStatement = st;
            }
        }
        assertTrue(secretStatement != null, "each function's policy has a DatabaseSecret statement");
        assertEquals("local.db_login[each.key]==\"owner\"?[aws_rds_cluster.ledger.master_user_secret[0].secret_arn,"
                + "aws_secretsmanager_secret.app_db.arn]:[aws_secretsmanager_secret.app_db.arn]", expr(secretStatement.get("resources")));
        int ownerSecretRefs = 0;
        for (JsonNode doc : tf.files.values()) {
            for (String v : strings(doc)) {
                for (List<String> r : tf.refs.getOrDefault(v, List.of())) {
                    if (r.size() > 2 && r.get(0).equals("aws_rds_cluster") && r.get(2).equals("master_user_secret")) {
                        ownerSecretRefs++;
                    }
                }
            }
        }
        assertEquals(4, ownerSecretRefs,
                "the owner secret is referenced only by the proxy (policy, auth), migrate's env and migrate's policy");
        // The app login's grants exist in the migrations the migrate Lambda runs.
        String v5 = Files.readString(ROOT.resolve("functions/src/main/resources/db/migration/V5__app_role.sql"))
                .replaceAll("(?m)--.*$", "");
        assertTrue(v5.contains("CREATE ROLE loyalty_app NOLOGIN"));
        assertFalse(v5.toUpperCase(java.util.Locale.ROOT).matches("(?s).*GRANT[^;]*\\b(DELETE|TRUNCATE|ALL)\\b[^;]*;.*"),
                "no DELETE, TRUNCATE or ALL is granted to the functions");
        List<String> proxySecrets = new ArrayList<>();
        tf.resource("aws_db_proxy", "ledger").get("auth").forEach(a -> proxySecrets.add(expr(a.get("secret_arn"))));
        assertEquals(List.of("aws_rds_cluster.ledger.master_user_secret[0].secret_arn", "aws_secretsmanager_secret.app_db.arn"),
                proxySecrets, "the proxy logs in as the owner (migrate) and as the functions' user");
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
        JsonNode lambda = tf.resource("aws_lambda_function", "function");
        assertEquals("${var.artifact_dir}/${each.key}.zip", lambda.get("filename").asText());
        assertEquals("filebase64sha256(\"${var.artifact_dir}/${each.key}.zip\")", expr(lambda.get("source_code_hash")));
    }

    /**
     * Releases: an apply publishes, CodeDeploy moves each live alias (canary for what takes
     * traffic, all at once for the scheduled jobs) and rolls back on the function's error-rate
     * alarm, which watches the alias.
     */
    @Test
    void everyFunctionIsReleasedByCodeDeployAndRolledBackOnItsErrorRateAlarm() {
        Map<String, JsonNode> configs = local("deployment_config");
        assertEquals(local("functions").keySet(), configs.keySet(), "every function has a release configuration");
        JsonNode alias = tf.resource("aws_lambda_alias", "live");
        List<String> ignored = strings(at(alias, "lifecycle", 0, "ignore_changes")).stream()
                .map(v -> HclModule.compact(HclModule.wholeExpression(v))).toList();
        assertEquals(List.of("function_version", "routing_config"), ignored, "an apply never moves the alias; a release does");

        Set<String> takesTraffic = new TreeSet<>();
        ApiRoutes.SERVED.forEach(r -> takesTraffic.add(r.function()));
        takesTraffic.add("earn-queue");
        String canaryDefault = tf.named("variable").stream().filter(v -> v.name().equals("release_canary_config"))
                .findFirst().orElseThrow().body().get("default").asText();
        assertTrue(canaryDefault.matches("CodeDeployDefault\\.Lambda(Canary|Linear)\\d+Percent.*"), canaryDefault);
        configs.forEach((fn, config) -> {
            if (takesTraffic.contains(fn)) {
                assertEquals("var.release_canary_config", expr(config), fn + " takes traffic: released as a canary");
            } else {
                assertEquals("CodeDeployDefault.LambdaAllAtOnce", config.asText(), fn + " runs on a schedule or once per release");
            }
        });

        assertEquals("Lambda", tf.resource("aws_codedeploy_app", "functions").get("compute_platform").asText());
        JsonNode group = tf.resource("aws_codedeploy_deployment_group", "function");
        assertEquals("local.functions", expr(group.get("for_each")));
        assertEquals("each.key", expr(group.get("deployment_group_name")), "./release names the group after the function");
        assertEquals("local.deployment_config[each.key]", expr(group.get("deployment_config_name")));
        assertEquals("BLUE_GREEN", at(group, "deployment_style", 0, "deployment_type").asText());
        assertEquals("WITH_TRAFFIC_CONTROL", at(group, "deployment_style", 0, "deployment_option").asText());
        assertTrue(at(group, "alarm_configuration", 0, "enabled").asBoolean());
        assertEquals(List.of("${aws_cloudwatch_metric_alarm.function_error_rate[each.key].alarm_name}"),
                strings(at(group, "alarm_configuration", 0, "alarms")), "each group watches its own function's error rate");
        assertTrue(at(group, "auto_rollback_configuration", 0, "enabled").asBoolean());
        assertTrue(strings(at(group, "auto_rollback_configuration", 0, "events")).containsAll(
                List.of("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")), "an alarm during the shift rolls back");

        JsonNode alarm = tf.resource("aws_cloudwatch_metric_alarm", "function_error_rate");
        assertEquals("local.functions", expr(alarm.get("for_each")));
        assertEquals("var.release_error_rate_percent", expr(alarm.get("threshold")));
        Map<String, JsonNode> queries = new TreeMap<>();
        alarm.get("metric_query").forEach(q -> queries.put(q.get("id").asText(), q));
        assertEquals(Set.of("rate", "errors", "invocations"), queries.keySet());
        assertTrue(queries.get("rate").get("return_data").asBoolean());
        assertEquals("IF(invocations > 0, 100 * errors / invocations, 0)", queries.get("rate").get("expression").asText());
        for (String id : List.of("errors", "invocations")) {
            JsonNode metric = at(queries.get(id), "metric", 0);
            assertEquals("AWS/Lambda", metric.get("namespace").asText());
            assertEquals(id.equals("errors") ? "Errors" : "Invocations", metric.get("metric_name").asText());
            assertEquals("${aws_lambda_function.function[each.key].function_name}:live",
                    at(metric, "dimensions", "Resource").asText(), "the alarm watches the live alias, which serves the canary");
        }
    }
}
