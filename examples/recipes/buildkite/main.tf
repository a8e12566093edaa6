# Buildkite deploys to AWS from one pipeline of one organization, on one branch.
#
# agent.buildkite.com gives tokens to every organization on Buildkite, so the subject
# names the organization, pipeline and branch, and the organization_id and pipeline_id
# claims AWS exposes for Buildkite pin them by UUID, which survive renames.

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
  issuer = "https://agent.buildkite.com"
}

# Fails the plan when the issuer's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "buildkite" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "buildkite" {
  issuer = local.issuer
}

# One per issuer and account: if it exists already, import it.
resource "awsoidc_provider" "buildkite" {
  url         = data.awsoidc_discovery.buildkite.issuer
  client_ids  = [var.audience]
  thumbprints = data.awsoidc_thumbprint.buildkite.thumbprints
}

resource "awsoidc_role" "deploy" {
  name        = var.role_name
  description = "Buildkite: ${var.organization_slug}/${var.pipeline_slug} on ${var.branch}"

  trust {
    provider_arn = awsoidc_provider.buildkite.arn
    audiences    = [var.audience]
    subjects     = ["organization:${var.organization_slug}:pipeline:${var.pipeline_slug}:ref:refs/heads/${var.branch}:commit:*:step:*"]
    claims = {
      organization_id = [var.organization_id]
      pipeline_id     = [var.pipeline_id]
      build_branch    = [var.branch]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
