# GitHub Actions deploys to AWS from one repository, one branch and one environment.
#
# The role is pinned three ways, all of which must hold:
#   - the subject names the repository and the environment (both subject forms GitHub
#     issues: by name, and the immutable form with IDs that new repositories get);
#   - repository_id and repository_owner_id, which survive renames and cannot be taken
#     over by re-creating a deleted repository or organisation under the same name;
#   - ref, the branch the workflow runs on.

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
  # github.com has one issuer shared by every repository on GitHub; a GHE.com
  # enterprise has its own.
  issuer = var.ghe_tenant == null ? "https://token.actions.githubusercontent.com" : "https://token.actions.${var.ghe_tenant}.ghe.com"

  subject_context = var.environment == null ? "ref:refs/heads/${var.branch}" : "environment:${var.environment}"
}

# Fails the plan when the issuer's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "github" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "github" {
  issuer = local.issuer
}

# One per issuer and account: if it exists already, import it (see README.md).
resource "awsoidc_provider" "github" {
  url         = data.awsoidc_discovery.github.issuer
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = data.awsoidc_thumbprint.github.thumbprints
}

resource "awsoidc_role" "deploy" {
  name        = var.role_name
  description = "GitHub Actions: ${var.owner}/${var.repository}, ${local.subject_context}"

  trust {
    provider_arn = awsoidc_provider.github.arn
    audiences    = ["sts.amazonaws.com"]
    subjects = [
      "repo:${var.owner}/${var.repository}:${local.subject_context}",
      "repo:${var.owner}@${var.owner_id}/${var.repository}@${var.repository_id}:${local.subject_context}",
    ]
    claims = {
      repository_id       = [var.repository_id]
      repository_owner_id = [var.owner_id]
      ref                 = ["refs/heads/${var.branch}"]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
