output "role_arn" {
  description = "Set as role-to-assume of aws-actions/configure-aws-credentials."
  value       = awsoidc_role.deploy.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for the GitHub Actions issuer."
  value       = awsoidc_provider.github.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.deploy.assume_role_policy
}
