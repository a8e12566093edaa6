# GitLab CI on a self-managed instance deploys to AWS from one project's branch.
#
# The instance has its own issuer, so no one outside it can get a token. AWS exposes only
# the generic claims (aud, sub, amr, azp) for it, so the subject pins the project and
# the branch. Instances often use a private CA: pass its root in ca_bundle_file, and the
# thumbprints IAM falls back on are registered from it.

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
  ca_bundle = var.ca_bundle_file == null ? null : file(var.ca_bundle_file)
}

# Fails the plan when the instance's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "gitlab" {
  issuer    = var.gitlab_url
  ca_bundle = local.ca_bundle
  strict    = true
}

data "awsoidc_thumbprint" "gitlab" {
  issuer    = var.gitlab_url
  ca_bundle = local.ca_bundle
}

resource "awsoidc_provider" "gitlab" {
  url         = data.awsoidc_discovery.gitlab.issuer
  client_ids  = [var.audience]
  thumbprints = data.awsoidc_thumbprint.gitlab.thumbprints
}

resource "awsoidc_role" "deploy" {
  name        = var.role_name
  description = "GitLab CI (${var.gitlab_url}): ${var.project_path} on ${var.branch}"

  trust {
    provider_arn = awsoidc_provider.gitlab.arn
    audiences    = [var.audience]
    subjects     = ["project_path:${var.project_path}:ref_type:branch:ref:${var.branch}"]
  }

  managed_policy_arns = var.managed_policy_arns
}
