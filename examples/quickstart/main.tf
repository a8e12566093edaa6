# 1. Read the identity provider the way AWS does, and fail the plan if AWS would refuse it.
data "awsoidc_discovery" "idp" {
  issuer = var.issuer
  strict = true
}

# 2. The thumbprints AWS would compute, for every host it checks.
data "awsoidc_thumbprint" "idp" {
  issuer = var.issuer
}

# 3. IAM trusts the identity provider.
resource "awsoidc_provider" "idp" {
  url         = data.awsoidc_discovery.idp.issuer
  client_ids  = [var.audience]
  thumbprints = data.awsoidc_thumbprint.idp.thumbprints
}

# 4. A role only the allowed subject can assume.
resource "awsoidc_role" "deployer" {
  name        = var.role_name
  description = "Assumed by ${var.subject} through ${var.issuer}"

  trust {
    provider_arn = awsoidc_provider.idp.arn
    audiences    = [var.audience]
    subjects     = [var.subject]
  }
}

# 5. Would STS let these tokens in? The allowed subject yes, its neighbour no.
data "awsoidc_trust_check" "allowed" {
  trust_policy = awsoidc_role.deployer.assume_role_policy
  claims       = { iss = var.issuer, aud = var.audience, sub = var.subject }
}

data "awsoidc_trust_check" "neighbour" {
  trust_policy = awsoidc_role.deployer.assume_role_policy
  claims       = { iss = var.issuer, aud = var.audience, sub = "${var.subject}-fork" }
}

check "only_the_allowed_subject" {
  assert {
    condition     = data.awsoidc_trust_check.allowed.allowed && !data.awsoidc_trust_check.neighbour.allowed
    error_message = "The role's trust policy does not admit exactly ${var.subject}: ${data.awsoidc_trust_check.allowed.summary}"
  }
}
