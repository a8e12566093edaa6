package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
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

// tokenFile writes a token to a file of the test's own and returns its path.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "token-*.jwt")
	if err == nil {
		_, err = f.WriteString(token + "\n")
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

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
		b.WriteString(trustCheck(name, fmt.Sprintf(`token_file = %q
  provider_arn = "arn:aws:iam::123456789012:oidc-provider/idp.test"
  client_ids   = ["sts.amazonaws.com"]`, tokenFile(t, tok))))
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
				ExpectError: errorPattern("Exactly one of these attributes must be configured: [token_file,claims]"),
			},
			{
				Config:      e.providerBlock("") + `ephemeral "awsoidc_trust_check" "x" { trust_policy = "{}" }`,
				ExpectError: errorPattern("Exactly one of these attributes must be configured: [token,token_file,claims]"),
			},
			{
				Config:      e.providerBlock("") + `data "awsoidc_trust_check" "x" {` + "\n  trust_policy = \"{}\"\n  claims = { sub = \"a\" }\n  keep_claims = [\"sub\"]\n}",
				ExpectError: attributeErrorPattern("Invalid Attribute Combination", "keep_claims", `Attribute "token_file" must be specified when "keep_claims" is specified`),
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

// TestAccTrustCheck_tokenAndPersonalClaimsStayOutOfStateAndPlan checks real tokens that
// carry a person's email and names, with the data source (token_file) and with the
// ephemeral resource (the token from an ephemeral variable), then searches the plan
// JSON, `terraform show -json` and every file Terraform wrote (state, backups, saved
// plans): neither token,
// nor its payload or signature, nor a personal claim, nor the subject of the token that
// is denied appears anywhere. It keeps Terraform's working directories for the search
// (TF_ACC_TEMP_DIR, TF_ACC_PERSIST_WORKING_DIR), so it does not run in parallel.
func TestAccTrustCheck_tokenAndPersonalClaimsStayOutOfStateAndPlan(t *testing.T) {
	work := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", work)
	t.Setenv("TF_ACC_PERSIST_WORKING_DIR", "1")
	e := newAccEnv(t)
	idp := localidp.StartForTest(t, localidp.Config{})
	personal := map[string]any{
		"email": "jane.roe@example.net", "name": "Jane Quintessa Roe", "given_name": "Quintessa",
		"family_name": "Roe-Zabriskie", "preferred_username": "jqroe",
	}
	mint := func(sub string) string {
		claims := map[string]any{"sub": sub}
		for k, v := range personal {
			claims[k] = v
		}
		tok, err := idp.MintToken(claims, localidp.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	const forkSub = "repo:jqroe-private/app:ref:refs/heads/main"
	mainTok, forkTok := mint("repo:octo/app:ref:refs/heads/main"), mint(forkSub)
	secrets := []string{forkSub}
	for _, tok := range []string{mainTok, forkTok} {
		parts := strings.Split(tok, ".")
		secrets = append(secrets, tok, parts[1], parts[2])
	}
	for _, v := range personal {
		secrets = append(secrets, v.(string))
	}
	scan := func(what string) secretScan { return secretScan{what: what, secrets: secrets} }

	check := func(name, tok, extra string) string {
		return trustCheck(name, fmt.Sprintf("token_file = %q\n  client_ids = [\"sts.amazonaws.com\"]\n  %s", tokenFile(t, tok), extra))
	}
	config := e.idpProviderBlock(idp) + "locals {\n  policy = <<-EOT\n" + checkPolicy + "\nEOT\n}\n" +
		check("main", mainTok, "") +
		check("main_with_sub", mainTok, `keep_claims = ["sub"]`) +
		check("fork", forkTok, "") + `
check "only_main" {
  assert {
    condition     = data.awsoidc_trust_check.main.allowed && !data.awsoidc_trust_check.fork.allowed
    error_message = data.awsoidc_trust_check.fork.summary
  }
}

# The ephemeral form takes the tokens themselves, here from ephemeral variables, and
# shows every claim, since nothing of it is stored.
variable "main_token" {
  type      = string
  ephemeral = true
}

variable "fork_token" {
  type      = string
  ephemeral = true
}

ephemeral "awsoidc_trust_check" "main" {
  trust_policy = local.policy
  token        = var.main_token
  client_ids   = ["sts.amazonaws.com"]
}

ephemeral "awsoidc_trust_check" "fork" {
  trust_policy = local.policy
  token        = var.fork_token
  client_ids   = ["sts.amazonaws.com"]
}

check "ephemeral_only_main" {
  assert {
    condition = alltrue([
      ephemeral.awsoidc_trust_check.main.allowed,
      !ephemeral.awsoidc_trust_check.fork.allowed,
      length(ephemeral.awsoidc_trust_check.fork.token_problems) == 0,
      strcontains(ephemeral.awsoidc_trust_check.fork.summary, "found \"repo:"),
      endswith(jsondecode(ephemeral.awsoidc_trust_check.main.token_claims).email, "@example.net"),
    ])
    error_message = "the ephemeral trust checks did not answer as expected"
  }
}

output "fork_summary" {
  value = data.awsoidc_trust_check.fork.summary
}
`
	kept := func(name string, extra ...string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.awsoidc_trust_check."+name, tfjsonpath.New("token_claims"), claimNamesAre(append([]string{"aud", "exp", "iat", "iss", "nbf"}, extra...)...))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			// Written to terraform.tfvars.json, the test's input as TF_VAR_* would be in a pipeline.
			ConfigVariables: tfconfig.Variables{"main_token": tfconfig.StringVariable(mainTok), "fork_token": tfconfig.StringVariable(forkTok)},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{scan("the plan JSON")},
				PostApplyPostRefresh: []plancheck.PlanCheck{scan("the plan JSON after apply")},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				scan("terraform show -json"),
				allowedIs("main", true), allowedIs("main_with_sub", true), allowedIs("fork", false),
				kept("main"), kept("main_with_sub", "sub"), kept("fork"),
				// The denied subject is replaced where the evaluation would show it.
				reasonFor("fork", "idp.test:sub", "StringEquals", "repo:octo/app:ref:refs/heads/main", `(claim "sub" not kept)`, false),
				statecheck.ExpectKnownOutputValue("fork_summary", knownvalue.StringRegexp(regexp.MustCompile(`found \(claim "sub" not kept\)`))),
				checkBlockResult{name: "only_main", status: "pass"},
				checkBlockResult{name: "ephemeral_only_main", status: "pass"},
			},
		}},
	})
	_, states, plans := scan("Terraform's files").scanFiles(t, work)
	if states == 0 || plans == 0 {
		t.Errorf("searched %d state files and %d saved plans under %s; expected Terraform to leave both", states, plans, work)
	}
}

