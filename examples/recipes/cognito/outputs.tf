output "role_arn" {
  description = "The pool's authenticated role: aws_cognito_identity_pool_roles_attachment roles = { authenticated = this }."
  value       = awsoidc_role.authenticated.arn
}

output "assume_role_policy" {
  description = "The trust policy the role was given."
  value       = awsoidc_role.authenticated.assume_role_policy
}
