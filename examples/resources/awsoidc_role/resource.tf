# A workforce identity provider (Okta): people sign in, and their groups and
# department reach AWS as session tags, for attribute-based access control.
#
# In Okta, add a claim named "https://aws.amazon.com/tags" to the ID token, for example
#   {"principal_tags": {"department": [user.department], "team": [...]},
#    "transitive_tag_keys": ["department"]}
# AWS exposes no other custom claim to trust policies: a condition on "groups" or
# "department" directly would never match, and is refused at plan time.
resource "awsoidc_provider" "okta" {
  url        = "https://example.okta.com/oauth2/default"
  client_ids = ["0oa1b2c3d4e5f6g7h8i9"]
}

resource "awsoidc_role" "engineering" {
  name        = "okta-engineering"
  description = "Engineers signed in with Okta"

  trust {
    provider_arn = awsoidc_provider.okta.arn
    audiences    = ["0oa1b2c3d4e5f6g7h8i9"]

    session_tags {
      # Only tokens tagged with one of these departments may assume the role.
      request_tags = {
        department = ["engineering", "platform-*"]
      }
      # Refuse tokens carrying any other tag, and keep only department transitive.
      allowed_keys    = ["department", "team"]
      transitive_keys = ["department"]
    }
  }

  inline_policies = {
    # Each team reads only the objects under its own prefix.
    team-objects = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "arn:aws:s3:::example-shared-bucket/$${aws:PrincipalTag/team}/*"
      }]
    })
  }

  max_session_duration = 14400
  tags = {
    idp = "okta"
  }
}

# GitHub Actions: deployments from the main branch of one repository only.
# The shared issuer gives tokens to every repository on GitHub, so the subject
# must name the repository; "repo:*" or no subjects at all is refused at plan time.
resource "awsoidc_provider" "github" {
  url        = "https://token.actions.githubusercontent.com"
  client_ids = ["sts.amazonaws.com"]
}

resource "awsoidc_role" "deploy" {
  name = "github-deploy-web"
  path = "/ci/"

  trust {
    provider_arn = awsoidc_provider.github.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:my-org/web:ref:refs/heads/main"]
    # Pin the repository by ID too, so a repository re-created under the same
    # name cannot inherit the role.
    claims = {
      repository_id = ["123456789"]
    }
  }

  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

# EKS service accounts (IRSA): pods running as the "api" service account in the
# "payments" namespace of one cluster. Each cluster has its own issuer.
variable "cluster_oidc_issuer" {
  description = "The cluster's OIDC issuer URL, as aws_eks_cluster.x.identity[0].oidc[0].issuer returns it."
  type        = string
  default     = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

resource "awsoidc_provider" "eks" {
  url        = var.cluster_oidc_issuer
  client_ids = ["sts.amazonaws.com"]
}

resource "awsoidc_role" "payments_api" {
  name_prefix = "payments-api-"

  trust {
    provider_arn = awsoidc_provider.eks.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:payments:api"]
  }

  inline_policies = {
    queue = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
        Resource = "arn:aws:sqs:eu-west-1:111122223333:payments"
      }]
    })
  }
}

# Annotate the service account with the role:
#   eks.amazonaws.com/role-arn: <awsoidc_role.payments_api.arn>
output "payments_api_role_arn" {
  value = awsoidc_role.payments_api.arn
}
