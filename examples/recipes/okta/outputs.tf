output "role_arn" {
  description = "The role people of the department assume with their ID token."
  value       = awsoidc_role.department.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for the Okta authorization server."
  value       = awsoidc_provider.okta.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.department.assume_role_policy
}
