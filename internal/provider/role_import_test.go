package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// fieldPolicies are the trust policies typical of the field that trustpolicy's tests read
// back into trust blocks (GitHub, GitLab, EKS, Cognito, Google, HCP Terraform, CircleCI
// documentation, and what popular modules render), by file name.
func fieldPolicies(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "trustpolicy", "testdata", "import", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d field policies in trustpolicy/testdata/import, want at least 10", len(files))
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = string(b)
	}
	return out
}

// createRoleOutOfBand creates a role in moto with the given trust policy, as another tool
// would, and deletes it when the test ends if it is still there.
func createRoleOutOfBand(t *testing.T, name, policy string) {
	t.Helper()
	_, err := oob(t).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(policy),
	})
	if err != nil {
		t.Fatalf("creating role %s in moto: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = oob(t).DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(name)})
	})
}

// TestAccRole_importedFieldPoliciesRoundTripThroughGeneratedConfiguration imports a role
// for each field policy with import blocks and terraform plan -generate-config-out, applies
// the import with the generated configuration, and plans again: no changes. The generated
// configuration holds the trust blocks, not just the rendered policy.
func TestAccRole_importedFieldPoliciesRoundTripThroughGeneratedConfiguration(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	policies := fieldPolicies(t)
	var imports strings.Builder
	imports.WriteString(e.providerBlock(""))
	addresses := map[string]string{}
	i := 0
	for file, policy := range policies {
		name := fmt.Sprintf("%s-%02d", testRoleName(t), i)
		createRoleOutOfBand(t, name, policy)
		addr := fmt.Sprintf("awsoidc_role.r%02d", i)
		addresses[addr] = file
		fmt.Fprintf(&imports, "\nimport {\n  to = %s\n  id = %q\n}\n", addr, name)
		i++
	}
	cli := newCLI(t)
	cli.Write("main.tf", imports.String())
	cli.MustRun(nil, "init")
	plan := cli.MustRun(nil, "plan", "-generate-config-out=generated.tf")
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(policies)); !strings.Contains(plan.Stdout, want) {
		t.Fatalf("the plan with the generated configuration should only import (%q)\n%s", want, plan)
	}
	generated := cli.Read("generated.tf")
	if n := strings.Count(generated, "trust {"); n < len(policies) {
		t.Errorf("generated.tf has %d trust blocks for %d roles:\n%s", n, len(policies), generated)
	}
	// A sample of what the blocks say, so the trust is in the blocks and not only in the
	// rendered policy (which generated configuration leaves out).
	for _, want := range []string{
		`subjects     = ["repo:octo-org/octo-repo:*"]`,
		`built_in          = "cognito-identity.amazonaws.com"`,
		`amr = ["authenticated"]`,
		`variable = "token.actions.githubusercontent.com:iss"`,
		`allowed_keys    = ["cost-center", "team"]`,
	} {
		if !containsHCL(generated, want) {
			t.Errorf("generated.tf lacks %s", want)
		}
	}
	if strings.Contains(plan.Output(), "Trust Policy Not Fully Expressible") {
		t.Errorf("a field policy was reported as not expressible:\n%s", plan.Output())
	}

	cli.MustRun(nil, "apply", "-auto-approve")
	again := cli.Run("plan", "-detailed-exitcode")
	if again.ExitCode != 0 {
		t.Fatalf("the generated configuration, planned again after the import, should have no changes\n%s\n--- generated.tf\n%s", again, generated)
	}
	// IAM was only read: the import changed no trust policy.
	for _, a := range e.iamActions() {
		if strings.HasPrefix(a, "Update") || strings.HasPrefix(a, "Put") || strings.HasPrefix(a, "Create") {
			t.Errorf("importing called %s", a)
		}
	}
	cli.MustRun(nil, "destroy", "-auto-approve")
}

