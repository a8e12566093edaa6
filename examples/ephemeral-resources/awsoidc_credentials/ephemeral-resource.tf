# In CI: trade the job's ID token for short-lived credentials, never written to state,
# and use them to configure another provider.
ephemeral "awsoidc_credentials" "deploy" {
  role_arn                = "arn:aws:iam::123456789012:role/deploy"
  web_identity_token_file = "/var/run/secrets/token"
  session_name            = "release-42"
  duration                = "30m"
}

provider "aws" {
  region     = "eu-west-1"
  access_key = ephemeral.awsoidc_credentials.deploy.access_key_id
  secret_key = ephemeral.awsoidc_credentials.deploy.secret_access_key
  token      = ephemeral.awsoidc_credentials.deploy.session_token
}
