# People of one Keycloak realm get an AWS role according to their team, which a protocol
# mapper puts in the https://aws.amazon.com/tags claim. Only tokens of this realm, issued
# to this client, tagged with the team, and carrying no tag keys beyond those listed,
# may assume the role.
#
# Every realm is its own issuer (<url>/realms/<realm>), so users of other realms on the
# same server are not trusted. Keycloak often runs behind a private CA: pass its root in
# ca_bundle_file, and the thumbprints IAM falls back on are registered from it.

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
  issuer    = "${var.keycloak_url}/realms/${var.realm}"
  ca_bundle = var.ca_bundle_file == null ? null : file(var.ca_bundle_file)
}

# Fails the plan when the realm's discovery document or keys would not satisfy AWS.
data "awsoidc_discovery" "realm" {
  issuer    = local.issuer
  ca_bundle = local.ca_bundle
  strict    = true
}

data "awsoidc_thumbprint" "realm" {
  issuer    = local.issuer
  ca_bundle = local.ca_bundle
}

resource "awsoidc_provider" "realm" {
  url         = data.awsoidc_discovery.realm.issuer
  client_ids  = [var.client_id]
  thumbprints = data.awsoidc_thumbprint.realm.thumbprints
}

resource "awsoidc_role" "team" {
  name        = var.role_name
  description = "Keycloak realm ${var.realm}, team ${var.team}"

  trust {
    provider_arn = awsoidc_provider.realm.arn
    audiences    = [var.client_id]

    session_tags {
      request_tags = { team = [var.team] }
      allowed_keys = ["team", "cost-center"]
    }
  }

  managed_policy_arns = var.managed_policy_arns
}
