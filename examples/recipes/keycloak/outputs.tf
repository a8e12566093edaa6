output "role_arn" {
  description = "The role members of the team assume with their ID token."
  value       = awsoidc_role.team.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for the realm."
  value       = awsoidc_provider.realm.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.team.assume_role_policy
}
