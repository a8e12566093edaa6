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

# With a real token, it is verified first (signature, kid, iss, aud, exp, nbf), as STS does.
variable "id_token" {
  type      = string
  sensitive = true
}

data "awsoidc_trust_check" "this_token" {
  role_arn = awsoidc_role.deploy.arn
  token    = var.id_token
}

output "token_problems" {
  value = data.awsoidc_trust_check.this_token.token_problems
}
