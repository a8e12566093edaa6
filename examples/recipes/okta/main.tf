# People sign in with Okta and get an AWS role according to their department, which
# reaches AWS as a session tag. Only tokens issued to this app, after multi-factor
# sign-in, tagged with the department, and carrying no tag keys beyond those listed,
# may assume the role.
#
# AWS exposes no custom claim to trust policies ("groups", "department"): attributes
# travel in the https://aws.amazon.com/tags claim instead (see README.md).

terraform {
  required_version = ">= 1.10"
  required_providers {
    awsoidc = {
      source = "awsoidc/awsoidc"
    }
  }
}

# Credentials and region come from the usual AWS settings (AWS_PROFILE,
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION, ...).
provider "awsoidc" {}

# Fails the plan when the authorization server's discovery document or keys would not
# satisfy AWS.
data "awsoidc_discovery" "okta" {
  issuer = var.issuer
  strict = true
}

data "awsoidc_thumbprint" "okta" {
  issuer = var.issuer
}

resource "awsoidc_provider" "okta" {
  url         = data.awsoidc_discovery.okta.issuer
  client_ids  = [var.client_id]
  thumbprints = data.awsoidc_thumbprint.okta.thumbprints
}

resource "awsoidc_role" "department" {
  name                 = var.role_name
  description          = "Okta users of the ${var.department} department"
  max_session_duration = 14400

  trust {
    provider_arn = awsoidc_provider.okta.arn
    audiences    = [var.client_id]
    claims       = var.require_mfa ? { amr = ["mfa"] } : null

    session_tags {
      request_tags    = { department = [var.department] }
      allowed_keys    = ["department", "team"]
      transitive_keys = ["department"]
    }
  }

  # Each team works under its own prefix: the team tag decides which.
  inline_policies = {
    team-prefix = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:aws:s3:::${var.bucket}/$${aws:PrincipalTag/team}/*"
      }]
    })
  }
}
