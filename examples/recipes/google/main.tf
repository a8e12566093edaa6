# A workload on Google Cloud (here a service account, for example the one a Cloud Run
# service runs as) calls AWS with a Google-signed ID token.
#
# accounts.google.com is built into AWS: there is no IAM OIDC provider to create, and
# anyone can get a Google ID token for any audience they like. So the role pins:
#   - accounts.google.com:aud, which AWS fills from the token's azp (the OAuth client
#     or service account that asked for the token), to your client;
#   - accounts.google.com:oaud, the token's own aud, to the audience your workload asks
#     for;
#   - accounts.google.com:sub to the Google account IDs allowed.

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

resource "awsoidc_role" "workload" {
  name        = var.role_name
  description = "Google identities ${join(", ", var.subjects)}"

  trust {
    built_in  = "accounts.google.com"
    audiences = [var.client_id]
    subjects  = var.subjects
    claims = {
      oaud = [var.audience]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
