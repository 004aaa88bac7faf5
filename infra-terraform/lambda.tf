resource "aws_cloudwatch_log_group" "function" {
  for_each          = local.functions
  name              = "/aws/lambda/${local.name}-${each.key}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "function" {
  for_each                       = local.functions
  function_name                  = "${local.name}-${each.key}"
  role                           = aws_iam_role.function[each.key].arn
  filename                       = "${var.artifact_dir}/${each.key}.zip"
  source_code_hash               = filebase64sha256("${var.artifact_dir}/${each.key}.zip")
  handler                        = local.handler
  runtime                        = local.jvm ? "java21" : "provided.al2023"
  architectures                  = ["x86_64"]
  memory_size                    = each.value.memory
  timeout                        = each.value.timeout_s
  reserved_concurrent_executions = each.value.concurrency
  publish                        = true
  layers                         = [var.secrets_extension_layer_arn]

  dynamic "snap_start" {
    for_each = local.jvm ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  vpc_config {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = {
      QUARKUS_FUNQY_EXPORT        = each.value.export
      # The minute-long batch jobs (full_jit) run C2; the rest (the tier-review too) C1 only, as
      # java21's default, said outright.
      JAVA_TOOL_OPTIONS           = contains(local.full_jit, each.key) ? "-XX:TieredStopAtLevel=4" : "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"
      LOYALTY_DB_URL              = "postgresql://${aws_db_proxy.ledger.endpoint}:5432/loyalty?sslmode=require"
      # Reports (and reconcile's daily issued-points check) read the replica; the rest: empty.
      LOYALTY_DB_READ_URL         = contains(local.reads_replica, each.key) ? "postgresql://${aws_db_proxy_endpoint.read_only.endpoint}:5432/loyalty?sslmode=require" : ""
      LOYALTY_ALERTS_DAILY_ISSUED_DEVIATION_PCT = tostring(var.daily_issued_deviation_pct)
      # Only migrate connects as the owner (DDL); it also reads the app secret to create the
      # functions' login. Every other function connects with the app secret (rows only).
      LOYALTY_DB_SECRET_ARN       = local.db_login[each.key] == "owner" ? aws_rds_cluster.ledger.master_user_secret[0].secret_arn : aws_secretsmanager_secret.app_db.arn
      LOYALTY_APP_DB_SECRET_ARN   = local.db_login[each.key] == "owner" ? aws_secretsmanager_secret.app_db.arn : ""
      LOYALTY_IDEMPOTENCY_TABLE   = aws_dynamodb_table.idempotency.name
      LOYALTY_LAMBDA_TIMEOUT_MS   = tostring(each.value.timeout_s * 1000)
      # A statement may use most of the Lambda's time (reconcile scans the whole ledger).
      LOYALTY_DB_STATEMENT_TIMEOUT_MS = tostring((each.value.timeout_s - 5) * 1000)
      LOYALTY_PROGRAM_TIME_ZONE   = var.program_time_zone
      LOYALTY_LOG_JSON            = "true"
      LOYALTY_IDEMPOTENCY_RECORD_TTL_SECONDS = tostring(var.idempotency_ttl_seconds)
      LOYALTY_EVENT_BUS           = aws_cloudwatch_event_bus.loyalty.name
      LOYALTY_EVENTS_SOURCE       = var.event_source
      # A return whose purchase is not recorded yet is retried by SQS, and parked on its last
      # receive before the dead-letter queue would take it.
      LOYALTY_QUEUE_RETURN_BEFORE_PURCHASE_MAX_RECEIVES = tostring(var.sqs_max_receive_count)
    }
  }

  depends_on = [aws_cloudwatch_log_group.function]
}

# Traffic goes to the "live" alias: SnapStart snapshots published versions. Terraform creates
# the alias on the first version and then leaves it alone: moving it to a new version is a
# release (CodeDeploy, release.tf and ./release), which shifts traffic gradually and can roll
# back; an apply only publishes.
resource "aws_lambda_alias" "live" {
  for_each         = local.functions
  name             = "live"
  function_name    = aws_lambda_function.function[each.key].function_name
  function_version = aws_lambda_function.function[each.key].version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# One least-privilege role per function.
resource "aws_iam_role" "function" {
  for_each           = local.functions
  name               = "${local.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy_attachment" "vpc" {
  for_each   = local.functions
  role       = aws_iam_role.function[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.db_login[each.key] == "owner" ? [aws_rds_cluster.ledger.master_user_secret[0].secret_arn, aws_secretsmanager_secret.app_db.arn] : [aws_secretsmanager_secret.app_db.arn]
  }

  dynamic "statement" {
    for_each = length(local.dynamodb_actions[each.key]) > 0 ? [1] : []
    content {
      sid       = "IdempotencyTable"
      actions   = local.dynamodb_actions[each.key]
      resources = [aws_dynamodb_table.idempotency.arn]
    }
  }

  dynamic "statement" {
    for_each = contains(local.publishes_events, each.key) ? [1] : []
    content {
      sid       = "PublishEvents"
      actions   = ["events:PutEvents"]
      resources = [aws_cloudwatch_event_bus.loyalty.arn]
    }
  }

  dynamic "statement" {
    for_each = each.key == "earn-queue" ? [1] : []
    content {
      sid       = "EarnQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [aws_sqs_queue.earn.arn]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions
  role     = aws_iam_role.function[each.key].id
  policy   = data.aws_iam_policy_document.function[each.key].json
}
