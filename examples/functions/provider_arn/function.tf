# "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
output "eks_provider_arn" {
  value = provider::awsoidc::provider_arn("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "123456789012")
}

# In another partition.
output "gov_provider_arn" {
  value = provider::awsoidc::provider_arn("https://token.actions.githubusercontent.com", "123456789012", "aws-us-gov")
}
