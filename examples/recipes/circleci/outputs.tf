output "role_arn" {
  description = "Pass as role-arn to the aws-cli orb's setup command."
  value       = awsoidc_role.deploy.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for the CircleCI organization."
  value       = awsoidc_provider.circleci.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.deploy.assume_role_policy
}
