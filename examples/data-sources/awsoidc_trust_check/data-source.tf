# Would a pipeline on the main branch be allowed to assume the role? And a fork?
data "awsoidc_trust_check" "main_branch" {
  trust_policy = awsoidc_role.deploy.assume_role_policy
  claims = {
    iss = "https://token.actions.githubusercontent.com"
    aud = "sts.amazonaws.com"
    sub = "repo:my-org/my-repo:ref:refs/heads/main"
  }
}

data "awsoidc_trust_check" "fork" {
  trust_policy = awsoidc_role.deploy.assume_role_policy
  claims = {
    iss = "https://token.actions.githubusercontent.com"
    aud = "sts.amazonaws.com"
    sub = "repo:someone-else/my-repo:ref:refs/heads/main"
  }
}

# Fail every plan in which the trust policy stops meaning what it should.
check "deploy_role_trust" {
  assert {
    condition     = data.awsoidc_trust_check.main_branch.allowed
    error_message = "The main branch can no longer deploy: ${data.awsoidc_trust_check.main_branch.summary}"
  }
  assert {
    condition     = !data.awsoidc_trust_check.fork.allowed
    error_message = "A fork could deploy: ${data.awsoidc_trust_check.fork.summary}"
  }
}

# With a real token, it is first verified (signature, kid, iss, aud, exp, nbf), as STS does.
# The data source takes the path of a file holding the token, never the token itself:
# whatever a data source is given is written to the state. Here, the token file that
# EKS, HCP Terraform or a CI job provides for AWS_WEB_IDENTITY_TOKEN_FILE.
variable "id_token_file" {
  type = string
}

data "awsoidc_trust_check" "this_token" {
  role_arn   = awsoidc_role.deploy.arn
  token_file = var.id_token_file
  # Claims kept in the results besides iss, aud, azp, amr, exp, nbf and iat. sub names a
  # repository here; for a workforce identity provider it names a person: leave it out.
  keep_claims = ["sub"]
}

output "token_problems" {
  value = data.awsoidc_trust_check.this_token.token_problems
}
