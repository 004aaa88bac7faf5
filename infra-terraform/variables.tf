variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "name_prefix" {
  type    = string
  default = "loyalty"
}

variable "packaging" {
  description = "jvm: java21 with SnapStart on a published version behind the live alias; native: provided.al2023 from the -Dnative build."
  type        = string
  default     = "jvm"
  validation {
    condition     = contains(["jvm", "native"], var.packaging)
    error_message = "packaging must be jvm or native."
  }
}

variable "artifact_dir" {
  description = "Where the per-Lambda zips are (<function>.zip, from ./mvnw package, JVM or -Dnative)."
  type        = string
  default     = "../functions/target/lambda"
}

variable "jwt_issuer" {
  description = "The JWT authorizer's issuer URL (your identity provider)."
  type        = string
}

variable "jwt_audience" {
  type    = list(string)
  default = ["loyalty-api"]
}

variable "program_time_zone" {
  description = "Expiry falls at the end of the day here; the schedules run in it too."
  type        = string
  default     = "UTC"
}

variable "daily_issued_deviation_pct" {
  description = "The daily issued-points alarm: a day more than this percent away from the mean of the 7 days before (loyalty.alerts.daily-issued-deviation-pct)."
  type        = number
  default     = 5
}

variable "api_throttle_rate" {
  type    = number
  default = 500
}

variable "api_throttle_burst" {
  type    = number
  default = 1000
}

variable "cors_allowed_origins" {
  type    = list(string)
  default = []
}

variable "idempotency_ttl_seconds" {
  type    = number
  default = 86400
}

variable "sqs_batch_size" {
  type    = number
  default = 100
}

variable "sqs_batching_window_seconds" {
  type    = number
  default = 2
}

variable "sqs_max_concurrency" {
  description = "Upper bound on concurrent earn-queue Lambdas (and so on database connections they take)."
  type        = number
  default     = 10
}

variable "sqs_max_receive_count" {
  type    = number
  default = 5
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "alarm_topic_arn" {
  description = "SNS topic for alarms (empty: alarms without actions)."
  type        = string
  default     = ""
}

variable "vpc_cidr" {
  type    = string
  default = "10.42.0.0/16"
}

variable "db_min_acu" {
  type    = number
  default = 0.5
}

variable "db_max_acu" {
  type    = number
  default = 16
}

variable "secrets_extension_layer_arn" {
  description = "The AWS Parameters and Secrets Lambda Extension layer for your region (the functions read the database secret through it at start-up)."
  type        = string
  default     = "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:12"
}

variable "release_canary_config" {
  description = "CodeDeploy configuration for the API and queue functions' releases, e.g. CodeDeployDefault.LambdaCanary10Percent5Minutes or CodeDeployDefault.LambdaLinear10PercentEvery1Minute."
  type        = string
  default     = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
}

variable "release_error_rate_percent" {
  description = "A function whose live alias fails more than this share of its invocations in a minute raises its error-rate alarm; during a release that rolls the new version back."
  type        = number
  default     = 2
}

variable "event_source" {
  description = "The Source of every event the functions put on the bus (loyalty.events.source)."
  type        = string
  default     = "loyalty"
}

variable "event_archive_retention_days" {
  description = "How long the bus's archive keeps events for replay (0 = forever)."
  type        = number
  default     = 30
}

variable "outbox_oldest_unpublished_alarm_seconds" {
  description = "Alarm when the oldest unpublished outbox event is older than this (the relay runs every minute)."
  type        = number
  default     = 300
}