// claimNamesAre checks that a token_claims JSON object has exactly these members.
func claimNamesAre(names ...string) knownvalue.Check { return claimNames{want: names} }

type claimNames struct{ want []string }

func (c claimNames) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("token_claims is %T, want a JSON string", v)
	}
	var claims map[string]any
	if err := json.Unmarshal([]byte(s), &claims); err != nil {
		return err
	}
	got := slices.Sorted(maps.Keys(claims))
	want := slices.Sorted(slices.Values(c.want))
	if !slices.Equal(got, want) {
		return fmt.Errorf("token_claims holds %q, want %q", got, want)
	}
	return nil
}

func (c claimNames) String() string { return fmt.Sprintf("claims %q", c.want) }

// TestAccTrustCheck_keysComeOnlyFromTrustedIssuers: a token naming an issuer the
// policy does not trust, whose own keys did sign it, is denied as STS would deny it,
// and that issuer is never contacted, neither its document nor its keys nor its host.
func TestAccTrustCheck_keysComeOnlyFromTrustedIssuers(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	// One server, one key set: had the stranger's keys been read, the token would verify.
	idp := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://idp.test"}, {URL: "https://stranger.test"}}})
	tok, err := idp.MintToken(map[string]any{"sub": "repo:octo/app:ref:refs/heads/main"}, localidp.TokenOptions{Issuer: "https://stranger.test"})
	if err != nil {
		t.Fatal(err)
	}
	file := tokenFile(t, tok)
	config := e.idpProviderBlock(idp) + "locals {\n  policy = <<-EOT\n" + checkPolicy + "\nEOT\n}\n" +
		trustCheck("found_by_iss", fmt.Sprintf("token_file = %q", file)) +
		trustCheck("given_provider", fmt.Sprintf("token_file = %q\n  provider_arn = \"arn:aws:iam::123456789012:oidc-provider/idp.test\"\n  client_ids = [\"sts.amazonaws.com\"]", file))
	problems := func(name string, checks ...knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.awsoidc_trust_check."+name, tfjsonpath.New("token_problems"), knownvalue.ListExact(checks))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				allowedIs("found_by_iss", false),
				problems("found_by_iss", finding("issuer_mismatch", `the token's iss "https://stranger.test" is not the URL of a provider trusted here`, "keys were not read")),
				statecheck.ExpectKnownValue("data.awsoidc_trust_check.found_by_iss", tfjsonpath.New("summary"),
					knownvalue.StringRegexp(regexp.MustCompile(`^denied: STS would refuse the token itself`))),
				allowedIs("given_provider", false),
				// The keys read are idp.test's (the same key set on this server, so the signature verifies).
				problems("given_provider", finding("issuer_mismatch", `"https://stranger.test" is not the trusted provider's URL "https://idp.test"`)),
			},
		}},
	})
	for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
		if n := idp.Requests("stranger.test", p); n != 0 {
			t.Errorf("GET https://stranger.test%s was made %d times", p, n)
		}
	}
	if n := idp.Connects("stranger.test") + idp.Handshakes("stranger.test"); n != 0 {
		t.Errorf("stranger.test was contacted %d times", n)
	}
	if idp.Requests("idp.test", "/.well-known/jwks.json") == 0 {
		t.Error("the trusted issuer's keys were never read")
	}
}

