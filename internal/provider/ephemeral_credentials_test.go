package provider

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// Ephemeral resources need Terraform 1.10.
var ephemeralVersionCheck = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}

// createTrustingRole makes a role in moto, outside Terraform, for tokens to assume.
func createTrustingRole(t *testing.T) string {
	t.Helper()
	name := "ci-" + strings.ReplaceAll(uniqueHost(t), ".", "-")
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/idp.test"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"idp.test:aud":"sts.amazonaws.com"}}}]}`
	out, err := oob(t).CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy)})
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}

func mintToken(t *testing.T, sub string) string {
	t.Helper()
	idp := localidp.StartForTest(t, localidp.Config{})
	tok, err := idp.MintToken(map[string]any{"sub": sub}, localidp.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// stsCredentials reads the temporary credentials out of an AssumeRoleWithWebIdentity answer.
func stsCredentials(t *testing.T, answer []byte) (keyID, secret, token string) {
	t.Helper()
	var doc struct {
		Result struct {
			Credentials struct {
				AccessKeyID     string `xml:"AccessKeyId"`
				SecretAccessKey string `xml:"SecretAccessKey"`
				SessionToken    string `xml:"SessionToken"`
			} `xml:"Credentials"`
		} `xml:"AssumeRoleWithWebIdentityResult"`
	}
	if err := xml.Unmarshal(answer, &doc); err != nil {
		t.Fatalf("reading STS's answer %q: %v", answer, err)
	}
	c := doc.Result.Credentials
	if c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken == "" {
		t.Fatalf("STS's answer has no credentials: %q", answer)
	}
	return c.AccessKeyID, c.SecretAccessKey, c.SessionToken
}

func TestAccCredentials_workAndNeverReachState(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	roleARN := createTrustingRole(t)
	token := mintToken(t, "repo:octo/app:ref:refs/heads/main")
	key := uniqueHost(t)

	config := e.providerBlock("") + fmt.Sprintf(`
ephemeral "awsoidc_credentials" "ci" {
  role_arn           = %q
  web_identity_token = %q
  session_name       = "pipeline"
  duration           = "30m"
}

provider "awsoidc" {
  alias      = "assumed"
  region     = "us-east-1"
  access_key = ephemeral.awsoidc_credentials.ci.access_key_id
  secret_key = ephemeral.awsoidc_credentials.ci.secret_access_key
  token      = ephemeral.awsoidc_credentials.ci.session_token
  endpoints {
    iam = %q
    sts = %q
  }
}

resource "awsoidc_provider" "test" {
  provider   = awsoidc.assumed
  url        = "https://%s"
  client_ids = ["sts.amazonaws.com"]
}
`, roleARN, token, e.ep.URL, e.ep.URL, key)

	// Every exchange's credentials, as STS handed them out.
	secrets := func() []string {
		var out []string
		for _, r := range e.ep.Requests() {
			if r.Action == "AssumeRoleWithWebIdentity" && r.Status == http.StatusOK {
				id, secret, tok := stsCredentials(t, r.Response)
				out = append(out, id, secret, tok)
			}
		}
		return out
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks:   ephemeralVersionCheck,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{secretScan{what: "the state", learned: secrets}},
		}},
	})

	var exchanges []acctest.Request
	keys := map[string]bool{}
	for _, r := range e.ep.Requests() {
		if r.Action == "AssumeRoleWithWebIdentity" {
			exchanges = append(exchanges, r)
			id, _, _ := stsCredentials(t, r.Response)
			keys[id] = true
			if r.AccessKeyID != "" {
				t.Errorf("AssumeRoleWithWebIdentity was signed with %q; it must be unsigned", r.AccessKeyID)
			}
			if got := r.Params.Get("DurationSeconds"); got != "1800" {
				t.Errorf("DurationSeconds = %q, want 1800", got)
			}
			if got := r.Params.Get("RoleSessionName"); got != "pipeline" {
				t.Errorf("RoleSessionName = %q, want pipeline", got)
			}
			if got := r.Params.Get("WebIdentityToken"); got != token {
				t.Error("the token sent is not the one configured")
			}
		}
	}
	if len(exchanges) == 0 {
		t.Fatalf("no token exchange; endpoint saw %v", e.ep.Actions())
	}
	var created bool
	for _, r := range e.ep.Requests() {
		if r.Action == "CreateOpenIDConnectProvider" {
			created = true
			if !keys[r.AccessKeyID] {
				t.Errorf("CreateOpenIDConnectProvider was signed with %q, not with the temporary credentials", r.AccessKeyID)
			}
		}
	}
	if !created {
		t.Error("the aliased provider never created its resource")
	}
}

