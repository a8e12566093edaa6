# An IAM OIDC provider is imported by its ARN.
terraform import awsoidc_provider.github arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