// TestAccTrustCheck_roleOfAnotherAccountIsRefused: role_arn in another account than the
// provider's credentials is refused without reading this account's role of that name,
// and an ARN whose path is not the role's is refused after reading it.
func TestAccTrustCheck_roleOfAnotherAccountIsRefused(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := "check-" + strings.ReplaceAll(uniqueHost(t), ".", "-")
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	if _, err := oob(t).CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(checkPolicy)}); err != nil {
		t.Fatal(err)
	}
	config := func(roleARN string) string {
		return e.providerBlock("") + fmt.Sprintf(`
data "awsoidc_trust_check" "x" {
  role_arn = %q
  claims   = { iss = "https://idp.test", aud = "sts.amazonaws.com", sub = "repo:octo/app:ref:refs/heads/main" }
}
`, roleARN)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("arn:aws:iam::210987654321:role/" + name),
				ExpectError: attributeErrorPattern("Role In Another Account", "role_arn", `"arn:aws:iam::210987654321:role/`+name+`" is in account 210987654321`,
					"credentials are for account 123456789012", "pass the policy itself as trust_policy"),
			},
			{
				Config:      config("arn:aws:iam::123456789012:role/team/" + name),
				ExpectError: attributeErrorPattern("Role ARN Does Not Match", "role_arn", "arn:aws:iam::123456789012:role/"+name),
			},
			{
				Config:      config("arn:aws:iam::123456789012:user/" + name),
				ExpectError: attributeErrorPattern("Invalid Role ARN", "role_arn", "is not an IAM role ARN"),
			},
		},
	})
	getRoles := 0
	for _, a := range e.iamActions() {
		if a == "GetRole" {
			getRoles++
		}
	}
	// Only the step with the wrong path reads the role (once per Terraform command).
	if getRoles == 0 || getRoles > 3 {
		t.Errorf("GetRole was called %d times", getRoles)
	}
}

