output "role_arn" {
  description = "Set as AWS_ROLE_ARN in the deployment environment's variables."
  value       = awsoidc_role.deploy.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for the workspace."
  value       = awsoidc_provider.bitbucket.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.deploy.assume_role_policy
}
