output "role_arn" {
  description = "Annotate the service account with eks.amazonaws.com/role-arn set to this."
  value       = awsoidc_role.service_account.arn
}

output "provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider, for the cluster's other IRSA roles."
  value       = awsoidc_provider.cluster.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.service_account.assume_role_policy
}
