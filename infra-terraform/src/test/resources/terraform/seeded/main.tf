# Errors seeded on purpose. TerraformSchemaTest.seededErrorsAreEachCaughtByTheirCheck expects
# each marked line to be reported by its check, and nothing else here to be reported.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.60" }
    awz = { source = "example/awz" }
  }
}

provider "aws" {
  regoin = "eu-west-1" # UNKNOWN_ARGUMENT
}

provider "awz" { # UNKNOWN_TYPE: no such provider schema
  region = "eu-west-1"
}

variable "retention" {
  type    = number
  default = "thirty" # WRONG_TYPE
}

variable "layers" {
  type    = string
  default = "arn:aws:lambda:eu-west-1:123456789012:layer:x:1"
}

locals {
  memory = "lots"
  stmts  = { a = "arn:aws:s3:::a/*" }
}

resource "aws_lambda_functoin" "typo" { # UNKNOWN_TYPE
  function_name = "x"
}

data "aws_iam_policy_documents" "typo" {} # UNKNOWN_TYPE

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}

resource "aws_lambda_function" "seeded" {
  # function_name missing: MISSING_ARGUMENT
  role        = aws_iam_role.missing.arn               # UNRESOLVED_REFERENCE: no such resource
  handler     = local.handlr                           # UNRESOLVED_REFERENCE: no such local
  runtime     = var.runtim                             # UNRESOLVED_REFERENCE: no such variable
  description = each.key                               # UNRESOLVED_REFERENCE: no for_each here
  filename    = "${path.module}/${count.index}.zip"    # UNRESOLVED_REFERENCE: no count here
  kms_key_arn = aws_iam_role.r.arnn                    # UNRESOLVED_REFERENCE: no such attribute
  publish     = "yes"                                  # WRONG_TYPE: bool
  layers      = var.layers                             # WRONG_TYPE: a string variable for a list
  memory_size = local.memory                           # WRONG_TYPE: "lots" is not a number
  tags        = ["a"]                                  # WRONG_TYPE: a list for a map
  timeout     = var.retention

  vpc { # UNKNOWN_BLOCK (it is vpc_config)
    subnet_ids = []
  }

  environment {
    variables = { A = aws_iam_role.r[0].arn } # UNRESOLVED_REFERENCE: r has no count or for_each
  }

  dynamic "snapstart" { # UNKNOWN_BLOCK (it is snap_start)
    for_each = [1]
    content {
      apply_on = "PublishedVersions"
    }
  }
}

resource "aws_dynamodb_table" "seeded" {
  name     = "t"
  billing  = "PAY_PER_REQUEST" # UNKNOWN_ARGUMENT (billing_mode)
  hash_key = "pk"

  attribute { # MISSING_ARGUMENT: type
    name = "pk"
  }

  ttl {
    attribute_name = "a"
    enabled        = true
  }
  ttl { # TOO_MANY_BLOCKS
    attribute_name = "b"
    enabled        = true
  }

  point_in_time_recovery {
    enable                  = true   # UNKNOWN_ARGUMENT, and so enabled is MISSING_ARGUMENT
    recovery_period_in_days = "week" # WRONG_TYPE
  }

  server_side_encryption = { enabled = true } # UNKNOWN_ARGUMENT: a block written as an argument
}

resource "aws_lambda_alias" "seeded" {
  name          = "live-${var.nope}"                           # UNRESOLVED_REFERENCE
  function_name = aws_lambda_function.seeded.function_nam      # UNRESOLVED_REFERENCE: no such attribute
  # function_version missing: MISSING_ARGUMENT
  routing_config {
    additional_version_weights = { "2" = 0.1 }
  }
  routing_config {} # TOO_MANY_BLOCKS
}

resource "aws_lambda_alias" "seeded" { # DUPLICATE
  name             = "live"
  function_name    = "f"
  function_version = "1"
}

resource "aws_scheduler_schedule" "seeded" { # MISSING_BLOCK: flexible_time_window, target
  schedule_expression = "rate(1 hour)"
}

data "aws_iam_policy_document" "seeded" {
  dynamic "statement" {
    for_each = local.stmts
    content {
      action    = ["s3:GetObject"]              # UNKNOWN_ARGUMENT (actions)
      resources = [statement.value, stmt.value] # UNRESOLVED_REFERENCE: stmt is not the iterator
    }
  }
}

resource "aws_cloudwatch_log_group" "seeded" { # INVALID_META: count and for_each
  count    = 1
  for_each = local.stmts
  name     = "g"
}

output "typo" {
  value = aws_dynamodb_table.seeded.ar # UNRESOLVED_REFERENCE: no such attribute
}

resource "aws_iam_role" "many" {
  for_each           = local.stmts
  name               = each.key
  assume_role_policy = "{}"
}

output "missing_instance" {
  value = aws_iam_role.many["b"].arn # UNRESOLVED_REFERENCE: for_each = local.stmts has only "a"
}

output "missing_key" {
  value = local.stmts["z"] # UNRESOLVED_REFERENCE: no such key in the local map
}

output "no_instance_picked" {
  value = aws_iam_role.many.arn # UNRESOLVED_REFERENCE: many has for_each, pick an instance
}
