output "provider_arn" {
  description = "ARN of the IAM OIDC provider the roles trust."
  value       = local.provider_arn
}

output "role_arns" {
  description = "Role ARN by repository key: role-to-assume for aws-actions/configure-aws-credentials."
  value       = { for key, role in awsoidc_role.repository : key => role.arn }
}

output "role_names" {
  description = "Role name by repository key."
  value       = { for key, role in awsoidc_role.repository : key => role.name }
}

output "assume_role_policies" {
  description = "Trust policy by repository key, as JSON."
  value       = { for key, role in awsoidc_role.repository : key => role.assume_role_policy }
}

output "subjects" {
  description = "The subjects each role accepts."
  value       = local.subjects
}
