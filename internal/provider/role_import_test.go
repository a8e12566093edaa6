package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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

func TestRoleUpgradeState_version0KeepsAnUnsetSessionLengthNull(t *testing.T) {
	upgrade := func(state map[string]any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(state)
		req := resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: raw}}
		var resp resource.UpgradeStateResponse
		upgradeRoleStateV0(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() || resp.DynamicValue == nil {
			t.Fatalf("upgrade failed: %v", resp.Diagnostics)
		}
		var out map[string]any
		if err := json.Unmarshal(resp.DynamicValue.JSON, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := upgrade(map[string]any{"name": "r", "max_session_duration": 3600, "trust": []any{}})
	if got["max_session_duration"] != nil || got["name"] != "r" || !reflect.DeepEqual(got["trust"], []any{}) {
		t.Errorf("3600 (the old default) should become null, the rest kept: %v", got)
	}
	if got := upgrade(map[string]any{"name": "r", "max_session_duration": 7200}); got["max_session_duration"] != float64(7200) {
		t.Errorf("a configured session length must be kept: %v", got)
	}
}