func TestAccCredentials_reportTheSession(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	roleARN := createTrustingRole(t)
	token := mintToken(t, "system:serviceaccount:apps:web")
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]

	config := e.providerBlock("") + fmt.Sprintf(`
ephemeral "awsoidc_credentials" "ci" {
  role_arn           = %q
  web_identity_token = %q
  session_name       = "web"
}

provider "echo" {
  data = {
    arn        = ephemeral.awsoidc_credentials.ci.assumed_role_arn
    subject    = ephemeral.awsoidc_credentials.ci.subject
    audience   = ephemeral.awsoidc_credentials.ci.audience
    issuer     = ephemeral.awsoidc_credentials.ci.issuer
    expiration = ephemeral.awsoidc_credentials.ci.expiration
  }
}

resource "echo" "session" {}
`, roleARN, token)

	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"awsoidc": providerserver.NewProtocol6WithError(New("test")()),
			"echo":    echoprovider.NewProviderServer(),
		},
		TerraformVersionChecks: ephemeralVersionCheck,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.session", tfjsonpath.New("data").AtMapKey("arn"),
					knownvalue.StringExact("arn:aws:sts::123456789012:assumed-role/"+roleName+"/web")),
				statecheck.ExpectKnownValue("echo.session", tfjsonpath.New("data").AtMapKey("subject"), knownvalue.StringExact("system:serviceaccount:apps:web")),
				statecheck.ExpectKnownValue("echo.session", tfjsonpath.New("data").AtMapKey("audience"), knownvalue.StringExact(localidp.DefaultAudience)),
				statecheck.ExpectKnownValue("echo.session", tfjsonpath.New("data").AtMapKey("issuer"), knownvalue.StringExact(localidp.DefaultIssuer)),
				statecheck.ExpectKnownValue("echo.session", tfjsonpath.New("data").AtMapKey("expiration"), expirationAbout{start: start, d: time.Hour}),
			},
		}},
	})
}

// expirationAbout checks an RFC 3339 time about d after start.
type expirationAbout struct {
	start time.Time
	d     time.Duration
}

func (c expirationAbout) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("expiration is %T, want a string", v)
	}
	got, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("expiration %q is not RFC 3339: %w", s, err)
	}
	lo, hi := c.start.Add(c.d-10*time.Minute), c.start.Add(c.d+10*time.Minute)
	if got.Before(lo) || got.After(hi) {
		return fmt.Errorf("expiration %s is not about %s after %s", got, c.d, c.start)
	}
	return nil
}

func (c expirationAbout) String() string { return fmt.Sprintf("an expiration about %s away", c.d) }

