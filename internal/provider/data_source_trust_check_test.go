package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// idpProviderBlock configures the provider for this test's moto endpoint and to reach the
// local IdP through its CONNECT proxy, trusting its CA.
func (e *accEnv) idpProviderBlock(idp *localidp.Server) string {
	bundle := filepath.Join(e.t.TempDir(), "idp-ca.pem")
	if err := os.WriteFile(bundle, idp.CABundlePEM(), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return e.providerBlock(fmt.Sprintf("https_proxy = %q\n  custom_ca_bundle = %q", idp.ProxyURL(), bundle))
}

// checkPolicy trusts the local IdP for the main branch of octo/app and any of its
// environments, and never for pull requests.
const checkPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/idp.test"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"idp.test:aud": "sts.amazonaws.com", "idp.test:sub": "repo:octo/app:ref:refs/heads/main"}
      }
    },
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/idp.test"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"idp.test:aud": "sts.amazonaws.com"},
        "StringLike": {"idp.test:sub": "repo:octo/app:environment:*"}
      }
    }
  ]
}`

func trustCheck(name, input string) string {
	return fmt.Sprintf(`
data "awsoidc_trust_check" %q {
  trust_policy = local.policy
  %s
}
`, name, input)
}

func allowedIs(name string, want bool) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data.awsoidc_trust_check."+name, tfjsonpath.New("allowed"), knownvalue.Bool(want))
}

func TestAccTrustCheck_claims(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	claims := func(sub, aud string) string {
		return fmt.Sprintf(`claims = { iss = "https://idp.test", aud = %q, sub = %q }`, aud, sub)
	}
	config := e.providerBlock("") + "locals {\n  policy = <<-EOT\n" + checkPolicy + "\nEOT\n}\n" +
		trustCheck("main", claims("repo:octo/app:ref:refs/heads/main", "sts.amazonaws.com")) +
		trustCheck("fork", claims("repo:evil/app:ref:refs/heads/main", "sts.amazonaws.com")) +
		trustCheck("other_branch", claims("repo:octo/app:ref:refs/heads/dev", "sts.amazonaws.com")) +
		trustCheck("environment", claims("repo:octo/app:environment:prod", "sts.amazonaws.com")) +
		trustCheck("wrong_audience", claims("repo:octo/app:ref:refs/heads/main", "my-app")) +
		trustCheck("audience_list", `claims = { iss = "https://idp.test", aud = ["x", "sts.amazonaws.com"], sub = "repo:octo/app:ref:refs/heads/main" }`) +
		trustCheck("no_subject", `claims = { iss = "https://idp.test", aud = "sts.amazonaws.com" }`) +
		trustCheck("other_issuer", `claims = { iss = "https://other.test", aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/main" }`) +
		trustCheck("no_issuer_sole_provider", `claims = { aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/main" }`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				allowedIs("main", true),
				statecheck.ExpectKnownValue("data.awsoidc_trust_check.main", tfjsonpath.New("matched_statement"), knownvalue.Int64Exact(0)),
				allowedIs("fork", false),
				statecheck.ExpectKnownValue("data.awsoidc_trust_check.fork", tfjsonpath.New("matched_statement"), knownvalue.Int64Exact(-1)),
				// The reason names the failing condition with what was expected and what came.
				reasonFor("fork", "idp.test:sub", "StringEquals", "repo:octo/app:ref:refs/heads/main", "repo:evil/app:ref:refs/heads/main", false),
				allowedIs("other_branch", false),
				allowedIs("environment", true),
				statecheck.ExpectKnownValue("data.awsoidc_trust_check.environment", tfjsonpath.New("matched_statement"), knownvalue.Int64Exact(1)),
				allowedIs("wrong_audience", false),
				reasonFor("wrong_audience", "idp.test:aud", "StringEquals", "sts.amazonaws.com", "my-app", false),
				allowedIs("audience_list", true),
				allowedIs("no_subject", false),
				allowedIs("other_issuer", false),
				allowedIs("no_issuer_sole_provider", true),
				statecheck.ExpectKnownValue("data.awsoidc_trust_check.main", tfjsonpath.New("token_problems"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// reasonFor checks that a trust check's reasons hold one for key with these values.
func reasonFor(name, key, operator, expected, actual string, result bool) statecheck.StateCheck {
	return reasonCheck{name: name, key: key, operator: operator, expected: expected, actual: actual, result: result}
}

type reasonCheck struct {
	name, key, operator, expected, actual string
	result                                bool
}

func (c reasonCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != "data.awsoidc_trust_check."+c.name {
			continue
		}
		reasons, _ := r.AttributeValues["reasons"].([]any)
		for _, x := range reasons {
			m, _ := x.(map[string]any)
			if m["key"] == c.key && m["operator"] == c.operator && fmt.Sprint(m["expected"]) == fmt.Sprint([]any{c.expected}) &&
				fmt.Sprint(m["actual"]) == fmt.Sprint([]any{c.actual}) && m["result"] == c.result {
				return
			}
		}
		resp.Error = fmt.Errorf("%s: no reason %s %s expected %q actual %q result %v among %v", r.Address, c.key, c.operator, c.expected, c.actual, c.result, reasons)
		return
	}
	resp.Error = fmt.Errorf("no data.awsoidc_trust_check.%s in state", c.name)
}

func TestAccTrustCheck_tokensAreVerifiedAsSTSDoes(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	idp := localidp.StartForTest(t, localidp.Config{})
	now := time.Now()
	mint := func(claims map[string]any, opts localidp.TokenOptions) string {
		if claims == nil {
			claims = map[string]any{}
		}
		if _, ok := claims["sub"]; !ok {
			claims["sub"] = "repo:octo/app:ref:refs/heads/main"
		}
		tok, err := idp.MintToken(claims, opts)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tokens := map[string]string{
		"valid":          mint(nil, localidp.TokenOptions{}),
		"valid_es256":    mint(nil, localidp.TokenOptions{Algorithm: "ES256"}),
		"fork":           mint(map[string]any{"sub": "repo:evil/app:ref:refs/heads/main"}, localidp.TokenOptions{}),
		"bad_signature":  mint(nil, localidp.TokenOptions{WrongKey: true}),
		"unknown_kid":    mint(nil, localidp.TokenOptions{KeyID: "rotated-away"}),
		"wrong_issuer":   mint(map[string]any{"iss": "https://idp.test/"}, localidp.TokenOptions{}),
		"wrong_audience": mint(nil, localidp.TokenOptions{Audience: "my-app"}),
		"expired":        mint(nil, localidp.TokenOptions{IssuedAt: now.Add(-2 * time.Hour), Expiry: now.Add(-time.Hour)}),
		"not_yet_valid":  mint(nil, localidp.TokenOptions{NotBefore: now.Add(time.Hour), Expiry: now.Add(2 * time.Hour)}),
	}
	var b strings.Builder
	b.WriteString(e.idpProviderBlock(idp) + "locals {\n  policy = <<-EOT\n" + checkPolicy + "\nEOT\n}\n")
	for name, tok := range tokens {
		b.WriteString(trustCheck(name, fmt.Sprintf(`token = %q
  provider_arn = "arn:aws:iam::123456789012:oidc-provider/idp.test"
  client_ids   = ["sts.amazonaws.com"]`, tok)))
	}
	problem := func(name, code string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.awsoidc_trust_check."+name, tfjsonpath.New("token_problems"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{"code": knownvalue.StringExact(code)})}))
	}
	noProblems := func(name string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.awsoidc_trust_check."+name, tfjsonpath.New("token_problems"), knownvalue.ListExact([]knownvalue.Check{}))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: b.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				allowedIs("valid", true), noProblems("valid"),
				allowedIs("valid_es256", true), noProblems("valid_es256"),
				allowedIs("fork", false), noProblems("fork"),
				allowedIs("bad_signature", false), problem("bad_signature", "bad_signature"),
				allowedIs("unknown_kid", false), problem("unknown_kid", "unknown_kid"),
				allowedIs("wrong_issuer", false), problem("wrong_issuer", "issuer_mismatch"),
				allowedIs("wrong_audience", false), problem("wrong_audience", "audience_mismatch"),
				allowedIs("expired", false), problem("expired", "expired"),
				allowedIs("not_yet_valid", false), problem("not_yet_valid", "not_yet_valid"),
			},
		}},
	})
	// Nine tokens, one issuer: the keys were read once per Terraform command, not per token.
	if n := idp.Requests("idp.test", "/.well-known/openid-configuration"); n == 0 || n > 3 {
		t.Errorf("the discovery document was fetched %d times for 9 tokens over the test's commands", n)
	}
}

