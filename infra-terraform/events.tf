# Events out: the custom bus every function publishes to (PutEvents right after commit, and
# the outbox-relay every minute), an archive for replay, and an example consumer: a rule routing
# redemption.created to an SQS queue for a fulfilment system.

resource "aws_cloudwatch_event_bus" "loyalty" {
  name = "${local.name}-events"
}

# Every event, kept for replay (StartReplay onto the same bus).
resource "aws_cloudwatch_event_archive" "loyalty" {
  name             = "${local.name}-events"
  event_source_arn = aws_cloudwatch_event_bus.loyalty.arn
  retention_days   = var.event_archive_retention_days
  event_pattern = jsonencode({
    source = [var.event_source]
  })
}

# Example consumer: redemptions go to a fulfilment system's queue.
resource "aws_sqs_queue" "fulfilment_dlq" {
  name                      = "${local.name}-fulfilment-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "fulfilment" {
  name                      = "${local.name}-fulfilment"
  message_retention_seconds = 345600
  sqs_managed_sse_enabled   = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.fulfilment_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_cloudwatch_event_rule" "redemption_created" {
  name           = "${local.name}-redemption-created"
  event_bus_name = aws_cloudwatch_event_bus.loyalty.name
  event_pattern = jsonencode({
    source        = [var.event_source]
    "detail-type" = ["redemption.created"]
  })
}

resource "aws_cloudwatch_event_target" "fulfilment" {
  rule           = aws_cloudwatch_event_rule.redemption_created.name
  event_bus_name = aws_cloudwatch_event_bus.loyalty.name
  target_id      = "fulfilment-queue"
  arn            = aws_sqs_queue.fulfilment.arn
  retry_policy {
    maximum_retry_attempts       = 185
    maximum_event_age_in_seconds = 86400
  }
  dead_letter_config {
    arn = aws_sqs_queue.fulfilment_dlq.arn
  }
}

data "aws_iam_policy_document" "fulfilment_queue" {
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.fulfilment.arn, aws_sqs_queue.fulfilment_dlq.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.redemption_created.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "fulfilment" {
  queue_url = aws_sqs_queue.fulfilment.id
  policy    = data.aws_iam_policy_document.fulfilment_queue.json
}

resource "aws_sqs_queue_policy" "fulfilment_dlq" {
  queue_url = aws_sqs_queue.fulfilment_dlq.id
  policy    = data.aws_iam_policy_document.fulfilment_queue.json
}

# The oldest unpublished event's age, from the EMF line the relay writes every minute
# (0 when nothing waits). Missing data means the relay is not running: breaching.
resource "aws_cloudwatch_metric_alarm" "outbox_oldest_unpublished" {
  alarm_name          = "${local.name}-outbox-oldest-unpublished"
  namespace           = "LoyaltyLedger"
  metric_name         = "OutboxOldestUnpublishedAgeSeconds"
  dimensions          = { Function = "outbox-relay" }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.outbox_oldest_unpublished_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
}
