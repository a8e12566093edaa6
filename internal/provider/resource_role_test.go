package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
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

// rolesNamed counts moto's roles with this name in any case (IAM role names are unique
// regardless of case). acctest's listing copes with moto's paging under parallel tests;
// should it still miss the role, GetRole finds it, so a role never goes uncounted.
func rolesNamed(t *testing.T, name string) int {
	t.Helper()
	ctx := context.Background()
	roles, err := acctest.MotoForTest(t).ListRoles(ctx, func(n string) bool { return strings.EqualFold(n, name) })
	if err != nil {
		t.Fatalf("listing roles in moto: %v", err)
	}
	if len(roles) > 0 {
		return len(roles)
	}
	_, err = oob(t).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var notFound *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &notFound):
		return 0
	case err != nil:
		t.Fatalf("reading role %s in moto: %v", name, err)
	}
	return 1
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
				// The trust blocks are rebuilt from IAM's policy: nothing to ignore.
			},
			{
				ResourceName:                         roleRes,
				ImportState:                          true,
				ImportStateId:                        fmt.Sprintf("arn:aws:iam::%s:role/ci/%s", motoAccount, name),
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
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

func TestAccRole_subjectsAndAudiencesChangeInPlace(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	cfg := func(audiences, subjects string) string {
		return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = %s
    subjects     = %s
  }
`, name, arn, audiences, subjects))
	}
	tok := func(aud, sub string) map[string]any { return map[string]any{"aud": aud, "sub": sub} }

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(`["app-a"]`, `["system:serviceaccount:ci:deployer"]`),
				Check: checkTrust(t, name, arn,
					[]map[string]any{tok("app-a", "system:serviceaccount:ci:deployer")},
					[]map[string]any{tok("app-b", "system:serviceaccount:ci:deployer"), tok("app-a", "system:serviceaccount:ci:other")}),
			},
			{
				// An exact subject and a pattern: ORed, so each matches on its own.
				Config: cfg(`["app-a", "app-b"]`, `["system:serviceaccount:ci:deployer", "system:serviceaccount:prod:*"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(roleRes, tfjsonpath.New("arn"), knownvalue.StringExact(fmt.Sprintf("arn:aws:iam::%s:role/%s", motoAccount, name))),
				}},
				Check: checkTrust(t, name, arn,
					[]map[string]any{tok("app-b", "system:serviceaccount:ci:deployer"), tok("app-a", "system:serviceaccount:prod:web")},
					[]map[string]any{tok("app-c", "system:serviceaccount:ci:deployer"), tok("app-a", "system:serviceaccount:ci:other")}),
			},
			{
				// The same sets written in another order: nothing to do.
				Config:           cfg(`["app-b", "app-a"]`, `["system:serviceaccount:prod:*", "system:serviceaccount:ci:deployer"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("CreateRole"); n != 1 {
		t.Errorf("CreateRole called %d times, want 1 (no replacement)", n)
	}
	if n := e.ep.Count("UpdateAssumeRolePolicy"); n != 1 {
		t.Errorf("UpdateAssumeRolePolicy called %d times, want 1", n)
	}
}

func TestAccRole_trustPolicyChangedOutsideTerraformIsRepaired(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	sub := "repo:octo-org/octo-repo:ref:refs/heads/main"
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = [%q]
  }
`, name, githubProviderARN, sub))
	// What someone might do by hand: open the role to every repository.
	loose := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}}}]}`, githubProviderARN)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if _, err := oob(t).UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(loose)}); err != nil {
						t.Fatalf("changing the trust policy outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate),
				}},
				Check: checkTrust(t, name, githubProviderARN,
					[]map[string]any{ghToken(sub)},
					[]map[string]any{ghToken("repo:someone-else/repo:ref:refs/heads/main")}),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("UpdateAssumeRolePolicy"); n != 1 {
		t.Errorf("UpdateAssumeRolePolicy called %d times, want 1", n)
	}
}

func TestAccRole_trustPolicyReformattedOutsideTerraformGivesEmptyPlan(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, key := testOIDCProvider(t, "/tenant")
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["app"]
    subjects     = ["alice", "bob"]
  }
`, name, arn))
	// The same policy, members reordered and a single action written as a list.
	same := fmt.Sprintf(`{"Statement":[{"Condition":{"StringEquals":{"%[2]s:sub":["bob","alice"],"%[2]s:aud":["app"]}},"Action":["sts:AssumeRoleWithWebIdentity"],"Principal":{"Federated":[%[1]q]},"Effect":"Allow"}],"Version":"2012-10-17"}`, arn, key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if _, err := oob(t).UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(same)}); err != nil {
						t.Fatalf("rewriting the trust policy outside Terraform: %v", err)
					}
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("UpdateAssumeRolePolicy"); n != 0 {
		t.Errorf("UpdateAssumeRolePolicy called %d times, want 0", n)
	}
}

