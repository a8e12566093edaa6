output "provider_arn" {
  description = "ARN of the IAM OIDC provider."
  value       = awsoidc_provider.idp.arn
}

output "thumbprint" {
  description = "Thumbprint of the last certificate the JWKS host serves."
  value       = data.awsoidc_thumbprint.idp.thumbprint
}

output "role_arn" {
  description = "ARN of the role a token of the allowed subject can assume."
  value       = awsoidc_role.deployer.arn
}

output "assume_role_policy" {
  description = "The trust policy the provider built."
  value       = awsoidc_role.deployer.assume_role_policy
}

output "allowed_subject_may_assume" {
  value = data.awsoidc_trust_check.allowed.allowed
}

output "neighbour_may_assume" {
  value = data.awsoidc_trust_check.neighbour.allowed
}
