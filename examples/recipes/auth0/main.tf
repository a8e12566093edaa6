# People sign in with Auth0 and get an AWS role according to their department, which an
# Auth0 Action puts in the https://aws.amazon.com/tags claim. Only tokens issued to this
# application, after multi-factor sign-in, tagged with the department, and carrying no
# tag keys beyond those listed, may assume the role.
#
# Auth0's issuer ends in "/": IAM and STS compare it exactly, so the provider URL keeps
# the slash (https://tenant.auth0.com and https://tenant.auth0.com/ are two providers).

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

locals {
  issuer = "https://${var.domain}/"
}

# Fails the plan when the tenant's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "auth0" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "auth0" {
  issuer = local.issuer
}

resource "awsoidc_provider" "auth0" {
  url         = data.awsoidc_discovery.auth0.issuer
  client_ids  = [var.client_id]
  thumbprints = data.awsoidc_thumbprint.auth0.thumbprints
}

resource "awsoidc_role" "department" {
  name        = var.role_name
  description = "Auth0 users of the ${var.department} department"

  trust {
    provider_arn = awsoidc_provider.auth0.arn
    audiences    = [var.client_id]
    claims       = var.require_mfa ? { amr = ["mfa"] } : null

    session_tags {
      request_tags    = { department = [var.department] }
      allowed_keys    = ["department", "team"]
      transitive_keys = ["department"]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