// TestAccRole_importNamesWhatTrustBlocksCannotSay imports a role whose policy also trusts
// an AWS account: the import goes ahead with the GitHub trust block, one warning lists
// what is left out and what to do, and the plan shows the change before anything is
// written.
func TestAccRole_importNamesWhatTrustBlocksCannotSay(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	createRoleOutOfBand(t, name, `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "`+githubProviderARN+`"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}
      }
    },
    {
      "Sid": "BreakGlass",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
      "Action": "sts:AssumeRole"
    }
  ]
}`)
	cli := newCLI(t)
	cli.Write("main.tf", e.providerBlock("")+fmt.Sprintf("\nimport {\n  to = awsoidc_role.imported\n  id = %q\n}\n", name))
	cli.MustRun(nil, "init")
	plan := cli.MustRun(nil, "plan", "-generate-config-out=generated.tf")
	out := plan.Output()
	if n := strings.Count(out, "Warning: Trust Policy Not Fully Expressible"); n != 1 {
		t.Errorf("want the warning once, got %d times\n%s", n, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{`Statement[1] (Sid "BreakGlass") names a principal of type AWS`, "would replace IAM's trust policy", "aws_iam_role"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the warning does not say %q\n%s", want, out)
		}
	}
	if !strings.Contains(plan.Stdout, "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.") {
		t.Errorf("the plan should show the import and the trust policy it would write\n%s", plan)
	}
	if !containsHCL(cli.Read("generated.tf"), `subjects = ["repo:octo-org/*"]`) {
		t.Errorf("the GitHub trust block was not generated:\n%s", cli.Read("generated.tf"))
	}
}

// containsHCL reports whether generated configuration holds a line, however Terraform
// aligned its equals signs.
func containsHCL(config, line string) bool {
	spaces := regexp.MustCompile(`[ \t]+`)
	return strings.Contains(spaces.ReplaceAllString(config, " "), spaces.ReplaceAllString(line, " "))
}

func TestRoleTrustValue_readsBackIntoTheSameSpec(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{
		"awsoidc_exact_and_patterns_with_session_tags", "module_github_oidc_role",
		"module_several_providers", "github_environment_and_repository_id",
	} {
		doc, err := os.ReadFile(filepath.Join("..", "trustpolicy", "testdata", "import", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		inf, err := trustpolicy.Infer(string(doc))
		if err != nil {
			t.Fatal(err)
		}
		var diags diag.Diagnostics
		list := trustListFromSpec(inf.Spec, &diags)
		ts := readTrustSpec(ctx, list, &diags)
		if diags.HasError() || !ts.complete() {
			t.Fatalf("%s: %v", name, diags)
		}
		got, err := trustpolicy.Build(ts.spec)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := trustpolicy.Build(inf.Spec)
		if got != want {
			t.Errorf("%s: the trust blocks written to state build\n%s\nwant\n%s", name, got, want)
		}
	}
}

// priorRoleState is a role's state as versions 0 and 1 of the resource wrote it, in the
// JSON Terraform keeps, with the two number attributes as given (nil for null).
func priorRoleState(maxSession, quota any) map[string]any {
	return map[string]any{
		"arn": "arn:aws:iam::123456789012:role/r", "assume_role_policy": `{"Version":"2012-10-17","Statement":[]}`,
		"create_date": "2026-01-01T00:00:00Z", "description": nil, "inline_policies": map[string]any{}, "managed_policy_arns": []any{},
		"max_session_duration": maxSession, "name": "r", "name_prefix": nil, "path": "/", "permissions_boundary": nil,
		"tags": nil, "tags_all": map[string]any{}, "trust": []any{}, "trust_policy_size_quota": quota, "unique_id": "AROA1",
	}
}

// upgradeRoleStateAsTerraform sends prior state of the given schema version to the
// provider's server as Terraform does on the first plan after a provider upgrade, and
// returns the upgraded state as the current schema reads it.
func upgradeRoleStateAsTerraform(t *testing.T, version int64, state map[string]any) map[string]tftypes.Value {
	t.Helper()
	ctx := context.Background()
	server, err := protoV6ProviderFactories["awsoidc"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("provider schema: %v %v", err, schemas.Diagnostics)
	}
	schema := schemas.ResourceSchemas["awsoidc_role"]
	if schema.Version != 2 {
		t.Fatalf("awsoidc_role schema version %d; this test upgrades to version 2", schema.Version)
	}
	raw, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: "awsoidc_role", Version: version, RawState: &tfprotov6.RawState{JSON: raw}})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("upgrading version %d state %s: %v %v", version, raw, err, resp.Diagnostics)
	}
	val, err := resp.UpgradedState.Unmarshal(schema.ValueType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := val.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs
}

// TestRoleUpgradeState_eachVersionBecomesVersion2: max_session_duration and
// trust_policy_size_quota were numbers up to version 1 and are strings holding the number
// since version 2; version 0 also stored an unset max_session_duration as 3600, which is
// null since version 1. Each prior version is upgraded straight to version 2.
func TestRoleUpgradeState_eachVersionBecomesVersion2(t *testing.T) {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	null := tftypes.NewValue(tftypes.String, nil)
	cases := []struct {
		version           int64
		maxSession, quota any
		wantSession       tftypes.Value
		wantQuota         tftypes.Value
	}{
		{0, 3600, nil, null, null}, // the old default: not configured
		{0, 7200, 4096, str("7200"), str("4096")},
		{0, 43200, 2048, str("43200"), str("2048")},
		{1, nil, nil, null, null},
		{1, 3600, nil, str("3600"), null}, // configured: since version 1, 3600 is stored only when set
		{1, 7200, 4096, str("7200"), str("4096")},
		{1, json.Number("7.2e3"), json.Number("4096.0"), str("7200"), str("4096")},
	}
	for _, c := range cases {
		got := upgradeRoleStateAsTerraform(t, c.version, priorRoleState(c.maxSession, c.quota))
		if !got["max_session_duration"].Equal(c.wantSession) || !got["trust_policy_size_quota"].Equal(c.wantQuota) {
			t.Errorf("version %d with max_session_duration %v, trust_policy_size_quota %v: upgraded to %v and %v, want %v and %v",
				c.version, c.maxSession, c.quota, got["max_session_duration"], got["trust_policy_size_quota"], c.wantSession, c.wantQuota)
		}
		if !got["name"].Equal(str("r")) || !got["unique_id"].Equal(str("AROA1")) || !got["path"].Equal(str("/")) {
			t.Errorf("version %d: the other attributes changed: %v", c.version, got)
		}
	}
}

// A value that was never a number is a state this provider did not write: the upgrade
// says so rather than guessing.
func TestRoleUpgradeState_refusesANumberAttributeThatIsNotANumber(t *testing.T) {
	raw, _ := json.Marshal(priorRoleState(map[string]any{"seconds": 7200}, nil))
	var resp resource.UpgradeStateResponse
	upgradeRoleStateV1(context.Background(), resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: raw}}, &resp)
	if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "max_session_duration in the prior state") {
		t.Errorf("want an error naming max_session_duration, got %v", resp.Diagnostics)
	}
}
