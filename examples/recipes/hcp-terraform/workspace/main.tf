# A workspace that runs with the roles of ../ (TFC_AWS_PROVIDER_AUTH = true): HCP Terraform
# writes a shared config file and a token file into every run, and both the AWS provider
# and this one read them through the AWS SDK's shared-config and web-identity handling.
# This workspace manages the account's OIDC federation for a CI system.

terraform {
  required_version = ">= 1.10"
  required_providers {
    awsoidc = {
      source = "awsoidc/awsoidc"
    }
  }
}

# The AWS provider takes the same setting:
#
#   provider "aws" {
#     shared_config_files = [var.tfc_aws_dynamic_credentials.default.shared_config_file]
#   }
provider "awsoidc" {
  shared_config_files = [var.tfc_aws_dynamic_credentials.default.shared_config_file]
}

resource "awsoidc_provider" "ci" {
  url        = var.ci_issuer
  client_ids = var.ci_client_ids
}
