# The operator console (local-runner/console): the static bundle Vite builds into
# local-runner/console/dist (./loyalty build), on a private S3 bucket behind CloudFront with
# origin access control. The console calls the API Gateway API directly: its CloudFront origin
# is in the API's CORS allow-list (api.tf), and its runtime settings (the API's URL, the OIDC
# issuer the JWT authorizer trusts, the console's client id and redirect) are written here as
# console/config.json, never built into the bundle. Operators sign in with the authorization-code
# flow and PKCE (a public client: no secret anywhere); the access token must carry points:admin
# in `scope` and the API's audience.

variable "console_oidc_client_id" {
  description = "The console's OIDC client id at the issuer (var.jwt_issuer): a public client (no secret) allowing the authorization-code flow with PKCE and the redirect URI in the console_redirect_uri output."
  type        = string
  default     = "loyalty-console"
}

variable "console_oidc_scope" {
  description = "Scopes the console asks for; the access token's scope must include points:admin for the admin routes."
  type        = string
  default     = "openid points:admin"
}

variable "console_oidc_audience" {
  description = "Sent as `audience` on the authorize request when the issuer needs it to mint an access token for the API (e.g. Auth0); empty: not sent."
  type        = string
  default     = ""
}

variable "console_connect_src" {
  description = "Extra origins the console may call (its Content-Security-Policy connect-src), e.g. the issuer's token endpoint when it is on another host than the issuer."
  type        = list(string)
  default     = []
}

variable "console_price_class" {
  type    = string
  default = "PriceClass_100"
}

locals {
  console_dist = "${path.module}/../local-runner/console/dist"
  # config.json in dist is the local runner's; the deployed one is written below.
  console_files = setsubtract(fileset(local.console_dist, "**"), ["config.json"])
  console_content_types = {
    html  = "text/html; charset=utf-8"
    js    = "text/javascript; charset=utf-8"
    css   = "text/css; charset=utf-8"
    json  = "application/json"
    svg   = "image/svg+xml"
    png   = "image/png"
    ico   = "image/x-icon"
    woff2 = "font/woff2"
  }
  console_origin       = "https://${aws_cloudfront_distribution.console.domain_name}"
  console_redirect_uri = "https://${aws_cloudfront_distribution.console.domain_name}/console/"
  # The exact API endpoint would make a cycle (the API's CORS names this distribution), so the
  # policy allows the region's execute-api hosts, the issuer and what the operator adds.
  console_csp = join("; ", [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self' https://*.execute-api.${var.region}.amazonaws.com ${var.jwt_issuer} ${join(" ", var.console_connect_src)}",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ])
}

resource "aws_s3_bucket" "console" {
  bucket_prefix = "${local.name}-console-"
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "console" {
  bucket                  = aws_s3_bucket.console.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "console" {
  bucket = aws_s3_bucket.console.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "console" {
  bucket = aws_s3_bucket.console.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_cloudfront_origin_access_control" "console" {
  name                              = "${local.name}-console"
  description                       = "CloudFront reads the console bundle from its private bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# Only this distribution may read the bucket.
data "aws_iam_policy_document" "console_bucket" {
  statement {
    sid       = "CloudFrontReadsTheConsole"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.console.arn}/console/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.console.arn]
    }
  }
}

resource "aws_s3_bucket_policy" "console" {
  bucket     = aws_s3_bucket.console.id
  policy     = data.aws_iam_policy_document.console_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.console]
}

# The bundle lives under /console/ (Vite's base, as the local runner serves it): the folder
# and the site's root go to its index.html.
resource "aws_cloudfront_function" "console_index" {
  name    = "${local.name}-console-index"
  runtime = "cloudfront-js-2.0"
  comment = "/ and /console go to /console/; /console/ is /console/index.html"
  publish = true
  code    = <<-JS
    function handler(event) {
      var uri = event.request.uri;
      if (uri === '/' || uri === '/console') {
        return { statusCode: 308, statusDescription: 'Permanent Redirect', headers: { location: { value: '/console/' } } };
      }
      if (uri === '/console/') {
        event.request.uri = '/console/index.html';
      }
      return event.request;
    }
  JS
}

resource "aws_cloudfront_response_headers_policy" "console" {
  name = "${local.name}-console"
  security_headers_config {
    content_security_policy {
      content_security_policy = local.console_csp
      override                = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      override                   = true
    }
  }
}

data "aws_cloudfront_cache_policy" "caching_optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_cache_policy" "caching_disabled" {
  name = "Managed-CachingDisabled"
}

resource "aws_cloudfront_distribution" "console" {
  enabled         = true
  comment         = "${local.name} operator console"
  is_ipv6_enabled = true
  price_class     = var.console_price_class
  http_version    = "http2and3"

  origin {
    origin_id                = "console-bucket"
    domain_name              = aws_s3_bucket.console.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.console.id
  }

  default_cache_behavior {
    target_origin_id           = "console-bucket"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_optimized.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.console.id
    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.console_index.arn
    }
  }

  # The page and its settings are always fresh; the hashed assets are cached for good.
  dynamic "ordered_cache_behavior" {
    for_each = ["console/index.html", "console/config.json"]
    content {
      path_pattern               = "/${ordered_cache_behavior.value}"
      target_origin_id           = "console-bucket"
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = data.aws_cloudfront_cache_policy.caching_disabled.id
      response_headers_policy_id = aws_cloudfront_response_headers_policy.console.id
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "aws_s3_object" "console" {
  for_each      = local.console_files
  bucket        = aws_s3_bucket.console.id
  key           = "console/${each.value}"
  source        = "${local.console_dist}/${each.value}"
  source_hash   = filemd5("${local.console_dist}/${each.value}")
  content_type  = lookup(local.console_content_types, lower(regex("[^.]*$", each.value)), "application/octet-stream")
  cache_control = startswith(each.value, "assets/") ? "public, max-age=31536000, immutable" : "no-cache"
}

# The deployed console's settings: the API's URL and the OIDC sign-in (no secret: PKCE).
resource "aws_s3_object" "console_config" {
  bucket        = aws_s3_bucket.console.id
  key           = "console/config.json"
  content_type  = "application/json"
  cache_control = "no-cache"
  content = jsonencode({
    apiBase = aws_apigatewayv2_stage.default.invoke_url
    auth = merge({
      mode        = "oidc"
      issuer      = var.jwt_issuer
      clientId    = var.console_oidc_client_id
      redirectUri = local.console_redirect_uri
      scope       = var.console_oidc_scope
    }, var.console_oidc_audience == "" ? {} : { audience = var.console_oidc_audience })
  })
}

output "console_url" {
  description = "The operator console."
  value       = local.console_redirect_uri
}

output "console_redirect_uri" {
  description = "Register this redirect URI for the console's client (console_oidc_client_id) at the issuer."
  value       = local.console_redirect_uri
}
