# The idempotency table, shaped by tables/idempotency.json (the file the tests and the local
# runner create their table from).
resource "aws_dynamodb_table" "idempotency" {
  name         = "${local.name}-idempotency"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = local.idempotency_table.KeySchema[0].AttributeName

  attribute {
    name = local.idempotency_table.AttributeDefinitions[0].AttributeName
    type = local.idempotency_table.AttributeDefinitions[0].AttributeType
  }

  ttl {
    attribute_name = local.idempotency_table.TimeToLiveAttribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
