output "api_url" {
  value = aws_apigatewayv2_stage.default.invoke_url
}

output "earn_queue_url" {
  value = aws_sqs_queue.earn.url
}

output "migrate_function" {
  description = "First deploy: aws lambda invoke --function-name <this>:live out.json. Later releases: ./release runs its new version before any traffic moves."
  value       = aws_lambda_function.function["migrate"].function_name
}

output "idempotency_table" {
  value = aws_dynamodb_table.idempotency.name
}

output "codedeploy_app" {
  description = "The CodeDeploy application ./release creates deployments in (one deployment group per function)."
  value       = aws_codedeploy_app.functions.name
}

output "release_versions" {
  description = "One line per function: its key (the deployment group), its Lambda name and the version the last apply published. ./release reads this."
  value       = join("\n", [for k, f in aws_lambda_function.function : "${k} ${f.function_name} ${f.version}"])
}
