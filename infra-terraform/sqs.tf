resource "aws_sqs_queue" "earn_dlq" {
  name                      = "${local.name}-earn-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "earn" {
  name                       = "${local.name}-earn"
  visibility_timeout_seconds = local.functions["earn-queue"].timeout_s * 6
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.earn_dlq.arn
    maxReceiveCount     = var.sqs_max_receive_count
  })
}

resource "aws_lambda_event_source_mapping" "earn" {
  event_source_arn                   = aws_sqs_queue.earn.arn
  function_name                      = aws_lambda_alias.live["earn-queue"].arn
  batch_size                         = var.sqs_batch_size
  maximum_batching_window_in_seconds = var.sqs_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = var.sqs_max_concurrency
  }
}
