package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// readmeFirstConfiguration is the README's first configuration (a provider and a role
// created together) with this test's provider block in place of the README's.
func readmeFirstConfiguration(t *testing.T, e *accEnv) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## A first configuration")
	if start < 0 {
		t.Fatal(`README.md has no "## A first configuration" section`)
	}
	block := regexp.MustCompile("(?s)```terraform\n(.*?)```").FindStringSubmatch(readme[start:])
	if block == nil {
		t.Fatal("the README's first configuration has no terraform code block")
	}
	config := regexp.MustCompile(`(?s)provider "awsoidc" \{.*?\n\}\n`).ReplaceAllString(block[1], "")
	if !strings.Contains(config, `resource "awsoidc_provider" "github"`) || !strings.Contains(config, "provider_arn = awsoidc_provider.github.arn") {
		t.Fatalf("the README's first configuration no longer creates a provider and a role trusting it:\n%s", config)
	}
	return e.providerBlock("") + config
}

// TestAccRole_firstPlanShowsTheWholeTrustPolicy pins that the README's first
// configuration, with terraform plan alone, shows the provider's ARN and the role's whole
// trust policy, without asking IAM for anything.
func TestAccRole_firstPlanShowsTheWholeTrustPolicy(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	arn := providerARNFor("token.actions.githubusercontent.com")
	want, err := trustpolicy.Build(trustpolicy.Spec{Statements: []trustpolicy.Trust{{
		ProviderARN: arn,
		Audiences:   []string{"sts.amazonaws.com"},
		Subjects:    []string{"repo:my-org/my-repo:ref:refs/heads/main"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             readmeFirstConfiguration(t, e),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("awsoidc_provider.github", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue("awsoidc_provider.github", tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
				plancheck.ExpectKnownValue("awsoidc_role.deploy", tfjsonpath.New("assume_role_policy"), knownvalue.StringExact(want)),
			}},
		}},
	})
	if n := e.ep.ServiceCount(acctest.ServiceIAM); n != 0 {
		t.Errorf("IAM received %d request(s) for a plan of new resources, want none: %s", n, strings.Join(e.iamActions(), ", "))
	}
}

// TestAccRole_firstPlanRefusesACatchAllSubject pins that a role trusting a provider created
// in the same apply is refused at plan, on the attribute at fault, with no IAM call.
func TestAccRole_firstPlanRefusesACatchAllSubject(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	config := strings.Replace(readmeFirstConfiguration(t, e), `subjects     = ["repo:my-org/my-repo:ref:refs/heads/main"]`, `subjects     = ["*"]`, 1)
	if !strings.Contains(config, `subjects     = ["*"]`) {
		t.Fatalf("the README's first configuration no longer sets subjects as this test expects:\n%s", config)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:   config,
			PlanOnly: true,
			ExpectError: attributeErrorPattern("Subject Matches Anyone", "subjects", `subject "*" matches every subject`,
				"token.actions.githubusercontent.com (GitHub Actions)", "allow_any_subject"),
		}},
	})
	if n := e.ep.ServiceCount(acctest.ServiceIAM); n != 0 {
		t.Errorf("IAM received %d request(s), want none: %s", n, strings.Join(e.iamActions(), ", "))
	}
}

