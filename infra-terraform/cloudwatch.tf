locals {
  alarm_actions = var.alarm_topic_arn == "" ? [] : [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each            = { earn = aws_sqs_queue.earn_dlq.name, schedules = aws_sqs_queue.schedule_dlq.name }
  alarm_name          = "${local.name}-${each.key}-dlq-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each            = local.functions
  alarm_name          = "${local.name}-${each.key}-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.function[each.key].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "function_throttles" {
  for_each            = local.functions
  alarm_name          = "${local.name}-${each.key}-throttles"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.function[each.key].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

# From the EMF line the reconcile Lambda writes (namespace LoyaltyLedger).
resource "aws_cloudwatch_metric_alarm" "reconcile_discrepancies" {
  alarm_name          = "${local.name}-reconcile-discrepancies"
  namespace           = "LoyaltyLedger"
  metric_name         = "ReconcileDiscrepancies"
  dimensions          = { Function = "reconcile" }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
}

# From the EMF line the tier-review Lambda writes: a daily run that left its pass unfinished (out
# of time, or members skipped because they were busy), or no run at all, within a day.
resource "aws_cloudwatch_metric_alarm" "tier_review_unfinished" {
  alarm_name          = "${local.name}-tier-review-unfinished"
  namespace           = "LoyaltyLedger"
  metric_name         = "TierReviewUnfinished"
  dimensions          = { Function = "tier-review" }
  statistic           = "Minimum"
  period              = 86400
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
}

# From the EMF line the report-rollup Lambda writes (every 15 minutes): a run that left closed days
# or late entries unrolled (out of time, or another run busy), or no run at all, for six hours.
# The reports stay right meanwhile (they read the ledger for what is not rolled), only slower.
resource "aws_cloudwatch_metric_alarm" "report_rollup_behind" {
  alarm_name          = "${local.name}-report-rollup-behind"
  namespace           = "LoyaltyLedger"
  metric_name         = "ReportRollupBehind"
  dimensions          = { Function = "report-rollup" }
  statistic           = "Minimum"
  period              = 21600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
}

# The daily issued-points check (reconcile writes it every run for yesterday, program time zone):
# DailyIssuedAnomaly is 1 when the core's rule flags the day (more than
# var.daily_issued_deviation_pct away from the mean of the 7 days before), else 0.
resource "aws_cloudwatch_metric_alarm" "daily_issued_anomaly" {
  alarm_name          = "${local.name}-daily-issued-anomaly"
  alarm_description   = "Yesterday's issued points differ from the mean of the 7 days before by more than ${var.daily_issued_deviation_pct}%: see GET /reports/anomalies."
  namespace           = "LoyaltyLedger"
  metric_name         = "DailyIssuedAnomaly"
  dimensions          = { Function = "reconcile" }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "records_parked" {
  alarm_name          = "${local.name}-records-parked"
  namespace           = "LoyaltyLedger"
  metric_name         = "RecordsParked"
  dimensions          = { Function = "earn-queue" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_dashboard" "business" {
  dashboard_name = local.name
  dashboard_body = jsonencode({
    widgets = [
      { type = "metric", width = 12, height = 6, properties = { title = "Points expired", region = var.region,
        metrics = [["LoyaltyLedger", "PointsExpired", "Function", "expire-sweep"]] } },
      { type = "metric", width = 12, height = 6, properties = { title = "Queue records", region = var.region,
        metrics = [["LoyaltyLedger", "RecordsApplied", "Function", "earn-queue"], ["LoyaltyLedger", "RecordsParked", "Function", "earn-queue"],
        ["LoyaltyLedger", "RecordsRetried", "Function", "earn-queue"]] } },
      { type = "metric", width = 12, height = 6, properties = { title = "Reconcile discrepancies", region = var.region,
        metrics = [["LoyaltyLedger", "ReconcileDiscrepancies", "Function", "reconcile"]] } },
      { type = "metric", width = 12, height = 6, properties = { title = "Points issued per day (yesterday, program time zone)", region = var.region,
        metrics = [["LoyaltyLedger", "DailyIssuedPoints", "Function", "reconcile"], ["LoyaltyLedger", "DailyIssuedAnomaly", "Function", "reconcile"]] } },
    ]
  })
}
