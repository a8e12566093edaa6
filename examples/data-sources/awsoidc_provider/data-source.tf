# By URL, with or without https://.
data "awsoidc_provider" "github" {
  url = "token.actions.githubusercontent.com"
}

# By ARN.
data "awsoidc_provider" "eks" {
  arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

output "github_client_ids" {
  value = data.awsoidc_provider.github.client_ids
}
