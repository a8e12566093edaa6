output "role_arn" {
  description = "The role the workload assumes with its Google ID token."
  value       = awsoidc_role.workload.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.workload.assume_role_policy
}
