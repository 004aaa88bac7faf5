package dev.loyalty.infra;

import dev.loyalty.infra.TerraformValidator.Check;
import dev.loyalty.infra.TerraformValidator.Finding;
import dev.loyalty.infra.TerraformValidator.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The .tf files against the real AWS provider's schema (hashicorp/aws 5.100.0, from the jsii
 * assembly of @cdktf/provider-aws 20.1.0), parsed by HashiCorp's HCL parser (hcl2json as WASM):
 * what {@code terraform validate} would check, without the terraform binary.
 */
class TerraformSchemaTest {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path SEEDED = MODULE.resolve("src/test/resources/terraform/seeded");
    static ProviderSchema schema;

    @BeforeAll
    static void load() throws IOException {
        schema = ProviderSchema.load();
    }

    @Test
    void everyBlockOfTheModuleMatchesTheProviderSchemaAndEveryReferenceResolves() throws IOException {
        HclModule module = HclModule.parse(MODULE);
        Result result = TerraformValidator.validate(module, schema);
        System.out.println("terraform schema check (" + schema.generatedBy + "; " + schema.typeCount("resource")
                + " resource and " + schema.typeCount("data") + " data source types known): "
                + module.files.size() + " files, " + result.stats());
        assertEquals("", result.findings().stream().map(Finding::toString).collect(Collectors.joining("\n")));
        // not vacuous: the module's blocks, nesting and references were all walked
        assertTrue(result.stats().resources >= 40, result.stats().toString());
        assertTrue(result.stats().data >= 5, result.stats().toString());
        assertTrue(result.stats().providers >= 1, result.stats().toString());
        assertTrue(result.stats().dynamicBlocks >= 3, result.stats().toString());
        assertTrue(result.stats().references >= 100, result.stats().toString());
    }

    /**
     * A fixture with errors seeded on purpose (src/test/resources/terraform/seeded): each check
     * must report exactly the errors planted for it, and nothing else.
     */
    @Test
    void seededErrorsAreEachCaughtByTheirCheck() throws IOException {
        Result result = TerraformValidator.validate(HclModule.parse(SEEDED), schema);
        Set<String> found = new TreeSet<>();
        result.findings().forEach(f -> found.add(f.check() + " " + f.where()));
        result.findings().forEach(f -> System.out.println("seeded: " + f));
        Set<String> expected = new TreeSet<>(List.of(
                // unknown resource, data and provider types
                "UNKNOWN_TYPE aws_lambda_functoin.typo",
                "UNKNOWN_TYPE data.aws_iam_policy_documents.typo",
                "UNKNOWN_TYPE provider.awz",
                // unknown arguments and blocks, at the top, nested, inside a dynamic block's content
                "UNKNOWN_ARGUMENT aws_dynamodb_table.seeded.billing",
                "UNKNOWN_ARGUMENT aws_dynamodb_table.seeded.point_in_time_recovery[0].enable",
                "UNKNOWN_BLOCK aws_lambda_function.seeded.vpc",
                "UNKNOWN_ARGUMENT data.aws_iam_policy_document.seeded.dynamic.statement.content.action",
                "UNKNOWN_BLOCK aws_lambda_function.seeded.dynamic.snapstart",
                "UNKNOWN_ARGUMENT aws_dynamodb_table.seeded.server_side_encryption",
                "UNKNOWN_ARGUMENT provider.aws.regoin",
                // missing required arguments and blocks
                "MISSING_ARGUMENT aws_lambda_function.seeded.function_name",
                "MISSING_ARGUMENT aws_dynamodb_table.seeded.attribute[0].type",
                "MISSING_ARGUMENT aws_lambda_alias.seeded.function_version",
                "MISSING_ARGUMENT aws_dynamodb_table.seeded.point_in_time_recovery[0].enabled",
                "MISSING_BLOCK aws_scheduler_schedule.seeded.flexible_time_window",
                "MISSING_BLOCK aws_scheduler_schedule.seeded.target",
                // too many of a block that allows one
                "TOO_MANY_BLOCKS aws_dynamodb_table.seeded.ttl",
                "TOO_MANY_BLOCKS aws_lambda_alias.seeded.routing_config",
                // literal values of the wrong type, directly and through a variable or local
                "WRONG_TYPE aws_dynamodb_table.seeded.point_in_time_recovery[0].recovery_period_in_days",
                "WRONG_TYPE aws_lambda_function.seeded.publish",
                "WRONG_TYPE aws_lambda_function.seeded.layers",
                "WRONG_TYPE aws_lambda_function.seeded.memory_size",
                "WRONG_TYPE aws_lambda_function.seeded.tags",
                "WRONG_TYPE var.retention.default",
                // references that do not resolve
                "UNRESOLVED_REFERENCE aws_lambda_alias.seeded.function_name",
                "UNRESOLVED_REFERENCE aws_lambda_alias.seeded.name",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.role",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.handler",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.runtime",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.description",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.filename",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.kms_key_arn",
                "UNRESOLVED_REFERENCE aws_lambda_function.seeded.environment[0].variables",
                "UNRESOLVED_REFERENCE data.aws_iam_policy_document.seeded.dynamic.statement.content.resources",
                "UNRESOLVED_REFERENCE output.typo",
                "UNRESOLVED_REFERENCE output.missing_instance",
                "UNRESOLVED_REFERENCE output.missing_key",
                "UNRESOLVED_REFERENCE output.no_instance_picked",
                // declared twice, meta-arguments
                "DUPLICATE aws_lambda_alias.seeded",
                "INVALID_META aws_cloudwatch_log_group.seeded"));
        assertEquals(String.join("\n", expected), String.join("\n", found));
        Set<Check> caught = EnumSet.noneOf(Check.class);
        result.findings().forEach(f -> caught.add(f.check()));
        assertEquals(EnumSet.allOf(Check.class), caught, "every check has a seeded error it catches");
    }

    /** The committed schema extract is what tools/terraform-schema/extract.js makes from the pinned packages. */
    @Test
    void theCommittedSchemaExtractIsWhatTheScriptProduces() throws Exception {
        Path tool = HclModule.ROOT.resolve("tools/terraform-schema");
        assumeTrue(Files.isDirectory(tool.resolve("node_modules/@cdktf/provider-aws")),
                "tools/terraform-schema/node_modules is not installed (about 390 MB, not needed to run the checks): "
                        + "cd tools/terraform-schema && npm ci --ignore-scripts --legacy-peer-deps, then this test "
                        + "re-derives the extract and compares");
        Path out = Files.createTempFile("provider-schema", ".json");
        try {
            Process p = new ProcessBuilder("node", tool.resolve("extract.js").toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, "extract.js failed");
            assertTrue(Files.readString(out).equals(Files.readString(MODULE.resolve("src/test/resources/" + ProviderSchema.RESOURCE))),
                    "src/test/resources/terraform/provider-schema.json is stale: run node tools/terraform-schema/extract.js");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