func TestAccRole_permissionsAddedOutsideTerraformAreRemoved(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	mine, intruder := testPolicy(t, "mine"), testPolicy(t, "intruder")
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name                = %q
  managed_policy_arns = [%q]
  inline_policies     = {}
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, name, mine, arn))
	ctx := context.Background()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					c := oob(t)
					if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(intruder)}); err != nil {
						t.Fatalf("attaching a policy outside Terraform: %v", err)
					}
					if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("extra"),
						PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
						t.Fatalf("writing an inline policy outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("managed_policy_arns"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(mine)})),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("inline_policies"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
				Check: func(*terraform.State) error {
					s, err := readIAMRole(t, name)
					if err != nil {
						return err
					}
					if !slices.Equal(s.managed, []string{mine}) || len(s.inline) != 0 {
						return fmt.Errorf("IAM permissions after apply: managed %v, inline %v; want only %s", s.managed, s.inline, mine)
					}
					return nil
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("DetachRolePolicy"); n != 2 { // the intruder, then mine at destroy
		t.Errorf("DetachRolePolicy called %d times, want 2", n)
	}
	if n := e.ep.Count("DeleteRolePolicy"); n != 1 {
		t.Errorf("DeleteRolePolicy called %d times, want 1", n)
	}
}

func TestAccRole_unmanagedPermissionsAreLeftAlone(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	other := testPolicy(t, "other")
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, name, arn))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if _, err := oob(t).AttachRolePolicy(context.Background(), &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(other)}); err != nil {
						t.Fatalf("attaching a policy outside Terraform: %v", err)
					}
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("managed_policy_arns"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(other)})),
				},
			},
		},
	})
	if n := e.ep.Count("DetachRolePolicy"); n != 1 { // only at destroy, which must detach it to delete the role
		t.Errorf("DetachRolePolicy called %d times, want 1", n)
	}
}

