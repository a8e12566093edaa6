package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

const roleRes = "awsoidc_role.test"

// testRoleName gives each test its own role name, since all tests share one moto account.
func testRoleName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(strings.TrimPrefix(t.Name(), "TestAcc"), "-")
	if len(name) > 50 {
		name = name[:50]
	}
	return strings.Trim(name, "-") + "-" + hex.EncodeToString(b)
}

// testOIDCProvider registers an IAM OIDC provider for a fresh issuer straight in moto and
// returns its ARN and condition-key prefix.
func testOIDCProvider(t *testing.T, pathSuffix string) (arn, key string) {
	t.Helper()
	key = uniqueHost(t) + pathSuffix
	out, err := oob(t).CreateOpenIDConnectProvider(context.Background(), &iam.CreateOpenIDConnectProviderInput{
		Url:          aws.String("https://" + key),
		ClientIDList: []string{"sts.amazonaws.com"},
	})
	if err != nil {
		t.Fatalf("creating an OIDC provider for %s in moto: %v", key, err)
	}
	arn = aws.ToString(out.OpenIDConnectProviderArn)
	t.Cleanup(func() {
		_, _ = oob(t).DeleteOpenIDConnectProvider(context.Background(), &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	})
	return arn, key
}

// githubProviderARN is the ARN of GitHub Actions' shared issuer in moto's account. The tests
// share that one provider ARN in trust policies; IAM (and moto) only store it.
var githubProviderARN = providerARNFor("token.actions.githubusercontent.com")

// testPolicy creates a customer managed policy in moto and returns its ARN; moto does not
// load AWS managed policies.
func testPolicy(t *testing.T, suffix string) string {
	t.Helper()
	name := testRoleName(t) + "-" + suffix
	out, err := oob(t).CreatePolicy(context.Background(), &iam.CreatePolicyInput{
		PolicyName:     aws.String(name),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatalf("creating policy %s in moto: %v", name, err)
	}
	arn := aws.ToString(out.Policy.Arn)
	t.Cleanup(func() {
		_, _ = oob(t).DeletePolicy(context.Background(), &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	})
	return arn
}

func roleResourceConfig(body string) string {
	return "\nresource \"awsoidc_role\" \"test\" {\n" + body + "\n}\n"
}

// iamRoleState is what moto holds for a role.
type iamRoleState struct {
	role    *iamtypes.Role
	trust   string
	managed []string
	inline  map[string]string
}

func readIAMRole(t *testing.T, name string) (*iamRoleState, error) {
	t.Helper()
	ctx := context.Background()
	c := oob(t)
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	trust, err := trustpolicy.Decode(aws.ToString(out.Role.AssumeRolePolicyDocument))
	if err != nil {
		return nil, err
	}
	s := &iamRoleState{role: out.Role, trust: trust, inline: map[string]string{}}
	att, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	for _, p := range att.AttachedPolicies {
		s.managed = append(s.managed, aws.ToString(p.PolicyArn))
	}
	slices.Sort(s.managed)
	inl, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	for _, pn := range inl.PolicyNames {
		got, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
		if err != nil {
			return nil, err
		}
		doc, err := trustpolicy.Decode(aws.ToString(got.PolicyDocument))
		if err != nil {
			return nil, err
		}
		s.inline[pn] = doc
	}
	return s, nil
}

// rolesNamed counts moto's roles with this name.
func rolesNamed(t *testing.T, name string) int {
	t.Helper()
	n := 0
	pages := iam.NewListRolesPaginator(oob(t), &iam.ListRolesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("listing roles in moto: %v", err)
		}
		for _, r := range page.Roles {
			if strings.EqualFold(aws.ToString(r.RoleName), name) {
				n++
			}
		}
	}
	return n
}

// checkTrust asserts that the trust policy moto holds for the role lets each token in
// allowed assume it and refuses each token in refused.
func checkTrust(t *testing.T, name, provider string, allowed, refused []map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := readIAMRole(t, name)
		if err != nil {
			return fmt.Errorf("reading role %s from moto: %w", name, err)
		}
		for _, claims := range allowed {
			if d := trustpolicy.Evaluate(s.trust, trustpolicy.Request{Provider: provider, Claims: claims}); !d.Allowed {
				return fmt.Errorf("token %v refused by IAM's trust policy, want allowed: %s\n%s", claims, d.Summary, s.trust)
			}
		}
		for _, claims := range refused {
			if d := trustpolicy.Evaluate(s.trust, trustpolicy.Request{Provider: provider, Claims: claims}); d.Allowed {
				return fmt.Errorf("token %v allowed by IAM's trust policy, want refused\n%s", claims, s.trust)
			}
		}
		return nil
	}
}

func checkIAMRoleGone(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := rolesNamed(t, name); n != 0 {
			return fmt.Errorf("moto still has %d role(s) named %s after destroy", n, name)
		}
		return nil
	}
}

