output "role_arn" {
  description = "Set as ROLE_ARN in the project's CI/CD variables."
  value       = awsoidc_role.deploy.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for gitlab.com."
  value       = awsoidc_provider.gitlab.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.deploy.assume_role_policy
}
