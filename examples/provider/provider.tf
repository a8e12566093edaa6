terraform {
  required_providers {
    awsoidc = {
      source = "awsoidc/awsoidc"
    }
  }
}

# Credentials and region come from the same places as for the AWS provider:
# environment variables, a named profile, an assumed role, a web identity
# token, or HCP Terraform dynamic credentials.
provider "awsoidc" {
  region = "us-east-1"

  default_tags {
    tags = {
      ManagedBy = "terraform"
    }
  }
}