func ghToken(sub string) map[string]any {
	return map[string]any{"aud": "sts.amazonaws.com", "sub": sub}
}

func TestAccRole_createAndImport(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	policyA := testPolicy(t, "a")
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name                 = %q
  path                 = "/ci/"
  description          = "Deploys from GitHub Actions"
  max_session_duration = 7200
  managed_policy_arns  = [%q]
  inline_policies = {
    read = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
  }
  tags = { team = "platform" }

  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/octo-repo:ref:refs/heads/main"]
    claims       = { repository_id = ["123456"] }
  }
`, name, policyA, githubProviderARN))
	wantTrust, err := trustpolicy.Build(trustpolicy.Spec{Statements: []trustpolicy.Trust{{
		ProviderARN: githubProviderARN,
		Audiences:   []string{"sts.amazonaws.com"},
		Subjects:    []string{"repo:octo-org/octo-repo:ref:refs/heads/main"},
		Claims:      []trustpolicy.Claim{{Claim: "repository_id", Values: []string{"123456"}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkIAMRoleGone(t, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("arn"), knownvalue.StringExact(fmt.Sprintf("arn:aws:iam::%s:role/ci/%s", motoAccount, name))),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("assume_role_policy"), knownvalue.StringExact(wantTrust)),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("unique_id"), knownvalue.StringRegexp(regexp.MustCompile(`^AROA`))),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("create_date"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("platform")})),
				},
				Check: resource.ComposeTestCheckFunc(
					checkTrust(t, name, githubProviderARN,
						[]map[string]any{{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository_id": "123456"}},
						[]map[string]any{
							{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository_id": "999"},
							{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/other:ref:refs/heads/main", "repository_id": "123456"},
						}),
					func(*terraform.State) error {
						s, err := readIAMRole(t, name)
						if err != nil {
							return err
						}
						if got := aws.ToInt32(s.role.MaxSessionDuration); got != 7200 {
							return fmt.Errorf("IAM max session duration = %d, want 7200", got)
						}
						if !slices.Equal(s.managed, []string{policyA}) || len(s.inline) != 1 || s.inline["read"] == "" {
							return fmt.Errorf("IAM permissions: managed %v, inline %v; want [%s] and one inline policy named read", s.managed, s.inline, policyA)
						}
						return nil
					},
				),
			},
			{
				ResourceName:                         roleRes,
				ImportState:                          true,
				ImportStateId:                        name,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
				// IAM keeps the rendered policy (assume_role_policy), not the blocks it came from.
				ImportStateVerifyIgnore: []string{"trust"},
			},
			{
				ResourceName:                         roleRes,
				ImportState:                          true,
				ImportStateId:                        fmt.Sprintf("arn:aws:iam::%s:role/ci/%s", motoAccount, name),
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
				ImportStateVerifyIgnore:              []string{"trust"},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("CreateRole"); n != 1 {
		t.Errorf("CreateRole called %d times, want 1", n)
	}
}
