output "api_url" {
  value = aws_apigatewayv2_stage.default.invoke_url
}

output "earn_queue_url" {
  value = aws_sqs_queue.earn.url
}

output "migrate_function" {
  description = "Invoke once per release, before traffic: aws lambda invoke --function-name <this>:live out.json"
  value       = aws_lambda_function.function["migrate"].function_name
}

output "idempotency_table" {
  value = aws_dynamodb_table.idempotency.name
}
