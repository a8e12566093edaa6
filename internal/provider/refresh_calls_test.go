package provider

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// newCLI runs the terraform CLI against this provider, served from the test.
func newCLI(t *testing.T) *acctest.CLI {
	t.Helper()
	return acctest.NewCLI(t, "awsoidc", protoV6ProviderFactories["awsoidc"])
}

// TestAccRefresh_callsIAMAtTheFloorAndFindsNoChanges refreshes N providers and N roles
// with inline policies, unchanged since apply: terraform plan -refresh-only
// -detailed-exitcode exits 0 (no changes), and IAM answers exactly one call per provider
// (GetOpenIDConnectProvider, tags included) and 3 + 1 per inline policy per role (GetRole,
// tags included; ListAttachedRolePolicies; ListRolePolicies; GetRolePolicy each); STS
// answers one GetCallerIdentity, which both checks the credentials and finds the account.
// The destroy that follows removes each role with the lists it needs and the removals
// (ListAttachedRolePolicies, ListRolePolicies, ListInstanceProfilesForRole, one detach
// and one delete per policy, DeleteRole), without reading the role again.
func TestAccRefresh_callsIAMAtTheFloorAndFindsNoChanges(t *testing.T) {
	t.Parallel()
	const n, inline = 3, 2
	e := newAccEnv(t)
	managed := testPolicy(t, "managed")
	var config strings.Builder
	config.WriteString(e.providerBlock(`default_tags {
    tags = { owner = "platform" }
  }`))
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%d", testRoleName(t), i)
		fmt.Fprintf(&config, `
resource "awsoidc_provider" "p%[1]d" {
  url        = "https://%[2]s-%[1]d"
  client_ids = ["sts.amazonaws.com", "app-%[1]d"]
  tags       = { index = "%[1]d" }
}

resource "awsoidc_role" "r%[1]d" {
  name                = %[3]q
  description         = "role %[1]d"
  managed_policy_arns = [%[4]q]
  inline_policies = {
    for j in range(%[5]d) : "policy-${j}" => jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::bucket-%[1]d-${j}/*" }]
    })
  }
  tags = { index = "%[1]d" }
  trust {
    provider_arn = awsoidc_provider.p%[1]d.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:apps:web-%[1]d", "system:serviceaccount:ci:*"]
  }
}
`, i, uniqueHost(t), names[i], managed, inline)
	}
	cli := newCLI(t)
	cli.Write("main.tf", config.String())
	cli.MustRun(nil, "init")
	t.Cleanup(func() { cli.Run("destroy", "-auto-approve") })
	cli.MustRun(nil, "apply", "-auto-approve")

	e.ep.Reset()
	res := cli.Run("plan", "-refresh-only", "-detailed-exitcode")
	if res.ExitCode != 0 {
		t.Errorf("terraform plan -refresh-only -detailed-exitcode on unchanged resources: want exit 0 (no changes)\n%s", res)
	}
	got := map[string]int{}
	for _, a := range e.iamActions() {
		got[a]++
	}
	want := map[string]int{
		"GetOpenIDConnectProvider": n,
		"GetRole":                  n,
		"ListAttachedRolePolicies": n,
		"ListRolePolicies":         n,
		"GetRolePolicy":            n * inline,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("IAM calls of a refresh of %d providers and %d roles with %d inline policies each:\n got %s\nwant %s (1 per provider, 3 + %d per role)",
			n, n, inline, describeCounts(got), describeCounts(want), inline)
	}
	if k := e.ep.Count("GetCallerIdentity"); k != 1 {
		t.Errorf("GetCallerIdentity called %d times in one plan, want 1 (the credentials check and the account lookup share it)", k)
	}

	// And the ordinary plan agrees: nothing to do.
	if res := cli.Run("plan", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("terraform plan -detailed-exitcode after apply: want exit 0\n%s", res)
	}
	// The destroy's own refresh is counted above; -refresh=false leaves the deletes.
	e.ep.Reset()
	cli.MustRun(nil, "destroy", "-auto-approve", "-refresh=false")
	got = map[string]int{}
	for _, a := range e.iamActions() {
		got[a]++
	}
	want = map[string]int{
		"DeleteOpenIDConnectProvider": n,
		"ListAttachedRolePolicies":    n,
		"ListRolePolicies":            n,
		"DetachRolePolicy":            n,
		"DeleteRolePolicy":            n * inline,
		"ListInstanceProfilesForRole": n,
		"DeleteRole":                  n,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("IAM calls of a destroy of %d providers and %d roles with one managed and %d inline policies each:\n got %s\nwant %s (1 per provider, 5 + %d per role)",
			n, n, inline, describeCounts(got), describeCounts(want), inline)
	}
	for _, name := range names {
		if k := rolesNamed(t, name); k != 0 {
			t.Errorf("role %s still exists after destroy", name)
		}
	}
}

func describeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	total := 0
	for k, v := range m {
		keys = append(keys, fmt.Sprintf("%s=%d", k, v))
		total += v
	}
	sort.Strings(keys)
	return fmt.Sprintf("%d calls: %s", total, strings.Join(keys, ", "))
}
