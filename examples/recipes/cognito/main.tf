# The authenticated role of a Cognito identity pool: app users who signed in (through
# any of the pool's identity providers) get it; guests and other pools' users do not.
#
# cognito-identity.amazonaws.com is built into AWS: there is no IAM OIDC provider to
# create, and every identity pool in every account gets tokens from it. So the role pins
# the audience to this pool's ID and requires amr to hold "authenticated".

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

resource "awsoidc_role" "authenticated" {
  name        = var.role_name
  description = "Signed-in users of identity pool ${var.identity_pool_id}"

  trust {
    built_in  = "cognito-identity.amazonaws.com"
    audiences = [var.identity_pool_id]
    claims = {
      amr = ["authenticated"]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
