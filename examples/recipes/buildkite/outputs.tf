output "role_arn" {
  description = "Pass to the aws-assume-role-with-web-identity plugin as role-arn."
  value       = awsoidc_role.deploy.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for agent.buildkite.com."
  value       = awsoidc_provider.buildkite.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.deploy.assume_role_policy
}
