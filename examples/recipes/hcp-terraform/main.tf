# HCP Terraform dynamic credentials: runs of one workspace get AWS credentials without
# stored keys. Plans get a read-only role, applies a role that may change things, and
# a plan can never assume the apply role.
#
# app.terraform.io gives tokens to every organisation on it, so each role pins the
# subject to the organisation, project, workspace and run phase. Apply this once with
# administrator credentials; the workspace then uses the roles (see workspace/).

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
  issuer    = "https://${var.hostname}"
  workspace = "organization:${var.organization}:project:${var.project}:workspace:${var.workspace}"
}

# Fails the plan when the issuer's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "hcp" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "hcp" {
  issuer = local.issuer
}

# One per issuer and account: if it exists already, import it.
resource "awsoidc_provider" "hcp" {
  url         = data.awsoidc_discovery.hcp.issuer
  client_ids  = [var.audience]
  thumbprints = data.awsoidc_thumbprint.hcp.thumbprints
}

# TFC_AWS_PLAN_ROLE_ARN
resource "awsoidc_role" "plan" {
  name        = "${var.role_name_prefix}-plan"
  description = "HCP Terraform plans of ${var.organization}/${var.project}/${var.workspace}"

  trust {
    provider_arn = awsoidc_provider.hcp.arn
    audiences    = [var.audience]
    subjects     = ["${local.workspace}:run_phase:plan"]
  }

  managed_policy_arns = var.plan_policy_arns
}

# TFC_AWS_APPLY_ROLE_ARN
resource "awsoidc_role" "apply" {
  name        = "${var.role_name_prefix}-apply"
  description = "HCP Terraform applies of ${var.organization}/${var.project}/${var.workspace}"

  trust {
    provider_arn = awsoidc_provider.hcp.arn
    audiences    = [var.audience]
    subjects     = ["${local.workspace}:run_phase:apply"]
  }

  managed_policy_arns = var.apply_policy_arns
}
