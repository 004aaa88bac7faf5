locals {
  name = "${var.name_prefix}-${var.environment}"

  # One Lambda per function, each from its own zip (functions/target/lambda/<name>.zip);
  # QUARKUS_FUNQY_EXPORT picks the @Funq.
  # timeout_s also sets LOYALTY_LAMBDA_TIMEOUT_MS, so idempotency claims outlive the Lambda.
  functions = {
    earn         = { export = "earn", memory = 512, timeout_s = 10, concurrency = 50 }
    earn-queue   = { export = "earn-queue", memory = 512, timeout_s = 60, concurrency = 10 }
    redeem       = { export = "redeem", memory = 512, timeout_s = 10, concurrency = 50 }
    balance      = { export = "balance", memory = 512, timeout_s = 10, concurrency = 50 }
    reports      = { export = "reports", memory = 1024, timeout_s = 30, concurrency = 2 }
    expire-sweep = { export = "expire-sweep", memory = 1024, timeout_s = 60, concurrency = 1 }
    reconcile    = { export = "reconcile", memory = 1024, timeout_s = 300, concurrency = 1 }
    tier-review  = { export = "tier-review", memory = 1024, timeout_s = 60, concurrency = 1 }
    migrate      = { export = "migrate", memory = 512, timeout_s = 300, concurrency = 1 }
    outbox-relay = { export = "outbox-relay", memory = 512, timeout_s = 60, concurrency = 2 }
    notices      = { export = "notices", memory = 512, timeout_s = 60, concurrency = 1 }
    report-rollup = { export = "report-rollup", memory = 512, timeout_s = 300, concurrency = 1 }
  }

  handler = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest"

  # The batch jobs that work for minutes run with C2 (JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=4):
  # Lambda's java21 runtime stops at C1 by default, right for short requests and slow for a minute
  # of decoding and deciding. Not the tier-review: it runs once a day, so nearly every run is its
  # JVM's first, and there C2's compiling costs more than it saves (measured locally, 1M members, a version
  # raising GOLD: first run 2.6 s with C1, 3.2 s with C2, twice the JVM CPU; only a pass reading
  # every member gains, 5.7 s against 6.4 s, and such a pass is rare). The local runner mirrors
  # this list (FunctionProcess.FULL_JIT; a test holds the two together).
  full_jit = ["expire-sweep", "reconcile", "report-rollup"]

  # Every route of the API and the function that serves it (tests compare this with the code).
  routes = {
    "POST /members/{memberId}/earn"                                   = "earn"
    "POST /members/{memberId}/events"                                 = "earn"
    "PUT /program/rules"                                              = "earn"
    "GET /program/rules"                                              = "earn"
    "POST /program/rules/simulate"                                    = "earn"
    "PUT /program/tiers"                                              = "earn"
    "GET /program/tiers"                                              = "earn"
    "POST /members/{memberId}/redeem"                                 = "redeem"
    "POST /members/{memberId}/holds"                                  = "redeem"
    "POST /members/{memberId}/holds/{holdId}/capture"                 = "redeem"
    "POST /members/{memberId}/holds/{holdId}/void"                    = "redeem"
    "POST /members/{memberId}/transactions/{transactionId}/reversal"  = "redeem"
    "POST /members/{memberId}/transfers"                              = "redeem"
    "POST /members/{memberId}/adjustments"                            = "redeem"
    "POST /members/{memberId}/close"                                  = "redeem"
    "PUT /rewards/{rewardId}"                                         = "redeem"
    "POST /rewards/{rewardId}/stock"                                  = "redeem"
    "GET /rewards"                                                    = "redeem"
    "POST /members/{memberId}/redemptions"                            = "redeem"
    "GET /members/{memberId}/redemptions"                             = "redeem"
    "POST /members/{memberId}/redemptions/{redemptionId}/fulfil"      = "redeem"
    "POST /members/{memberId}/redemptions/{redemptionId}/cancel"      = "redeem"
    "GET /members/{memberId}/balance"                                 = "balance"
    "GET /members/{memberId}/transactions"                            = "balance"
    "GET /members/{memberId}/statement"                               = "balance"
    "GET /members/{memberId}/tier"                                    = "balance"
    "GET /members/{memberId}/lots"                                    = "balance"
    "GET /members/{memberId}/holds"                                   = "balance"
    "GET /reports/liability"                                          = "reports"
    "GET /reports/activity"                                           = "reports"
    "GET /reports/funnel"                                             = "reports"
    "GET /reports/redemption-by-type"                                 = "reports"
    "GET /reports/experiments/{experimentId}"                         = "reports"
    "GET /reports/anomalies"                                          = "reports"
    "GET /admin/parked"                                               = "reports"
    "POST /admin/parked/{messageId}/replay"                           = "reports"
  }

  # The same cron as loyalty.schedules.*.cron in application.properties (Quartz there,
  # EventBridge syntax here; a test checks they agree), in the program's time zone.
  schedules = {
    expire-sweep = "cron(15 0 * * ? *)"
    reconcile    = "cron(0 * * * ? *)"
    tier-review  = "cron(45 0 * * ? *)"
    outbox-relay = "cron(* * * * ? *)"
    notices      = "cron(0 6 * * ? *)"
    report-rollup = "cron(0/15 * * * ? *)"
  }

  # Functions whose reports read the replica (LOYALTY_DB_READ_URL: the proxy's read-only
  # endpoint): the reports routes, and reconcile's daily issued-points check.
  reads_replica = ["reports", "reconcile"]

  # Functions that write the outbox and publish right after commit (events:PutEvents on the
  # bus only). expire-sweep's and tier-review's events go out through the relay.
  publishes_events = ["earn", "earn-queue", "redeem", "reports", "outbox-relay", "notices"]

  idempotency_table = jsondecode(file("${path.module}/tables/idempotency.json"))

  # What each function may do on the idempotency table. None may delete: a claim is
  # released by expiring it in place. The queue needs none: for a queue record the ledger
  # transaction itself is the idempotency check (the unique reference, under the row locks).
  dynamodb_actions = {
    earn         = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
    earn-queue   = []
    redeem       = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
    balance      = []
    reports      = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
    expire-sweep = []
    reconcile    = []
    tier-review  = []
    migrate      = []
    outbox-relay = []
    notices      = []
    report-rollup = []
  }

  # Which database login each function uses. Only migrate is the schema owner (DDL); the rest
  # log in as the functions' user, a member of loyalty_app (see V5__app_role.sql).
  db_login = {
    earn         = "app"
    earn-queue   = "app"
    redeem       = "app"
    balance      = "app"
    reports      = "app"
    expire-sweep = "app"
    reconcile    = "app"
    tier-review  = "app"
    migrate      = "owner"
    outbox-relay = "app"
    notices      = "app"
    report-rollup = "app"
  }
  app_db_user = "loyalty_fn"

  # How a release moves each function's live alias to its new version (CodeDeploy deployment
  # configurations). The API and queue functions take a canary: 10% of the traffic for five
  # minutes, then the rest, unless the function's error-rate alarm fires first. The scheduled
  # jobs run once an hour or a day, so a canary would see no traffic: they switch at once, and
  # migrate is run on its new version by ./release before anything else moves.
  deployment_config = {
    earn         = var.release_canary_config
    earn-queue   = var.release_canary_config
    redeem       = var.release_canary_config
    balance      = var.release_canary_config
    reports      = var.release_canary_config
    expire-sweep = "CodeDeployDefault.LambdaAllAtOnce"
    reconcile    = "CodeDeployDefault.LambdaAllAtOnce"
    tier-review  = "CodeDeployDefault.LambdaAllAtOnce"
    migrate      = "CodeDeployDefault.LambdaAllAtOnce"
    outbox-relay = "CodeDeployDefault.LambdaAllAtOnce"
    notices      = "CodeDeployDefault.LambdaAllAtOnce"
    report-rollup = "CodeDeployDefault.LambdaAllAtOnce"
  }

  jvm = var.packaging == "jvm"
}
