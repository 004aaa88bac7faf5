# Canary releases. `terraform apply` publishes a new version of each changed function but leaves
# its `live` alias where it is (lifecycle.ignore_changes in lambda.tf); `./release` then hands the
# alias to CodeDeploy, which sends 10% of the traffic to the new version for 5 minutes, watches
# the function's error-rate alarm on the alias, and either shifts the rest or rolls back to the
# previous version by itself. See README.md, "Release" and "Roll back".
resource "aws_codedeploy_app" "functions" {
  name             = local.name
  compute_platform = "Lambda"
}

data "aws_iam_policy_document" "codedeploy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name               = "${local.name}-codedeploy"
  assume_role_policy = data.aws_iam_policy_document.codedeploy_assume.json
}

# Only what a Lambda deployment needs: read and move the aliases, read the alarms.
data "aws_iam_policy_document" "codedeploy" {
  statement {
    sid       = "MoveTheLiveAliases"
    actions   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"]
    resources = [for f in aws_lambda_function.function : "${f.arn}:live"]
  }
  statement {
    sid       = "ReadTheRollbackAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = [for a in aws_cloudwatch_metric_alarm.function_error_rate : a.arn]
  }
}

resource "aws_iam_role_policy" "codedeploy" {
  role   = aws_iam_role.codedeploy.id
  policy = data.aws_iam_policy_document.codedeploy.json
}

# One deployment group per function: its traffic-shifting configuration, and its error-rate
# alarm, which stops the deployment and moves the alias back when it fires.
resource "aws_codedeploy_deployment_group" "function" {
  for_each               = local.functions
  app_name               = aws_codedeploy_app.functions.name
  deployment_group_name  = each.key
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = local.deployment_config[each.key]

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  alarm_configuration {
    enabled = true
    alarms  = [aws_cloudwatch_metric_alarm.function_error_rate[each.key].alarm_name]
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }
}

# The share of the live alias's invocations that failed, per minute. During a canary the alias
# serves both versions, so a new version failing every call shows as about 10% here.
resource "aws_cloudwatch_metric_alarm" "function_error_rate" {
  for_each            = local.functions
  alarm_name          = "${local.name}-${each.key}-error-rate"
  alarm_description   = "Failed share of ${each.key}'s invocations through the live alias (%); rolls a canary release back"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.release_error_rate_percent
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "Error rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      period      = 60
      stat        = "Sum"
      dimensions = {
        FunctionName = aws_lambda_function.function[each.key].function_name
        Resource     = "${aws_lambda_function.function[each.key].function_name}:live"
      }
    }
  }

  metric_query {
    id = "invocations"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      period      = 60
      stat        = "Sum"
      dimensions = {
        FunctionName = aws_lambda_function.function[each.key].function_name
        Resource     = "${aws_lambda_function.function[each.key].function_name}:live"
      }
    }
  }
}
