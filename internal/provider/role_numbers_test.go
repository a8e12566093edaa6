package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// max_session_duration and trust_policy_size_quota are strings holding a whole number (see
// numberAsStringNote). These tests run the real terraform CLI: configurations written with
// numbers keep working, refresh-only plans of unchanged roles are clean, drift is still
// found and repaired, and state written with numbers by earlier versions is upgraded.

// numberRolesConfig is two roles setting both attributes: r0 with number literals, r1
// through number-typed variables.
func numberRolesConfig(e *accEnv, names []string, providerARN string) string {
	return e.providerBlock("") + fmt.Sprintf(`
variable "session" {
  type    = number
  default = 43200
}

variable "quota" {
  type    = number
  default = 3000
}

resource "awsoidc_role" "r0" {
  name                    = %[1]q
  max_session_duration    = 7200
  trust_policy_size_quota = 4096
  trust {
    provider_arn = %[3]q
    audiences    = ["app"]
  }
}

resource "awsoidc_role" "r1" {
  name                    = %[2]q
  max_session_duration    = var.session
  trust_policy_size_quota = var.quota
  trust {
    provider_arn = %[3]q
    audiences    = ["app"]
  }
}
`, names[0], names[1], providerARN)
}

// stateValues is each resource's attributes as terraform show -json gives them, by address.
func stateValues(t *testing.T, cli *acctest.CLI) map[string]map[string]any {
	t.Helper()
	var shown struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	res := cli.MustRun(nil, "show", "-json")
	if err := json.Unmarshal([]byte(res.Stdout), &shown); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, res)
	}
	out := map[string]map[string]any{}
	for _, r := range shown.Values.RootModule.Resources {
		out[r.Address] = r.Values
	}
	return out
}

// checkNumberStrings fails the test unless state holds the attributes as these strings.
func checkNumberStrings(t *testing.T, cli *acctest.CLI, want map[string][2]string) {
	t.Helper()
	values := stateValues(t, cli)
	for addr, w := range want {
		got := [2]any{values[addr]["max_session_duration"], values[addr]["trust_policy_size_quota"]}
		if got != [2]any{w[0], w[1]} {
			t.Errorf("%s in state: max_session_duration %#v, trust_policy_size_quota %#v; want the strings %q and %q", addr, got[0], got[1], w[0], w[1])
		}
	}
}

func iamSessionDuration(t *testing.T, name string) int32 {
	t.Helper()
	s, err := readIAMRole(t, name)
	if err != nil {
		t.Fatalf("reading role %s from moto: %v", name, err)
	}
	return aws.ToInt32(s.role.MaxSessionDuration)
}

// applyNumberRoles applies numberRolesConfig for two roles trusting a fresh provider,
// destroying them when the test ends, and returns the workspace and the role names.
func applyNumberRoles(t *testing.T) (*acctest.CLI, []string) {
	t.Helper()
	e := newAccEnv(t)
	arn, _ := testOIDCProvider(t, "")
	names := []string{testRoleName(t) + "-0", testRoleName(t) + "-1"}
	cli := newCLI(t)
	cli.Write("main.tf", numberRolesConfig(e, names, arn))
	cli.MustRun(nil, "init")
	t.Cleanup(func() { cli.Run("destroy", "-auto-approve") })
	cli.MustRun(nil, "apply", "-auto-approve")
	return cli, names
}

// TestAccRefresh_roleWithSessionDurationAndQuotaFindsNoChanges: roles that set
// max_session_duration and trust_policy_size_quota, as number literals or number
// variables, refresh with terraform plan -refresh-only -detailed-exitcode exiting 0.
// (Number attributes made it exit 2 with "No changes", hashicorp/terraform#36403.)
func TestAccRefresh_roleWithSessionDurationAndQuotaFindsNoChanges(t *testing.T) {
	t.Parallel()
	cli, names := applyNumberRoles(t)

	// Terraform turned the numbers into the strings of their digits.
	checkNumberStrings(t, cli, map[string][2]string{
		"awsoidc_role.r0": {"7200", "4096"},
		"awsoidc_role.r1": {"43200", "3000"},
	})
	if got := iamSessionDuration(t, names[0]); got != 7200 {
		t.Errorf("IAM max session duration of %s = %d, want 7200", names[0], got)
	}
	if got := iamSessionDuration(t, names[1]); got != 43200 {
		t.Errorf("IAM max session duration of %s = %d, want 43200", names[1], got)
	}
	if res := cli.Run("plan", "-refresh-only", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("terraform plan -refresh-only -detailed-exitcode on unchanged roles: want exit 0 (no changes)\n%s", res)
	}
	if res := cli.Run("plan", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("terraform plan -detailed-exitcode after apply: want exit 0\n%s", res)
	}
}

