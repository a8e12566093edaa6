package provider

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// Provider functions need Terraform 1.8.
var functionsVersionCheck = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

func functionTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	acctest.RequireTerraform(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks:   functionsVersionCheck,
		Steps:                    steps,
	})
}

func outputIs(name, want string) statecheck.StateCheck {
	return statecheck.ExpectKnownOutputValue(name, knownvalue.StringExact(want))
}

func TestAccFunction_conditionKey(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config: `
output "github" { value = provider::awsoidc::condition_key("https://token.actions.githubusercontent.com", "sub") }
output "no_scheme" { value = provider::awsoidc::condition_key("oidc.circleci.com/org/abc", "aud") }
output "auth0" { value = provider::awsoidc::condition_key("https://tenant.auth0.com/", "aud") }
output "google" { value = provider::awsoidc::condition_key("https://accounts.google.com", "oaud") }
`,
		ConfigStateChecks: []statecheck.StateCheck{
			outputIs("github", "token.actions.githubusercontent.com:sub"),
			outputIs("no_scheme", "oidc.circleci.com/org/abc:aud"),
			outputIs("auth0", "tenant.auth0.com/:aud"),
			outputIs("google", "accounts.google.com:oaud"),
		},
	}, resource.TestStep{
		Config:      `output "x" { value = provider::awsoidc::condition_key("https://idp.example.com:8443", "sub") }`,
		ExpectError: errorPattern("Invalid function argument", "has a port"),
	}, resource.TestStep{
		Config:      `output "x" { value = provider::awsoidc::condition_key("https://idp.example.com", "") }`,
		ExpectError: errorPattern("Invalid function argument", "claim must be a claim name"),
	})
}

func TestAccFunction_providerARN(t *testing.T) {
	t.Parallel()
	functionTest(t, resource.TestStep{
		Config: `
output "default_partition" { value = provider::awsoidc::provider_arn("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", "123456789012") }
output "gov" { value = provider::awsoidc::provider_arn("token.actions.githubusercontent.com", "123456789012", "aws-us-gov") }
output "slash" { value = provider::awsoidc::provider_arn("https://tenant.auth0.com/", "123456789012") }
`,
		ConfigStateChecks: []statecheck.StateCheck{
			outputIs("default_partition", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
			outputIs("gov", "arn:aws-us-gov:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
			outputIs("slash", "arn:aws:iam::123456789012:oidc-provider/tenant.auth0.com/"),
		},
	}, resource.TestStep{
		Config:      `output "x" { value = provider::awsoidc::provider_arn("https://accounts.google.com", "123456789012") }`,
		ExpectError: errorPattern("Invalid function argument", "built into AWS"),
	}, resource.TestStep{
		Config:      `output "x" { value = provider::awsoidc::provider_arn("https://idp.example.com", "12345") }`,
		ExpectError: errorPattern("Invalid function argument", `account_id must be 12 digits; got "12345"`),
	}, resource.TestStep{
		Config:      `output "x" { value = provider::awsoidc::provider_arn("https://idp.example.com", "123456789012", "azure") }`,
		ExpectError: errorPattern("Invalid function argument", "partition must be an AWS partition"),
	})
}

func TestAccFunction_thumbprintTakesTheLastCertificate(t *testing.T) {
	t.Parallel()
	idp := localidp.StartForTest(t, localidp.Config{})
	host := idp.Host("idp.test")
	served := host.Served()
	if len(served) < 2 {
		t.Fatalf("the test IdP serves %d certificates; want a chain", len(served))
	}
	sum := sha1.Sum(served[len(served)-1].Raw)
	want := hex.EncodeToString(sum[:])
	leafSum := sha1.Sum(served[0].Raw)

	functionTest(t, resource.TestStep{
		Config: "output \"tp\" { value = provider::awsoidc::thumbprint(<<-EOT\n" + string(host.ServedPEM()) + "EOT\n) }\n",
		ConfigStateChecks: []statecheck.StateCheck{
			outputIs("tp", want),
		},
	}, resource.TestStep{
		Config:      `output "x" { value = provider::awsoidc::thumbprint("not a certificate") }`,
		ExpectError: errorPattern("Invalid function argument"),
	})
	if want == hex.EncodeToString(leafSum[:]) || strings.ToLower(want) != want {
		t.Fatalf("test setup: expected thumbprint %q must be the lower-case top certificate's, not the leaf's", want)
	}
}
