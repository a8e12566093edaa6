output "plan_role_arn" {
  description = "Set as the workspace variable TFC_AWS_PLAN_ROLE_ARN (environment category)."
  value       = awsoidc_role.plan.arn
}

output "apply_role_arn" {
  description = "Set as the workspace variable TFC_AWS_APPLY_ROLE_ARN (environment category)."
  value       = awsoidc_role.apply.arn
}

output "provider_arn" {
  description = "ARN of the IAM OIDC provider for HCP Terraform."
  value       = awsoidc_provider.hcp.arn
}

output "workspace_variables" {
  description = "The environment variables to set on the workspace."
  value = {
    TFC_AWS_PROVIDER_AUTH              = "true"
    TFC_AWS_PLAN_ROLE_ARN              = awsoidc_role.plan.arn
    TFC_AWS_APPLY_ROLE_ARN             = awsoidc_role.apply.arn
    TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE = var.audience
  }
}