// TestTrustCheckDataSource_warnsWhenTheAudienceCannotBeChecked: when the provider's
// client IDs cannot be read (no such IAM provider, or one in another account), the
// check still answers and a warning names the provider and what was not checked.
func TestTrustCheckDataSource_warnsWhenTheAudienceCannotBeChecked(t *testing.T) {
	t.Parallel()
	acctest.RequireTerraform(t)
	ep := acctest.EndpointForTest(t)
	host := uniqueHost(t)
	idp := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://" + host}}})
	client, diags := awsclient.New(context.Background(), awsclient.Config{
		Region: "us-east-1", AccessKey: "testing", SecretKey: "testing", IAMEndpoint: ep.URL, STSEndpoint: ep.URL,
	})
	if client == nil {
		t.Fatalf("AWS client: %v", diags)
	}
	tok, err := idp.MintToken(nil, localidp.TokenOptions{Audience: "not-a-client-id"})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	local := "arn:aws:iam::123456789012:oidc-provider/" + host
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + local + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	cases := []struct {
		name, provider string
		phrases        []string
	}{
		{"no such provider", "", []string{"IAM has no OpenID Connect provider " + local + " in this account", "Set client_ids"}},
		{"provider in another account", "arn:aws:iam::210987654321:oidc-provider/" + host,
			[]string{"arn:aws:iam::210987654321:oidc-provider/" + host, "is in account 210987654321", "credentials are for account 123456789012", "Set client_ids"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			config := map[string]tftypes.Value{"trust_policy": str(policy), "token_file": str(tokenFile(t, tok))}
			if c.provider != "" {
				config["provider_arn"] = str(c.provider)
			}
			_, diags := readDirectWith(t, newTrustCheckDataSource(), &providerData{aws: client, idp: localIdPClient(t, idp)}, config)
			if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning || diags[0].Summary() != "Token Audience Not Checked" {
				t.Fatalf("diagnostics %v, want one warning Token Audience Not Checked", diags)
			}
			if !errorPattern(c.phrases...).MatchString(diags[0].Detail()) {
				t.Errorf("detail %q lacks %q", diags[0].Detail(), c.phrases)
			}
		})
	}
}

