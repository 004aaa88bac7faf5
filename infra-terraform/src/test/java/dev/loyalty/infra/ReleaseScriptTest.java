package dev.loyalty.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * infra-terraform/release against stand-ins for terraform and the AWS CLI that record every call:
 * what it asks AWS to do, in which order. (That CodeDeploy shifts and rolls back as configured is
 * AWS's part; only a real account shows it.)
 */
class ReleaseScriptTest {
    static final Path SCRIPT = Path.of("").toAbsolutePath().resolve("release");
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, List<String> calls) { }

    /** Functions at live versions: balance is current (3), earn and migrate are behind (4 -> 5). */
    Run run(Path dir, String migrateError, String deploymentStatus, String... args) throws Exception {
        Path log = dir.resolve("calls.log");
        script(dir.resolve("terraform"), """
                case "$*" in
                  "output -raw codedeploy_app") echo loyalty-prod ;;
                  "output -raw release_versions") printf 'balance loyalty-prod-balance 3\\nearn loyalty-prod-earn 5\\nmigrate loyalty-prod-migrate 5' ;;
                  *) exit 3 ;;
                esac
                """);
        script(dir.resolve("aws"), """
                echo "aws $*" >> "$LOG"
                case "$1 $2" in
                  "lambda get-alias") case "$4" in *balance) echo 3 ;; *) echo 4 ;; esac ;;
                  "lambda invoke") echo '{"migrated":true}' > "${@: -1}"; echo "$MIGRATE_ERROR" ;;
                  "lambda list-versions-by-function") printf '$LATEST\\t1\\t2\\t3\\t4\\t5\\n' ;;
                  "deploy create-deployment") echo "input $(cat "${4#file://}")" >> "$LOG"; echo "d-$(grep -c create-deployment "$LOG")" ;;
                  "deploy wait") exit 0 ;;
                  "deploy get-deployment") echo "$DEPLOYMENT_STATUS" ;;
                  "deploy list-deployments") printf 'd-7\\td-8\\n' ;;
                  "deploy stop-deployment") echo '{}' ;;
                  *) exit 3 ;;
                esac
                """);
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TERRAFORM", dir.resolve("terraform").toString());
        pb.environment().put("AWS_CLI", dir.resolve("aws").toString());
        pb.environment().put("LOG", log.toString());
        pb.environment().put("MIGRATE_ERROR", migrateError);
        pb.environment().put("DEPLOYMENT_STATUS", deploymentStatus);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Run(p.exitValue(), out, calls);
    }

    static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static JsonNode appSpec(String inputLine) throws IOException {
        JsonNode input = JSON.readTree(inputLine.substring("input ".length()));
        return JSON.readTree(input.at("/revision/appSpecContent/content").asText());
    }

    @Test
    void migrateRunsOnItsNewVersionFirstThenEveryAliasBehindIsShiftedByItsDeploymentGroup(@TempDir Path dir) throws Exception {
        Run run = run(dir, "None", "Succeeded");
        assertEquals(0, run.exit(), run.out());
        List<String> calls = run.calls();
        int invoke = indexOf(calls, "aws lambda invoke --function-name loyalty-prod-migrate --qualifier 5");
        int firstDeployment = indexOf(calls, "aws deploy create-deployment");
        assertTrue(invoke >= 0 && invoke < firstDeployment, "migrate runs before any alias moves:\n" + String.join("\n", calls));
        List<JsonNode> inputs = new ArrayList<>();
        List<JsonNode> specs = new ArrayList<>();
        for (String c : calls) {
            if (c.startsWith("input ")) {
                inputs.add(JSON.readTree(c.substring(6)));
                specs.add(appSpec(c));
            }
        }
        assertEquals(2, inputs.size(), "balance is already live: only migrate and earn are deployed\n" + run.out());
        assertEquals("migrate", inputs.get(0).get("deploymentGroupName").asText());
        assertEquals("earn", inputs.get(1).get("deploymentGroupName").asText());
        assertEquals("loyalty-prod", inputs.get(1).get("applicationName").asText());
        assertTrue(inputs.get(1).path("deploymentConfigName").isMissingNode(), "a release uses the group's (canary) config");
        JsonNode earn = specs.get(1).at("/Resources/0/function/Properties");
        assertEquals("loyalty-prod-earn", earn.get("Name").asText());
        assertEquals("live", earn.get("Alias").asText());
        assertEquals("4", earn.get("CurrentVersion").asText());
        assertEquals("5", earn.get("TargetVersion").asText());
        assertTrue(run.out().contains("earn: deployment d-2 Succeeded"), run.out());
    }

    @Test
    void aFailingMigrationMovesNoAlias(@TempDir Path dir) throws Exception {
        Run run = run(dir, "Unhandled", "Succeeded");
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.calls().stream().noneMatch(c -> c.contains("create-deployment")), String.join("\n", run.calls()));
        assertTrue(run.out().contains("migrate version 5 failed"), run.out());
    }

    @Test
    void aDeploymentThatDoesNotSucceedFailsTheRelease(@TempDir Path dir) throws Exception {
        Run run = run(dir, "None", "Stopped");
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("moved those aliases back"), run.out());
    }

    @Test
    void rollbackMovesTheAliasAtOnceToTheVersionBeforeLive(@TempDir Path dir) throws Exception {
        Run run = run(dir, "None", "Succeeded", "rollback", "earn");
        assertEquals(0, run.exit(), run.out());
        String input = run.calls().stream().filter(c -> c.startsWith("input ")).findFirst().orElseThrow();
        JsonNode props = appSpec(input).at("/Resources/0/function/Properties");
        assertEquals("4", props.get("CurrentVersion").asText());
        assertEquals("3", props.get("TargetVersion").asText());
        assertEquals("CodeDeployDefault.LambdaAllAtOnce", JSON.readTree(input.substring(6)).get("deploymentConfigName").asText());
    }

    @Test
    void stopStopsEveryRunningDeploymentWithRollback(@TempDir Path dir) throws Exception {
        Run run = run(dir, "None", "Succeeded", "stop");
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.calls().contains("aws deploy stop-deployment --deployment-id d-7 --auto-rollback-enabled"), run.out());
        assertTrue(run.calls().contains("aws deploy stop-deployment --deployment-id d-8 --auto-rollback-enabled"), run.out());
    }

    static int indexOf(List<String> calls, String prefix) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
