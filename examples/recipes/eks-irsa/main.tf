# IAM roles for service accounts (IRSA): pods of one EKS cluster running as one
# Kubernetes service account get the role; every other service account, in that
# namespace or any other, does not. The example is the EBS CSI driver's controller.
#
# Each cluster has its own issuer, so no other cluster's tokens are trusted.

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

# Fails the plan when the cluster's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "cluster" {
  issuer = var.cluster_oidc_issuer
  strict = true
}

data "awsoidc_thumbprint" "cluster" {
  issuer = var.cluster_oidc_issuer
}

# One per cluster: shared by every IRSA role of the cluster.
resource "awsoidc_provider" "cluster" {
  url         = data.awsoidc_discovery.cluster.issuer
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = data.awsoidc_thumbprint.cluster.thumbprints
}

resource "awsoidc_role" "service_account" {
  name        = var.role_name
  description = "Service account ${var.namespace}/${var.service_account}"

  trust {
    provider_arn = awsoidc_provider.cluster.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:${var.namespace}:${var.service_account}"]
  }

  managed_policy_arns = var.managed_policy_arns
}
