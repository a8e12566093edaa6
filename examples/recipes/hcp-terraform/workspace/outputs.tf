output "ci_provider_arn" {
  description = "ARN of the IAM OIDC provider, created with the run's dynamic credentials."
  value       = awsoidc_provider.ci.arn
}
