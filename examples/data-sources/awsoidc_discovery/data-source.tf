# Read an identity provider the way AWS does. What would make AWS refuse it is in
# `problems` (shown as warnings); departures from AWS's checklist that AWS tolerates are
# in `warnings`.
data "awsoidc_discovery" "gitlab" {
  issuer = "https://gitlab.com"
}

output "gitlab" {
  value = {
    aws_compatible = data.awsoidc_discovery.gitlab.aws_compatible # true
    jwks_host      = data.awsoidc_discovery.gitlab.jwks_host      # "gitlab.com"
    warnings       = data.awsoidc_discovery.gitlab.warnings[*].code
    # ["id_token_response_type_missing"]: gitlab.com offers only the "code" response
    # type, which AWS's checklist asks for but STS does not need.
  }
}

# The issuer is compared exactly as the IdP publishes it. Auth0 issuers end with a
# slash; without it, issuer_mismatch would be a problem, and with strict = true an error.
data "awsoidc_discovery" "auth0" {
  issuer = "https://example.eu.auth0.com/"
  strict = true
}

# An IdP whose certificates come from a private CA.
data "awsoidc_discovery" "keycloak" {
  issuer    = "https://sso.internal.example.com/realms/ci"
  ca_bundle = file("${path.module}/internal-root-ca.pem")
}

# Register the IdP only if AWS can use it, saying why not otherwise.
resource "awsoidc_provider" "keycloak" {
  url        = data.awsoidc_discovery.keycloak.issuer
  client_ids = ["sts.amazonaws.com"]

  lifecycle {
    precondition {
      condition     = data.awsoidc_discovery.keycloak.aws_compatible
      error_message = join("\n", [for p in data.awsoidc_discovery.keycloak.problems : "${p.code}: ${p.message}"])
    }
  }
}

# Keep watching the IdP once it is registered: a changed issuer, or a key set that no
# longer offers a key STS can verify with, shows up as a failed check in every plan,
# before tokens start failing.
check "idp_usable_by_aws" {
  data "awsoidc_discovery" "now" {
    issuer    = awsoidc_provider.keycloak.url
    ca_bundle = file("${path.module}/internal-root-ca.pem")
  }

  assert {
    condition     = data.awsoidc_discovery.now.aws_compatible
    error_message = join("\n", [for p in data.awsoidc_discovery.now.problems : "${p.code}: ${p.message}"])
  }
}
