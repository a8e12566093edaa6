# Bitbucket Pipelines deploys to AWS from one repository, through one deployment
# environment.
#
# Every workspace has its own issuer and audience, so other workspaces' tokens are not
# trusted. Within the workspace, the subject ({repository}:{environment}:{step}, with
# braces) pins the repository and the deployment environment by UUID, which survive
# renames.

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
  issuer   = "https://api.bitbucket.org/2.0/workspaces/${var.workspace}/pipelines-config/identity/oidc"
  audience = "ari:cloud:bitbucket::workspace/${trim(var.workspace_uuid, "{}")}"
  # Steps outside a deployment environment have subjects {repository}:{step}.
  subject = var.environment_uuid == null ? "${var.repository_uuid}:*" : "${var.repository_uuid}:${var.environment_uuid}:*"
}

# Fails the plan when the workspace's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "bitbucket" {
  issuer = local.issuer
  strict = true
}

data "awsoidc_thumbprint" "bitbucket" {
  issuer = local.issuer
}

resource "awsoidc_provider" "bitbucket" {
  url         = data.awsoidc_discovery.bitbucket.issuer
  client_ids  = [local.audience]
  thumbprints = data.awsoidc_thumbprint.bitbucket.thumbprints
}

resource "awsoidc_role" "deploy" {
  name        = var.role_name
  description = "Bitbucket Pipelines: ${var.workspace} repository ${var.repository_uuid}"

  trust {
    provider_arn = awsoidc_provider.bitbucket.arn
    audiences    = [local.audience]
    subjects     = [local.subject]
  }

  managed_policy_arns = var.managed_policy_arns
}