// TestAccTrustCheck_googleIssuerWithOrWithoutScheme: Google writes iss with or without
// https://, and STS takes both for the built-in accounts.google.com.
func TestAccTrustCheck_googleIssuerWithOrWithoutScheme(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	idp := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://accounts.google.com"}}})
	const client = "1234-app.apps.googleusercontent.com"
	mint := func(iss, aud string) string {
		tok, err := idp.MintToken(map[string]any{"iss": iss, "aud": aud, "sub": "110169484474386276334"}, localidp.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tokenFile(t, tok)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"` + client + `"}}}]}`
	config := e.idpProviderBlock(idp) + "locals {\n  policy = <<-EOT\n" + policy + "\nEOT\n}\n" +
		trustCheck("without_scheme", fmt.Sprintf("token_file = %q", mint("accounts.google.com", client))) +
		trustCheck("with_scheme", fmt.Sprintf("token_file = %q", mint("https://accounts.google.com", client))) +
		trustCheck("other_client", fmt.Sprintf("token_file = %q", mint("accounts.google.com", "someone-else.apps.googleusercontent.com")))
	none := func(name string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.awsoidc_trust_check."+name, tfjsonpath.New("token_problems"), knownvalue.ListExact([]knownvalue.Check{}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				allowedIs("without_scheme", true), none("without_scheme"),
				allowedIs("with_scheme", true), none("with_scheme"),
				allowedIs("other_client", false), none("other_client"),
			},
		}},
	})
}

// TestAccTrustCheck_largeNumbersKeepEveryDigit: a numeric claim above 2^53 is compared,
// reported and kept with every digit, from a token and from claims.
func TestAccTrustCheck_largeNumbersKeepEveryDigit(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	const gh = "token.actions.githubusercontent.com"
	idp := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://" + gh}}})
	mint := func(owner string) string {
		tok, err := idp.MintToken(map[string]any{"sub": "repo:octo/app:ref:refs/heads/main", "repository_owner_id": json.RawMessage(owner)}, localidp.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tokenFile(t, tok)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/` + gh + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + gh + `:aud":"sts.amazonaws.com","` + gh + `:repository_owner_id":"12345678901234567890"},` +
		`"StringLike":{"` + gh + `:sub":"repo:octo/*"}}}]}`
	token := func(owner string) string {
		return fmt.Sprintf("token_file = %q\n  client_ids = [\"sts.amazonaws.com\"]\n  keep_claims = [\"repository_owner_id\"]", mint(owner))
	}
	config := e.idpProviderBlock(idp) + "locals {\n  policy = <<-EOT\n" + policy + "\nEOT\n}\n" +
		trustCheck("owner", token("12345678901234567890")) +
		trustCheck("next_owner", token("12345678901234567891")) +
		trustCheck("claims", `claims = { iss = "https://`+gh+`", aud = "sts.amazonaws.com", sub = "repo:octo/app", repository_owner_id = 12345678901234567890 }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				allowedIs("owner", true),
				statecheck.ExpectKnownValue("data.awsoidc_trust_check.owner", tfjsonpath.New("token_claims"),
					knownvalue.StringRegexp(regexp.MustCompile(`"repository_owner_id":12345678901234567890[,}]`))),
				allowedIs("next_owner", false),
				reasonFor("next_owner", gh+":repository_owner_id", "StringEquals", "12345678901234567890", "12345678901234567891", false),
				allowedIs("claims", true),
			},
		}},
	})
}

// TestAccTrustCheck_keysSTSWouldNotUseNeverVerify: the issuer publishes its RSA key for
// encryption and its EC key for another algorithm than tokens are signed with; tokens
// signed with those very keys are refused as STS would refuse them.
func TestAccTrustCheck_keysSTSWouldNotUseNeverVerify(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	idp := localidp.StartForTest(t, localidp.Config{})
	keys := idp.JWKS()
	for i := range keys.Keys {
		switch keys.Keys[i].KeyID {
		case localidp.RSAKeyID:
			keys.Keys[i].Use = "enc"
		case localidp.ECKeyID:
			keys.Keys[i].Algorithm = "ES512"
		}
	}
	if err := idp.SetRoute("idp.test", "/.well-known/jwks.json", localidp.JSON(keys)); err != nil {
		t.Fatal(err)
	}
	mint := func(alg string) string {
		tok, err := idp.MintToken(map[string]any{"sub": "repo:octo/app:ref:refs/heads/main"}, localidp.TokenOptions{Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("token_file = %q\n  client_ids = [\"sts.amazonaws.com\"]", tokenFile(t, tok))
	}
	config := e.idpProviderBlock(idp) + "locals {\n  policy = <<-EOT\n" + checkPolicy + "\nEOT\n}\n" +
		trustCheck("rs256", mint("RS256")) + trustCheck("es256", mint("ES256"))
	refused := func(name, phrase string) []statecheck.StateCheck {
		addr := "data.awsoidc_trust_check." + name
		return []statecheck.StateCheck{
			allowedIs(name, false),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_problems"), knownvalue.ListExact([]knownvalue.Check{finding("unusable_key", phrase)})),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("summary"), knownvalue.StringRegexp(regexp.MustCompile(
				`^denied: STS would refuse the token itself \(.*Couldn't retrieve verification key.*\); its claims would otherwise satisfy the trust policy$`))),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append(refused("rs256", `key "localidp-rs256" is published for use "enc", not "sig"`),
				refused("es256", `key "localidp-es256" is published for alg "ES512", the token is signed with "ES256"`)...),
		}},
	})
}
