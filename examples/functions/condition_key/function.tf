# "token.actions.githubusercontent.com:sub"
output "github_sub_key" {
  value = provider::awsoidc::condition_key("https://token.actions.githubusercontent.com", "sub")
}

# The trailing slash of an Auth0 issuer is part of the key: "my-tenant.eu.auth0.com/:aud"
output "auth0_aud_key" {
  value = provider::awsoidc::condition_key("https://my-tenant.eu.auth0.com/", "aud")
}