// TestAccRole_withoutTheAccountTheIssuerChecksRunAtApply pins the one case where the
// provider's ARN is not known at plan: the configuration skips both the credentials check
// and the account lookup, either of which tells the account. The role's checks that need
// the issuer then run when apply plans again, before any role is created.
func TestAccRole_withoutTheAccountTheIssuerChecksRunAtApply(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	host := uniqueHost(t)
	config := func(claims string) string {
		return e.providerBlock("skip_credentials_validation = true\n  skip_requesting_account_id  = true") + fmt.Sprintf(`
resource "awsoidc_provider" "test" {
  url        = "https://%s"
  client_ids = ["sts.amazonaws.com"]
}
`, host) + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = awsoidc_provider.test.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:ci:deployer"]
    claims       = %s
  }`, testRoleName(t), claims))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             config(`{ azp = ["deployer"] }`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue("awsoidc_provider.test", tfjsonpath.New("arn")),
				plancheck.ExpectUnknownValue(roleRes, tfjsonpath.New("assume_role_policy")),
			}},
		}, {
			// groups is not a key AWS exposes for a generic issuer; that is known only once
			// the issuer is, so plan passes and apply refuses the role.
			Config:      config(`{ groups = ["admins"] }`),
			ExpectError: attributeErrorPattern("Claim Not Exposed by AWS", "claims", `claim "groups"`, "session_tags"),
		}},
	})
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 1 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 1", n)
	}
	if n := e.ep.Count("CreateRole"); n != 0 {
		t.Errorf("CreateRole called %d times, want 0", n)
	}
}

// TestAccRole_aRuleNeverBlocksDestroyingARoleItDoesNotChange pins that a role whose
// configuration now breaks a rule, without changing its trust policy, still plans (with a
// warning) and is destroyed: the rules say what may be written to IAM, and nothing is.
func TestAccRole_aRuleNeverBlocksDestroyingARoleItDoesNotChange(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	config := func(optOut string) string {
		return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["*"]
    claims       = { repository_owner_id = ["123456"] }
    %s
  }`, name, githubProviderARN, optOut))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkIAMRoleGone(t, name),
		Steps: []resource.TestStep{
			// Created with the explicit opt-out, which the owner claim makes acceptable...
			{Config: config("allow_any_subject = true")},
			// ...which, removed, leaves the policy as it is: the plan records the blocks
			// without an error and writes nothing to IAM, and the destroy at the end of the
			// test runs with this configuration.
			{
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate),
				}},
			},
		},
	})
	if n := e.ep.Count("UpdateAssumeRolePolicy"); n != 0 {
		t.Errorf("UpdateAssumeRolePolicy called %d times, want 0", n)
	}
	if n := e.ep.Count("DeleteRole"); n != 1 {
		t.Errorf("DeleteRole called %d times, want 1", n)
	}
}

// TestAccRole_anApplyStoppedAtARefusedRoleIsDestroyedAsDocumented follows the README when
// an apply stops at a role refused during apply (the account was not known at plan): the
// provider it created is destroyed by terraform destroy -refresh=false, and, with the
// role's block removed, by a plain terraform destroy; nothing is left in IAM.
//
// A plain terraform destroy with the refused role still configured fails: Terraform plans
// the whole configuration before destroying (the pre-destroy refresh), with the same
// requests as terraform plan, so a provider cannot refuse a role at plan and accept it then.
func TestAccRole_anApplyStoppedAtARefusedRoleIsDestroyedAsDocumented(t *testing.T) {
	t.Parallel()
	for _, way := range []string{"refresh=false", "role removed"} {
		t.Run(way, func(t *testing.T) {
			t.Parallel()
			e := newAccEnv(t)
			host := uniqueHost(t)
			providerBlock := e.providerBlock("skip_credentials_validation = true\n  skip_requesting_account_id  = true") + fmt.Sprintf(`
resource "awsoidc_provider" "test" {
  url        = "https://%s"
  client_ids = ["sts.amazonaws.com"]
}
`, host)
			role := roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = awsoidc_provider.test.arn
    audiences    = ["sts.amazonaws.com"]
    claims       = { groups = ["admins"] }
  }`, testRoleName(t)))
			cli := newCLI(t)
			cli.Write("main.tf", providerBlock+role)
			cli.MustRun(nil, "init")
			t.Cleanup(func() { cli.Run("destroy", "-auto-approve", "-refresh=false") })
			stopped := cli.MustRun([]int{1}, "apply", "-auto-approve")
			if !strings.Contains(stopped.Output(), "Claim Not Exposed by AWS") {
				t.Fatalf("the apply should stop at the refused role\n%s", stopped)
			}
			arn := providerARNFor(host)
			getProvider(t, arn) // created before the role was refused

			if way == "refresh=false" {
				cli.MustRun(nil, "destroy", "-auto-approve", "-refresh=false")
			} else {
				cli.Write("main.tf", providerBlock)
				cli.MustRun(nil, "destroy", "-auto-approve")
			}
			if _, err := oob(t).GetOpenIDConnectProvider(context.Background(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err == nil {
				t.Errorf("%s still exists after destroy", arn)
			}
			if n := e.ep.Count("CreateRole"); n != 0 {
				t.Errorf("CreateRole called %d times, want 0", n)
			}
		})
	}
}
