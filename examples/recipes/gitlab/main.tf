# GitLab CI on gitlab.com deploys to AWS from one project's protected branch.
#
# gitlab.com gives tokens to every project on it, so the role is pinned by the subject
# (project path and branch) and by the IDs AWS exposes for gitlab.com: project_id and
# namespace_id survive renames and cannot be taken over by re-creating a deleted
# project or group under the same path. ref_protected refuses unprotected branches.

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
  issuer = "https://gitlab.com"
}

# Fails the plan when the issuer's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "gitlab" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "gitlab" {
  issuer = local.issuer
}

# One per issuer and account: if it exists already, import it.
resource "awsoidc_provider" "gitlab" {
  url         = data.awsoidc_discovery.gitlab.issuer
  client_ids  = [var.audience]
  thumbprints = data.awsoidc_thumbprint.gitlab.thumbprints
}

resource "awsoidc_role" "deploy" {
  name        = var.role_name
  description = "GitLab CI: ${var.project_path} on ${var.branch}"

  trust {
    provider_arn = awsoidc_provider.gitlab.arn
    audiences    = [var.audience]
    subjects     = ["project_path:${var.project_path}:ref_type:branch:ref:${var.branch}"]
    claims = {
      project_id    = [var.project_id]
      namespace_id  = [var.namespace_id]
      ref_protected = ["true"]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
