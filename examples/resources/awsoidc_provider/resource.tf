# GitHub Actions: one issuer for every repository, audience sts.amazonaws.com.
# No thumbprints: IAM derives one when none is given.
resource "awsoidc_provider" "github" {
  url        = "https://token.actions.githubusercontent.com"
  client_ids = ["sts.amazonaws.com"]

  tags = {
    Purpose = "github-actions-deploy"
  }
}
