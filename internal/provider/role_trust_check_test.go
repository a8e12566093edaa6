package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// TestAccRole_renderedTrustIsCheckedByTrustCheck feeds the trust policies awsoidc_role
// builds to awsoidc_trust_check: the intended identity is allowed, its neighbour denied.
func TestAccRole_renderedTrustIsCheckedByTrustCheck(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	eksARN, eksKey := testOIDCProvider(t, "/id/EXAMPLE0123")
	name := testRoleName(t)

	config := e.providerBlock("") + fmt.Sprintf(`
resource "awsoidc_role" "github" {
  name = "%[1]s-gh"
  trust {
    provider_arn = %[2]q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo/app:ref:refs/heads/main", "repo:octo/app:environment:*"]
    claims       = { repository_id = ["123456"] }
  }
}

resource "awsoidc_role" "eks" {
  name = "%[1]s-eks"
  trust {
    provider_arn = %[3]q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:apps:web"]
  }
}

locals {
  gh = "https://token.actions.githubusercontent.com"
}

data "awsoidc_trust_check" "main_branch" {
  trust_policy = awsoidc_role.github.assume_role_policy
  claims       = { iss = local.gh, aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/main", repository_id = "123456" }
}
data "awsoidc_trust_check" "environment" {
  trust_policy = awsoidc_role.github.assume_role_policy
  claims       = { iss = local.gh, aud = "sts.amazonaws.com", sub = "repo:octo/app:environment:prod", repository_id = "123456" }
}
data "awsoidc_trust_check" "other_branch" {
  trust_policy = awsoidc_role.github.assume_role_policy
  claims       = { iss = local.gh, aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/dev", repository_id = "123456" }
}
data "awsoidc_trust_check" "recreated_repo" {
  trust_policy = awsoidc_role.github.assume_role_policy
  claims       = { iss = local.gh, aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/main", repository_id = "999999" }
}
data "awsoidc_trust_check" "web_service_account" {
  trust_policy = awsoidc_role.eks.assume_role_policy
  claims       = { iss = "https://%[4]s", aud = "sts.amazonaws.com", sub = "system:serviceaccount:apps:web" }
}
data "awsoidc_trust_check" "worker_service_account" {
  trust_policy = awsoidc_role.eks.assume_role_policy
  claims       = { iss = "https://%[4]s", aud = "sts.amazonaws.com", sub = "system:serviceaccount:apps:worker" }
}
`, name, githubProviderARN, eksARN, eksKey)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				allowedIs("main_branch", true),
				allowedIs("environment", true),
				allowedIs("other_branch", false),
				reasonFor("other_branch", "token.actions.githubusercontent.com:sub", "StringEquals", "repo:octo/app:ref:refs/heads/main", "repo:octo/app:ref:refs/heads/dev", false),
				allowedIs("recreated_repo", false),
				reasonFor("recreated_repo", "token.actions.githubusercontent.com:repository_id", "StringEquals", "123456", "999999", false),
				allowedIs("web_service_account", true),
				allowedIs("worker_service_account", false),
			},
		}},
	})
}