func TestAccRole_reformattedInlinePolicyGivesEmptyPlan(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	cfg := func(policy string) string {
		return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  inline_policies = {
    read = %s
  }
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, name, policy, arn))
	}
	compact := `jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = "*" }] })`
	// Indented, members in another order, actions reordered, Resource as a list.
	reformatted := `<<-JSON
    {
      "Statement": [
        {
          "Resource": ["*"],
          "Action":   ["s3:ListBucket", "s3:GetObject"],
          "Effect":   "Allow"
        }
      ],
      "Version": "2012-10-17"
    }
    JSON`
	changed := `jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(compact)},
			{
				Config:           cfg(reformatted),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: cfg(changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					s, err := readIAMRole(t, name)
					if err != nil {
						return err
					}
					if eq, err := trustpolicy.Equivalent(s.inline["read"], `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`); err != nil || !eq {
						return fmt.Errorf("IAM inline policy read = %s, want only s3:GetObject (%v)", s.inline["read"], err)
					}
					return nil
				},
			},
		},
	})
	if n := e.ep.Count("PutRolePolicy"); n != 2 {
		t.Errorf("PutRolePolicy called %d times, want 2 (create and the real change)", n)
	}
}

func TestAccRole_deleteRemovesPoliciesAndInstanceProfiles(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	mine := testPolicy(t, "mine")
	outside := testPolicy(t, "outside")
	profile := name + "-profile"
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = oob(t).DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(profile)})
	})
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name                = %q
  managed_policy_arns = [%q]
  inline_policies = {
    read = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
  }
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, name, mine, arn))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkIAMRoleGone(t, name),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					// Things a role picks up from elsewhere, which IAM requires gone before DeleteRole.
					c := oob(t)
					if _, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(profile)}); err != nil {
						t.Fatalf("creating an instance profile: %v", err)
					}
					if _, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(name)}); err != nil {
						t.Fatalf("adding the role to an instance profile: %v", err)
					}
					if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(outside)}); err != nil {
						t.Fatalf("attaching a policy outside Terraform: %v", err)
					}
				},
				Config:  config,
				Destroy: true,
			},
		},
	})
	for action, want := range map[string]int{
		"DetachRolePolicy":              2,
		"DeleteRolePolicy":              1,
		"RemoveRoleFromInstanceProfile": 1,
		"DeleteRole":                    1,
	} {
		if n := e.ep.Count(action); n != want {
			t.Errorf("%s called %d times, want %d", action, n, want)
		}
	}
	out, err := oob(t).GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(profile)})
	if err != nil {
		t.Fatalf("the instance profile should outlive the role: %v", err)
	}
	if len(out.InstanceProfile.Roles) != 0 {
		t.Errorf("instance profile still holds %d role(s)", len(out.InstanceProfile.Roles))
	}
}

func TestAccRole_createdInSameApplyAsItsProvider(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	key := "oidc.eks.us-east-1.amazonaws.com/id/" + strings.ToUpper(hex.EncodeToString([]byte(uniqueHost(t)))[:32])
	arn := providerARNFor(key)
	wantTrust, err := trustpolicy.Build(trustpolicy.Spec{Statements: []trustpolicy.Trust{{
		ProviderARN: arn, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:payments:api"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	config := e.providerBlock("") + fmt.Sprintf(`
resource "awsoidc_provider" "test" {
  url        = "https://%s"
  client_ids = ["sts.amazonaws.com"]
}
`, key) + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = awsoidc_provider.test.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:payments:api"]
  }
`, name))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkIAMRoleGone(t, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionCreate),
					// The provider plans its ARN, so the policy is known before anything exists.
					plancheck.ExpectKnownValue("awsoidc_provider.test", tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
					plancheck.ExpectKnownValue(roleRes, tfjsonpath.New("assume_role_policy"), knownvalue.StringExact(wantTrust)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("assume_role_policy"), knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(arn)))),
				},
				Check: checkTrust(t, name, arn,
					[]map[string]any{{"aud": "sts.amazonaws.com", "sub": "system:serviceaccount:payments:api"}},
					[]map[string]any{{"aud": "sts.amazonaws.com", "sub": "system:serviceaccount:payments:worker"}}),
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

