# CircleCI deploys to AWS from one project of one organization.
#
# Every organization has its own issuer (https://oidc.circleci.com/org/<org-id>), whose
# tokens carry the organization ID as audience, so other organizations' tokens are not
# trusted. Within it, the project is pinned by its ID, both in the subject and in the
# oidc.circleci.com/project-id claim AWS exposes for CircleCI.

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
  issuer = "https://oidc.circleci.com/org/${var.organization_id}"
}

# Fails the plan when the organization's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "circleci" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "circleci" {
  issuer = local.issuer
}

resource "awsoidc_provider" "circleci" {
  url         = data.awsoidc_discovery.circleci.issuer
  client_ids  = [var.organization_id]
  thumbprints = data.awsoidc_thumbprint.circleci.thumbprints
}

resource "awsoidc_role" "deploy" {
  name        = var.role_name
  description = "CircleCI project ${var.project_id}"

  trust {
    provider_arn = awsoidc_provider.circleci.arn
    audiences    = [var.organization_id]
    # org/<org>/project/<project>/user/<user>, sometimes followed by /vcs-origin/... .
    subjects = ["org/${var.organization_id}/project/${var.project_id}/user/*"]
    claims = {
      "oidc.circleci.com/project-id" = [var.project_id]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
