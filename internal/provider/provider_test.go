package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// motoAccount is the account moto answers every call for.
const motoAccount = "123456789012"

func TestMain(m *testing.M) {
	// The recipes attach AWS managed policies (AmazonEBSCSIDriverPolicy, ReadOnlyAccess),
	// which moto only has when asked to load them; loading takes seconds, and more on a
	// busy machine.
	acctest.SharedOptions.Env = append(acctest.SharedOptions.Env, "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	acctest.SharedOptions.StartTimeout = 2 * time.Minute
	os.Exit(acctest.RunMain(m))
}

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"awsoidc": providerserver.NewProtocol6WithError(New("test")()),
}

// accEnv is one acceptance test's world: its own recording endpoint in front of the
// shared moto server.
type accEnv struct {
	t  *testing.T
	ep *acctest.Endpoint
}

func newAccEnv(t *testing.T) *accEnv {
	t.Helper()
	acctest.RequireTerraform(t)
	return &accEnv{t: t, ep: acctest.EndpointForTest(t)}
}

// providerBlock configures the provider against this test's endpoint; extra is added
// inside the block (default_tags, for example).
func (e *accEnv) providerBlock(extra string) string {
	return fmt.Sprintf(`
provider "awsoidc" {
  region     = "us-east-1"
  access_key = "testing"
  secret_key = "testing"
  endpoints {
    iam = %[1]q
    sts = %[1]q
  }
  %[2]s
}
`, e.ep.URL, extra)
}

// iamActions are the IAM calls this test's endpoint received.
func (e *accEnv) iamActions() []string {
	var out []string
	for _, r := range e.ep.Requests() {
		if strings.EqualFold(r.Service, "iam") {
			out = append(out, r.Action)
		}
	}
	return out
}

// oob is an IAM client that talks to moto directly, bypassing the test's endpoint, for
// changes "made outside Terraform" and for checking what IAM really holds.
func oob(t *testing.T) *iam.Client {
	t.Helper()
	m := acctest.MotoForTest(t)
	return iam.New(iam.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(m.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	})
}

// uniqueHost gives each test its own issuer host, since all tests share one moto account.
func uniqueHost(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("%s-%s.idp.test", strings.Trim(name, "-"), hex.EncodeToString(b))
}

func providerARNFor(key string) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", motoAccount, key)
}

func getProvider(t *testing.T, arn string) *iam.GetOpenIDConnectProviderOutput {
	t.Helper()
	out, err := oob(t).GetOpenIDConnectProvider(context.Background(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("reading %s from moto: %v", arn, err)
	}
	return out
}

// errorPattern matches an error whose text holds each phrase in order. Terraform wraps
// long diagnostics, so any run of spaces in a phrase matches any white space.
func errorPattern(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// attributeErrorPattern matches an error with the given summary that Terraform shows on
// the configuration line of attr (so the provider scoped it to that attribute), whose
// detail then holds each phrase. An empty summary matches any.
func attributeErrorPattern(summary, attr string, phrases ...string) *regexp.Regexp {
	title := regexp.QuoteMeta(summary)
	if summary == "" {
		title = `[^\n]+`
	}
	at := `Error: ` + title + `\s+with [^\n]+,\s+on [^\n]+:\n\s*\d+:\s+` + regexp.QuoteMeta(attr) + `\s*=`
	rest := strings.TrimPrefix(errorPattern(phrases...).String(), "(?s)")
	if len(phrases) == 0 {
		return regexp.MustCompile(`(?s)` + at)
	}
	return regexp.MustCompile(`(?s)` + at + `.*?` + rest)
}

// invalidConfig is a configuration terraform plan must refuse with an error matching want.
type invalidConfig struct {
	name   string
	config string
	want   *regexp.Regexp
}

// invalidConfigsFailAtPlan plans each configuration against its own endpoint: every one
// must fail as expected, IAM must receive nothing, and the table must keep at least
// minCases cases.
func invalidConfigsFailAtPlan(t *testing.T, minCases int, cases []invalidConfig) {
	t.Helper()
	e := newAccEnv(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      e.providerBlock("") + c.config,
					PlanOnly:    true,
					ExpectError: c.want,
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := e.ep.ServiceCount(acctest.ServiceIAM); n != 0 {
			t.Errorf("IAM received %d request(s) for invalid configurations, want none: %s", n, strings.Join(e.iamActions(), ", "))
		}
		if len(cases) < minCases {
			t.Errorf("the table has %d cases; keep at least %d", len(cases), minCases)
		}
	})
}
