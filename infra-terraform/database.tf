# Aurora PostgreSQL Serverless v2 behind RDS Proxy: bursts of Lambdas share a small pool of
# database connections instead of exhausting them. Credentials live in Secrets Manager.
resource "aws_db_subnet_group" "main" {
  name       = local.name
  subnet_ids = aws_subnet.private[*].id
}

# The planner as for SSD storage: a random page read costs about what a sequential one does
# (random_page_cost 1.1, not the spinning-disk default of 4). With 4, a member-range read of a
# table appended in time order (qualifying_days: low correlation with member_id) is planned as a
# parallel sequential scan of the whole table once it expects a few thousand rows: the
# tier-review's chunk reads went from 11 ms to 170 ms each. The local runner and the tests set
# the same.
resource "aws_rds_cluster_parameter_group" "ledger" {
  name_prefix = "${local.name}-"
  family      = "aurora-postgresql16"
  description = "loyalty ledger: planner costs for SSD storage"
  parameter {
    name  = "random_page_cost"
    value = "1.1"
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier          = local.name
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.ledger.name
  engine                      = "aurora-postgresql"
  engine_mode                 = "provisioned"
  engine_version              = "16.4"
  database_name               = "loyalty"
  master_username             = "loyalty_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.database.id]
  storage_encrypted           = true
  backup_retention_period     = 14
  deletion_protection         = true
  copy_tags_to_snapshot       = true
  final_snapshot_identifier   = "${local.name}-final"
  serverlessv2_scaling_configuration {
    min_capacity = var.db_min_acu
    max_capacity = var.db_max_acu
  }
}

resource "aws_rds_cluster_instance" "ledger" {
  count              = 2
  identifier         = "${local.name}-${count.index}"
  cluster_identifier = aws_rds_cluster.ledger.id
  instance_class     = "db.serverless"
  engine             = aws_rds_cluster.ledger.engine
  engine_version     = aws_rds_cluster.ledger.engine_version
}

resource "aws_iam_role" "proxy" {
  name               = "${local.name}-rds-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume.json
}

data "aws_iam_policy_document" "proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

# The functions' login user: rows only, no DDL, the ledger append-only (grants in migration
# V5__app_role.sql). The migrate Lambda, the only one given the cluster owner's secret, creates
# this user (or resets its password) from this secret on every run; every other Lambda logs in
# with it. The password is generated here and so sits in the Terraform state: keep the state
# encrypted (see README). To rotate, taint random_password.app_db, apply, invoke migrate.
resource "random_password" "app_db" {
  length  = 40
  special = false
}

resource "aws_secretsmanager_secret" "app_db" {
  name                    = "${local.name}/db/app-login"
  description             = "Login of the loyalty functions (member of loyalty_app); created in PostgreSQL by the migrate Lambda"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "app_db" {
  secret_id = aws_secretsmanager_secret.app_db.id
  secret_string = jsonencode({
    username = local.app_db_user
    password = random_password.app_db.result
  })
}

data "aws_iam_policy_document" "proxy_secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_rds_cluster.ledger.master_user_secret[0].secret_arn, aws_secretsmanager_secret.app_db.arn]
  }
}

resource "aws_iam_role_policy" "proxy_secrets" {
  role   = aws_iam_role.proxy.id
  policy = data.aws_iam_policy_document.proxy_secrets.json
}

resource "aws_db_proxy" "ledger" {
  name                   = local.name
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy.arn
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.proxy.id]
  require_tls            = true
  idle_client_timeout    = 1800
  # The proxy logs in with either secret: the owner (migrate only) and the functions' login.
  auth {
    auth_scheme = "SECRETS"
    secret_arn  = aws_rds_cluster.ledger.master_user_secret[0].secret_arn
    iam_auth    = "DISABLED"
  }
  auth {
    auth_scheme = "SECRETS"
    secret_arn  = aws_secretsmanager_secret.app_db.arn
    iam_auth    = "DISABLED"
  }
}

resource "aws_db_proxy_default_target_group" "ledger" {
  db_proxy_name = aws_db_proxy.ledger.name
  connection_pool_config {
    max_connections_percent      = 80
    max_idle_connections_percent = 20
  }
}

resource "aws_db_proxy_target" "ledger" {
  db_proxy_name         = aws_db_proxy.ledger.name
  target_group_name     = aws_db_proxy_default_target_group.ledger.name
  db_cluster_identifier = aws_rds_cluster.ledger.cluster_identifier
}

# The heavy reports read from the cluster's reader instance through the proxy's read-only
# endpoint (LOYALTY_DB_READ_URL of the functions in local.reads_replica), so a year's scan never
# competes with the writers on the writer instance. Same logins as the default endpoint.
resource "aws_db_proxy_endpoint" "read_only" {
  db_proxy_name          = aws_db_proxy.ledger.name
  db_proxy_endpoint_name = "${local.name}-ro"
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.proxy.id]
  target_role            = "READ_ONLY"
}