func TestAccTrustCheck_readsTheRolesPolicyFromIAM(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := "check-" + strings.ReplaceAll(uniqueHost(t), ".", "-")
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	out, err := oob(t).CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(checkPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	config := e.providerBlock("") + fmt.Sprintf(`
data "awsoidc_trust_check" "main" {
  role_arn = %[1]q
  claims   = { iss = "https://idp.test", aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/main" }
}
data "awsoidc_trust_check" "fork" {
  role_arn = %[1]q
  claims   = { iss = "https://idp.test", aud = "sts.amazonaws.com", sub = "repo:evil/app:ref:refs/heads/main" }
}
`, aws.ToString(out.Role.Arn))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{allowedIs("main", true), allowedIs("fork", false)},
		}},
	})
}

func TestAccTrustCheck_invalidInputs(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      e.providerBlock("") + `data "awsoidc_trust_check" "x" { claims = { sub = "a" } }`,
				ExpectError: errorPattern("Exactly one of these attributes must be configured: [trust_policy,role_arn]"),
			},
			{
				Config:      e.providerBlock("") + `data "awsoidc_trust_check" "x" { trust_policy = "{}" }`,
				ExpectError: errorPattern("Exactly one of these attributes must be configured: [token,claims]"),
			},
			{
				Config:      e.providerBlock("") + `data "awsoidc_trust_check" "x" {` + "\n  trust_policy = \"not json\"\n  claims = { sub = \"a\" }\n}",
				ExpectError: attributeErrorPattern("Invalid Trust Policy", "trust_policy", "invalid JSON"),
			},
			{
				Config:      e.providerBlock("") + `data "awsoidc_trust_check" "x" {` + "\n  trust_policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { Federated = \"arn:aws:iam::123456789012:oidc-provider/idp.test\" }, Action = \"sts:AssumeRoleWithWebIdentity\" }] })\n  claims = \"sub\"\n}",
				ExpectError: attributeErrorPattern("Invalid Claims", "claims", "must be an object"),
			},
		},
	})
}