// TestAccRole_sessionDurationChangedOutsideTerraformIsDetectedAndRestored: a session
// length changed in IAM shows as drift in a refresh-only plan and as an in-place update
// in a plan, and apply writes the configured length back.
func TestAccRole_sessionDurationChangedOutsideTerraformIsDetectedAndRestored(t *testing.T) {
	t.Parallel()
	cli, names := applyNumberRoles(t)

	if _, err := oob(t).UpdateRole(context.Background(), &iam.UpdateRoleInput{RoleName: aws.String(names[0]), MaxSessionDuration: aws.Int32(3600)}); err != nil {
		t.Fatal(err)
	}
	res := cli.Run("plan", "-refresh-only", "-detailed-exitcode")
	if res.ExitCode != 2 || !errorPattern(`awsoidc_role.r0 has changed`, `~ max_session_duration = "7200" -> "3600"`).MatchString(res.Stdout) {
		t.Errorf("a session length changed in IAM: want exit 2 and the change shown\n%s", res)
	}
	if strings.Contains(res.Stdout, "awsoidc_role.r1 has changed") {
		t.Errorf("only r0 changed in IAM, yet r1 shows as changed\n%s", res)
	}
	res = cli.Run("plan", "-detailed-exitcode")
	if res.ExitCode != 2 || !errorPattern(`awsoidc_role.r0 will be updated in-place`, `~ max_session_duration = "3600" -> "7200"`, "Plan: 0 to add, 1 to change, 0 to destroy").MatchString(res.Stdout) {
		t.Errorf("want a plan that restores 7200 in place\n%s", res)
	}
	cli.MustRun(nil, "apply", "-auto-approve")
	if got := iamSessionDuration(t, names[0]); got != 7200 {
		t.Errorf("after apply, IAM max session duration = %d, want 7200 restored", got)
	}
	checkNumberStrings(t, cli, map[string][2]string{"awsoidc_role.r0": {"7200", "4096"}})
	if res := cli.Run("plan", "-refresh-only", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("terraform plan -refresh-only -detailed-exitcode after the repair: want exit 0\n%s", res)
	}
}

// TestAccRole_version1StateWithNumbersIsUpgraded: state that version 1 of the resource
// wrote, with both attributes as numbers, is read by this version without a diff, and
// the next refresh writes them as strings under schema version 2.
func TestAccRole_version1StateWithNumbersIsUpgraded(t *testing.T) {
	t.Parallel()
	cli, _ := applyNumberRoles(t)

	// Rewrite the state as version 1 wrote it: schema version 1, numbers.
	var state map[string]any
	if err := json.Unmarshal([]byte(cli.Read("terraform.tfstate")), &state); err != nil {
		t.Fatal(err)
	}
	rewritten := 0
	for _, r := range state["resources"].([]any) {
		r := r.(map[string]any)
		if r["type"] != "awsoidc_role" {
			continue
		}
		for _, inst := range r["instances"].([]any) {
			inst := inst.(map[string]any)
			if inst["schema_version"] != float64(2) {
				t.Fatalf("%s has schema version %v after apply, want 2", r["name"], inst["schema_version"])
			}
			inst["schema_version"] = 1
			attrs := inst["attributes"].(map[string]any)
			for _, a := range roleNumberAttributes {
				attrs[a] = json.Number(attrs[a].(string))
			}
			rewritten++
		}
	}
	if rewritten != 2 {
		t.Fatalf("rewrote %d role instances, want 2", rewritten)
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	cli.Write("terraform.tfstate", string(b))
	if !strings.Contains(string(b), `"max_session_duration": 7200`) {
		t.Fatalf("the hand-written version 1 state holds no number:\n%s", b)
	}

	if res := cli.Run("plan", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("terraform plan -detailed-exitcode on version 1 state: want exit 0 (the upgraded strings equal the configuration)\n%s", res)
	}
	if res := cli.Run("plan", "-refresh-only", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("terraform plan -refresh-only -detailed-exitcode on version 1 state: want exit 0\n%s", res)
	}
	cli.MustRun(nil, "apply", "-refresh-only", "-auto-approve")
	after := cli.Read("terraform.tfstate")
	for _, want := range []string{`"schema_version": 2`, `"max_session_duration": "7200"`, `"trust_policy_size_quota": "4096"`, `"max_session_duration": "43200"`, `"trust_policy_size_quota": "3000"`} {
		if !strings.Contains(after, want) {
			t.Errorf("state after apply -refresh-only lacks %s:\n%s", want, after)
		}
	}
	if strings.Contains(after, `"schema_version": 1`) {
		t.Errorf("state after apply -refresh-only still has schema version 1:\n%s", after)
	}
}
