# In a GitLab job, the ID token is in an environment variable (id_tokens: AWS_TOKEN);
# `TF_VAR_id_token=$AWS_TOKEN terraform plan` hands it over without writing it anywhere.
variable "id_token" {
  type      = string
  ephemeral = true
}

# Would this job's token be allowed to assume the deploy role? The token is verified as
# STS does, then the trust policy is evaluated; nothing of it reaches the plan or the state.
ephemeral "awsoidc_trust_check" "this_job" {
  role_arn = "arn:aws:iam::123456789012:role/deploy"
  token    = var.id_token
}

check "this_job_may_deploy" {
  assert {
    condition     = ephemeral.awsoidc_trust_check.this_job.allowed
    error_message = "This job's token would not be allowed to assume the deploy role: see the awsoidc_trust_check results."
  }
}