func TestAccRole_settingsAndTagsChangeInPlace(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	boundary := testPolicy(t, "boundary")
	cfg := func(defaults, body string) string {
		extra := ""
		if defaults != "" {
			extra = "default_tags {\n    tags = " + defaults + "\n  }"
		}
		return e.providerBlock(extra) + roleResourceConfig(fmt.Sprintf(`
  name = %q
  %s
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, name, body, arn))
	}
	iamCheck := func(desc string, duration int32, boundary string, tags map[string]string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			s, err := readIAMRole(t, name)
			if err != nil {
				return err
			}
			gotBoundary := ""
			if s.role.PermissionsBoundary != nil {
				gotBoundary = aws.ToString(s.role.PermissionsBoundary.PermissionsBoundaryArn)
			}
			out, err := oob(t).ListRoleTags(context.Background(), &iam.ListRoleTagsInput{RoleName: aws.String(name)})
			if err != nil {
				return err
			}
			gotTags := map[string]string{}
			for _, tg := range out.Tags {
				gotTags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			if got := aws.ToString(s.role.Description); got != desc {
				return fmt.Errorf("IAM description = %q, want %q", got, desc)
			}
			if got := aws.ToInt32(s.role.MaxSessionDuration); got != duration {
				return fmt.Errorf("IAM max session duration = %d, want %d", got, duration)
			}
			if gotBoundary != boundary {
				return fmt.Errorf("IAM permissions boundary = %q, want %q", gotBoundary, boundary)
			}
			if fmt.Sprint(gotTags) != fmt.Sprint(tags) {
				return fmt.Errorf("IAM tags = %v, want %v", gotTags, tags)
			}
			return nil
		}
	}
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate)}}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(`{ env = "prod" }`, `description = "first"`),
				ConfigStateChecks: []statecheck.StateCheck{
					// Unset: IAM's default, and null in state.
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("max_session_duration"), knownvalue.Null()),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("path"), knownvalue.StringExact("/")),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: iamCheck("first", 3600, "", map[string]string{"env": "prod"}),
			},
			{
				Config: cfg(`{ env = "prod" }`, fmt.Sprintf(`
  description          = "second"
  max_session_duration = 43200
  permissions_boundary = %q
  tags                 = { team = "platform" }`, boundary)),
				ConfigPlanChecks: update,
				Check:            iamCheck("second", 43200, boundary, map[string]string{"env": "prod", "team": "platform"}),
			},
			{
				Config:           cfg("", ""),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("permissions_boundary"), knownvalue.Null()),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("max_session_duration"), knownvalue.Null()),
				},
				Check: iamCheck("", 3600, "", map[string]string{}),
			},
			{
				Config:           cfg("", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A session length changed outside Terraform is restored to the default.
				PreConfig: func() {
					if _, err := oob(t).UpdateRole(context.Background(), &iam.UpdateRoleInput{RoleName: aws.String(name), MaxSessionDuration: aws.Int32(7200)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg("", ""),
				ConfigPlanChecks: update,
				Check:            iamCheck("", 3600, "", map[string]string{}),
			},
		},
	})
	if n := e.ep.Count("CreateRole"); n != 1 {
		t.Errorf("CreateRole called %d times, want 1 (no replacement)", n)
	}
}

func TestAccRole_namePrefixGivesAUniqueNameAndPathChangeReplaces(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	prefix := testRoleName(t)[:20] + "-"
	arn, _ := testOIDCProvider(t, "")
	cfg := func(p string) string {
		return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name_prefix = %q
  path        = %q
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, prefix, p, arn))
	}
	namePattern := regexp.MustCompile("^" + regexp.QuoteMeta(prefix) + `\d{14}[0-9a-f]{12}$`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg("/"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("name"), knownvalue.StringRegexp(namePattern)),
				},
			},
			{
				Config: cfg("/teams/"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("name"), knownvalue.StringRegexp(namePattern)),
					statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`:role/teams/`+regexp.QuoteMeta(prefix)))),
				},
			},
		},
	})
	if n := e.ep.Count("CreateRole"); n != 2 {
		t.Errorf("CreateRole called %d times, want 2", n)
	}
}

func TestAccRole_deletedOutsideTerraformIsRecreated(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	config := e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["app"]
  }
`, name, arn))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if _, err := oob(t).DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
						t.Fatalf("deleting the role outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
	if n := e.ep.Count("CreateRole"); n != 2 {
		t.Errorf("CreateRole called %d times, want 2", n)
	}
}

func TestAccRole_sessionTagsAllowTagSessionOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "/oauth2/default")
	cfg := func(tags string) string {
		return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["0oa-okta-app"]
    %s
  }
`, name, arn, tags))
	}
	tagged := func(dept string) map[string]any {
		return map[string]any{"aud": "0oa-okta-app", "sub": "00u1", trustpolicy.TagsClaim: map[string]any{
			"principal_tags": map[string]any{"department": []any{dept}},
		}}
	}
	plain := map[string]any{"aud": "0oa-okta-app", "sub": "00u1"}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				Check:  checkTrust(t, name, arn, []map[string]any{plain}, []map[string]any{tagged("engineering")}),
			},
			{
				Config: cfg(`session_tags {
      request_tags = { department = ["engineering", "platform-*"] }
      allowed_keys = ["department", "team"]
    }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(roleRes, plancheck.ResourceActionUpdate),
				}},
				Check: checkTrust(t, name, arn,
					[]map[string]any{tagged("engineering"), tagged("platform-data")},
					[]map[string]any{tagged("sales"), plain}),
			},
		},
	})
}
