package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// TestAccRole_conditionBlocksAreWrittenCheckedAndNeverSilent pins the way to write a
// condition the catalogue does not know: the condition block is written to IAM as given,
// plan warns naming the key (and only that key), awsoidc_trust_check evaluates it, and a
// condition block on a key the catalogue knows is checked like a claim, without a warning.
func TestAccRole_conditionBlocksAreWrittenCheckedAndNeverSilent(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	const newKey = "token.actions.githubusercontent.com:new_claim"
	const ownerKey = "token.actions.githubusercontent.com:repository_owner_id"
	config := e.providerBlock("") + fmt.Sprintf(`
resource "awsoidc_role" "owner" {
  name = "%[1]s-o"
  trust {
    provider_arn = %[2]q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/*"]
    condition {
      test     = "StringEquals"
      variable = %[3]q
      values   = ["60012345"]
    }
  }
}

resource "awsoidc_role" "new_key" {
  name = "%[1]s-n"
  trust {
    provider_arn = %[2]q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/app:ref:refs/heads/main"]
    condition {
      test     = "StringEquals"
      variable = %[4]q
      values   = ["x"]
    }
  }
}

locals {
  token = { iss = "https://token.actions.githubusercontent.com", aud = "sts.amazonaws.com", sub = "repo:octo-org/app:ref:refs/heads/main" }
}

data "awsoidc_trust_check" "owner" {
  trust_policy = awsoidc_role.owner.assume_role_policy
  claims       = merge(local.token, { repository_owner_id = "60012345" })
}
data "awsoidc_trust_check" "other_owner" {
  trust_policy = awsoidc_role.owner.assume_role_policy
  claims       = merge(local.token, { repository_owner_id = "1" })
}
data "awsoidc_trust_check" "new_key" {
  trust_policy = awsoidc_role.new_key.assume_role_policy
  claims       = merge(local.token, { new_claim = "x" })
}

output "checks" {
  value = {
    owner       = data.awsoidc_trust_check.owner.allowed
    other_owner = data.awsoidc_trust_check.other_owner.allowed
    new_key     = data.awsoidc_trust_check.new_key.allowed
    new_key_reasons = [for r in data.awsoidc_trust_check.new_key.reasons : r.key if !r.result]
    summaries       = [data.awsoidc_trust_check.owner.summary, data.awsoidc_trust_check.new_key.summary]
  }
}
`, name, githubProviderARN, ownerKey, newKey)

	cli := newCLI(t)
	cli.Write("main.tf", config)
	cli.MustRun(nil, "init")
	t.Cleanup(func() { cli.Run("destroy", "-auto-approve") })

	plan := cli.MustRun(nil, "plan")
	out := strings.Join(strings.Fields(plan.Output()), " ")
	if n := strings.Count(out, "Warning: Condition Key Not in Catalogue"); n != 1 {
		t.Errorf("want one warning about the unknown key, got %d\n%s", n, plan.Output())
	}
	for _, want := range []string{`with awsoidc_role.new_key`, `condition key "` + newKey + `"`, "GitHub Actions", "awsoidc_trust_check"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan's warning does not say %q\n%s", want, plan.Output())
		}
	}
	if strings.Contains(out, `condition key "`+ownerKey+`"`) {
		t.Errorf("a condition block on a key the catalogue knows was warned about\n%s", plan.Output())
	}

	cli.MustRun(nil, "apply", "-auto-approve")
	for role, key := range map[string]string{name + "-o": ownerKey, name + "-n": newKey} {
		s, err := readIAMRole(t, role)
		if err != nil {
			t.Fatal(err)
		}
		p, err := trustpolicy.Parse(s.trust)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range p.Statements[0].Conditions {
			found = found || (c.Operator == "StringEquals" && c.Key == key)
		}
		if !found {
			t.Errorf("IAM's trust policy of %s has no StringEquals condition on %s:\n%s", role, key, s.trust)
		}
	}
	var checks struct {
		Owner          bool     `json:"owner"`
		OtherOwner     bool     `json:"other_owner"`
		NewKey         bool     `json:"new_key"`
		NewKeyFailures []string `json:"new_key_reasons"`
		Summaries      []string `json:"summaries"`
	}
	res := cli.MustRun(nil, "output", "-json", "checks")
	if err := json.Unmarshal([]byte(res.Stdout), &checks); err != nil {
		t.Fatalf("reading the trust checks: %v\n%s", err, res)
	}
	c := checks
	if !c.Owner || c.OtherOwner {
		t.Errorf("trust check of the owner condition block: owner allowed = %v (want true), other owner allowed = %v (want false); %q", c.Owner, c.OtherOwner, c.Summaries)
	}
	// The evaluator knows which claims STS turns into keys; new_claim is not one yet, so
	// the condition on it fails, and the reason names the key.
	if c.NewKey || strings.Join(c.NewKeyFailures, ",") != newKey {
		t.Errorf("trust check of the unknown key: allowed = %v (want false), failing keys %v (want [%s])", c.NewKey, c.NewKeyFailures, newKey)
	}

	if res := cli.Run("plan", "-detailed-exitcode"); res.ExitCode != 0 {
		t.Errorf("plan after apply: want no changes\n%s", res)
	}
}

// blockErrorPattern matches an error with the given summary that Terraform shows on the
// opening line of a nested block (so the provider scoped it to that block), whose detail
// then holds each phrase.
func blockErrorPattern(summary, block string, phrases ...string) *regexp.Regexp {
	at := `Error: ` + regexp.QuoteMeta(summary) + `\s+with [^\n]+,\s+on [^\n]+:\n\s*\d+:\s+` + regexp.QuoteMeta(block) + `\s*\{`
	rest := strings.TrimPrefix(errorPattern(phrases...).String(), "(?s)")
	return regexp.MustCompile(`(?s)` + at + `.*?` + rest)
}

// TestAccRole_conditionBlocksOnKnownKeysFailAtPlanLikeClaims refuses, at plan and on the
// condition block, what would be refused if written as subjects or claims.
func TestAccRole_conditionBlocksOnKnownKeysFailAtPlanLikeClaims(t *testing.T) {
	t.Parallel()
	role := func(condition string) string {
		return roleResourceConfig(fmt.Sprintf(`
  name = "ok"
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/octo-repo:ref:refs/heads/main"]
    condition {
      %s
    }
  }`, githubProviderARN, condition))
	}
	invalidConfigsFailAtPlan(t, 4, []invalidConfig{
		{"a subject pattern open to any owner", role(`test = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values = ["repo:*"]`),
			blockErrorPattern("Subject Matches Anyone", "condition", `subject "repo:*"`, "owner")},
		{"ForAllValues on a claim", role(`test = "ForAllValues:StringEquals"
      variable = "token.actions.githubusercontent.com:repository_id"
      values = ["1"]`),
			blockErrorPattern("Unsafe Condition Operator", "condition", "ForAllValues is true when the token lacks the claim")},
		{"a key of another provider", role(`test = "StringEquals"
      variable = "gitlab.com:project_id"
      values = ["1"]`),
			blockErrorPattern("Condition Key of Another Provider", "condition", `uses the prefix "gitlab.com"`)},
		{"an operator IAM does not have", role(`test = "StringSortOf"
      variable = "token.actions.githubusercontent.com:new_claim"
      values = ["1"]`),
			blockErrorPattern("Unsafe Condition Operator", "condition", `operator "StringSortOf"`)},
		{"a variable that is not a key", role(`test = "StringEquals"
      variable = "new_claim"
      values = ["1"]`),
			blockErrorPattern("Condition Key Not in Catalogue", "condition", "write the full key")},
	})
}
