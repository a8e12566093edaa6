# Auth0 writes its issuer with a trailing slash, and STS compares a token's
# `iss` with the provider URL exactly: keep the slash as Auth0 writes it.
resource "awsoidc_provider" "auth0" {
  url        = "https://example-tenant.us.auth0.com/"
  client_ids = ["aBcD1234eFgH5678iJkL9012mNoP3456"]
}