func TestAccCredentials_explainFailures(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	roleARN := createTrustingRole(t)
	token := mintToken(t, "repo:octo/fork:ref:refs/heads/main")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	use := func(ephemeralBody string) string {
		return e.providerBlock("") + `
ephemeral "awsoidc_credentials" "ci" {
  role_arn = "` + roleARN + `"
  ` + ephemeralBody + `
}

provider "echo" {
  data = { arn = ephemeral.awsoidc_credentials.ci.assumed_role_arn }
}

resource "echo" "session" {}
`
	}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"awsoidc": providerserver.NewProtocol6WithError(New("test")()),
		"echo":    echoprovider.NewProviderServer(),
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   ephemeralVersionCheck,
		Steps: []resource.TestStep{
			{
				Config:      use(`web_identity_token_file = "` + tokenFile + `.missing"`),
				ExpectError: attributeErrorPattern("Cannot Read Token File", "web_identity_token_file", "Reading the web identity token from", "no such file"),
			},
			{
				PreConfig: func() {
					e.ep.Fail("AssumeRoleWithWebIdentity", 1, acctest.AWSError(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"))
				},
				Config:      use(`web_identity_token_file = "` + tokenFile + `"`),
				ExpectError: errorPattern("Token Not Allowed To Assume Role", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "the role's trust policy does not allow it", "awsoidc_trust_check"),
			},
			{
				PreConfig: func() {
					e.ep.Fail("AssumeRoleWithWebIdentity", 1, acctest.AWSError(http.StatusBadRequest, "InvalidIdentityToken", "Incorrect token audience"))
				},
				Config:      use(`web_identity_token = "` + token + `"`),
				ExpectError: errorPattern("Invalid Identity Token", "Incorrect token audience", "add it to client_ids"),
			},
			{
				PreConfig: func() {
					e.ep.Fail("AssumeRoleWithWebIdentity", 1, acctest.AWSError(http.StatusBadRequest, "ExpiredTokenException", "Token expired: current date/time 1 must be before the expiration date/time 0"))
				},
				Config:      use(`web_identity_token = "` + token + `"`),
				ExpectError: errorPattern("Expired Identity Token", "Request a fresh token"),
			},
			{
				// STS could not reach the IdP: retried, then it works.
				PreConfig: func() {
					e.ep.Fail("AssumeRoleWithWebIdentity", 2, acctest.AWSError(http.StatusBadRequest, "IDPCommunicationError", "Couldn't connect to IdP"))
				},
				Config: use(`web_identity_token_file = "` + tokenFile + `"`),
			},
		},
	})
}

func TestAccCredentials_invalidArgumentsFailAtPlan(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	cases := map[string]struct {
		body string
		want string
		attr string
	}{
		"duration too short":  {`web_identity_token = "abcd"` + "\n  duration = \"5m\"", "whole seconds from 15m0s to 12h0m0s", "duration"},
		"duration too long":   {`web_identity_token = "abcd"` + "\n  duration = \"13h\"", "whole seconds from 15m0s to 12h0m0s", "duration"},
		"session name of one": {`web_identity_token = "abcd"` + "\n  session_name = \"a\"", "must be 2 to 64 of letters", "session_name"},
		"token too short":     {`web_identity_token = "abc"`, "string length must be between 4 and 20000", "web_identity_token"},
		"eleven policy ARNs":  {`web_identity_token = "abcd"` + "\n  policy_arns = [for i in range(11) : \"arn:aws:iam::aws:policy/P${i}\"]", "set must contain at most 10 elements", "policy_arns"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				TerraformVersionChecks:   ephemeralVersionCheck,
				Steps: []resource.TestStep{{
					Config: e.providerBlock("") + `
ephemeral "awsoidc_credentials" "ci" {
  role_arn = "arn:aws:iam::123456789012:role/x"
  ` + c.body + `
}
`,
					PlanOnly:    true,
					ExpectError: attributeErrorPattern("", c.attr, c.want),
				}},
			})
		})
	}
	for name, c := range map[string]struct{ body, want string }{
		"user ARN":   {"role_arn = \"arn:aws:iam::123456789012:user/x\"\n  web_identity_token = \"abcd\"", "must be an IAM role ARN"},
		"no token":   {"role_arn = \"arn:aws:iam::123456789012:role/x\"", "Exactly one of these attributes must be configured: [web_identity_token,web_identity_token_file]"},
		"two tokens": {"role_arn = \"arn:aws:iam::123456789012:role/x\"\n  web_identity_token = \"abcd\"\n  web_identity_token_file = \"/t\"", "Exactly one of these attributes must be configured"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				TerraformVersionChecks:   ephemeralVersionCheck,
				Steps: []resource.TestStep{{
					Config:      e.providerBlock("") + "ephemeral \"awsoidc_credentials\" \"ci\" {\n  " + c.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: errorPattern(c.want),
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := e.ep.ServiceCount(acctest.ServiceSTS) - e.ep.Count("GetCallerIdentity"); n != 0 {
			t.Errorf("invalid arguments reached STS %d time(s): %v", n, e.ep.Actions())
		}
	})
}
