terraform {
  required_version = ">= 1.10"
  required_providers {
    awsoidc = {
      source = "awsoidc/awsoidc"
    }
  }
}

# Credentials, region and endpoints come from the usual AWS settings: a profile,
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION, HCP Terraform dynamic credentials.
# `make demo` sets them to a local AWS endpoint and a local identity provider.
provider "awsoidc" {}
