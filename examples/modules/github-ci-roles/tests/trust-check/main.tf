# A helper for the tests: would a token with these claims be allowed by this trust
# policy? Answered by awsoidc_trust_check, as STS would.
terraform {
  required_providers {
    awsoidc = {
      source = "awsoidc/awsoidc"
    }
  }
}

variable "policy" {
  type = string
}

variable "claims" {
  type = any
}

data "awsoidc_trust_check" "this" {
  trust_policy = var.policy
  claims       = var.claims
}

output "allowed" {
  value = data.awsoidc_trust_check.this.allowed
}

output "summary" {
  value = data.awsoidc_trust_check.this.summary
}
