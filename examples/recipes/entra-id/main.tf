# People of one Microsoft Entra ID tenant get an AWS role according to their department,
# which a custom claims provider puts in the https://aws.amazon.com/tags claim. Only
# tokens of this tenant, issued to this application, tagged with the department, and
# carrying no tag keys beyond those listed, may assume the role.
#
# Use the tenant's own issuer (https://login.microsoftonline.com/<tenant-id>/v2.0). The
# "common" and "organizations" documents publish a template issuer that no token carries.

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
  issuer = "https://login.microsoftonline.com/${var.tenant_id}/v2.0"
}

# Fails the plan when the tenant's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "entra" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "entra" {
  issuer = local.issuer
}

resource "awsoidc_provider" "entra" {
  url         = data.awsoidc_discovery.entra.issuer
  client_ids  = [var.client_id]
  thumbprints = data.awsoidc_thumbprint.entra.thumbprints
}

resource "awsoidc_role" "department" {
  name        = var.role_name
  description = "Entra ID users of the ${var.department} department"

  trust {
    provider_arn = awsoidc_provider.entra.arn
    audiences    = [var.client_id]

    session_tags {
      request_tags    = { department = [var.department] }
      allowed_keys    = ["department", "team"]
      transitive_keys = ["department"]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
