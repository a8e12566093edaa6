# After: the same provider and role, adopted by awsoidc with import blocks. Nothing is
# created or destroyed; the plan shows two imports.
import {
  to = awsoidc_provider.github
  id = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
}

import {
  to = awsoidc_role.deploy
  id = "github-deploy"
}

# Replaces data "tls_certificate": the certificate AWS actually takes (the last one the
# key host serves), not certificates[0].
data "awsoidc_thumbprint" "github" {
  issuer = "https://token.actions.githubusercontent.com"
}

resource "awsoidc_provider" "github" {
  url         = "https://token.actions.githubusercontent.com"
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = data.awsoidc_thumbprint.github.thumbprints
}

# The trust policy is built from the trust block; write it so that it means what the
# old JSON meant, and the plan shows no change to the policy.
resource "awsoidc_role" "deploy" {
  name = "github-deploy"

  trust {
    provider_arn = awsoidc_provider.github.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:my-org/my-repo:ref:refs/heads/main"]
  }

  # Takes over aws_iam_role_policy_attachment.deploy_read_only.
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
