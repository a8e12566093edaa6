terraform {
  required_version = ">= 1.10"
  required_providers {
    awsoidc = {
      source = "awsoidc/awsoidc"
    }
  }
}
