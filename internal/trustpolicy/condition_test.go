package trustpolicy

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestValidate_conditionBlocksOnKnownKeysGetTheRulesOfWhatTheyMean(t *testing.T) {
	gh := func(conds ...RawCondition) Spec {
		return Spec{Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"},
			Subjects: []string{"repo:octo-org/octo-repo:ref:refs/heads/main"}, Conditions: conds}}}
	}
	cases := []struct {
		name     string
		spec     Spec
		rule     string
		severity Severity
		path     string
		contains []string
	}{
		{name: "subject pattern open to anyone", spec: Spec{Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"},
			Conditions: []RawCondition{{Test: "StringLike", Variable: "token.actions.githubusercontent.com:sub", Values: []string{"repo:*"}}}}}},
			rule: RuleSubjectCatchAll, path: "trust[0].condition[0]", contains: []string{`"repo:*"`, "owner"}},
		{name: "ForAllValues on a claim the issuer exposes", spec: gh(RawCondition{Test: "ForAllValues:StringEquals",
			Variable: "token.actions.githubusercontent.com:repository_id", Values: []string{"1"}}),
			rule: RuleClaimOperator, path: "trust[0].condition[0]", contains: []string{"ForAllValues", "lacks the claim"}},
		{name: "wildcard under StringEquals", spec: gh(RawCondition{Test: "StringEquals",
			Variable: "token.actions.githubusercontent.com:job_workflow_ref", Values: []string{"octo-org/*"}}),
			rule: RuleClaimOperator, path: "trust[0].condition[0]", contains: []string{"compares literally"}},
		{name: "key of another provider", spec: gh(RawCondition{Test: "StringEquals", Variable: "gitlab.com:project_id", Values: []string{"1"}}),
			rule: RuleClaimPrefix, path: "trust[0].condition[0]", contains: []string{`"gitlab.com"`}},
		{name: "session-tag key", spec: gh(RawCondition{Test: "StringEquals", Variable: "aws:RequestTag/team", Values: []string{"a"}}),
			rule: RuleClaimReserved, path: "trust[0].condition[0]", contains: []string{"session_tags"}},
		{name: "key the catalogue does not know", spec: gh(RawCondition{Test: "StringEquals",
			Variable: "token.actions.githubusercontent.com:new_claim", Values: []string{"x"}}),
			rule: RuleConditionKey, severity: SeverityWarning, path: "trust[0].condition[0]",
			contains: []string{`"token.actions.githubusercontent.com:new_claim"`, "GitHub Actions", "written as given", "awsoidc_trust_check"}},
		{name: "global key the catalogue does not know", spec: gh(RawCondition{Test: "StringEquals", Variable: "sts:NewKey", Values: []string{"x"}}),
			rule: RuleConditionKey, severity: SeverityWarning, path: "trust[0].condition[0]", contains: []string{`"sts:NewKey"`}},
		{name: "unknown key with ForAllValues", spec: gh(RawCondition{Test: "ForAllValues:StringEquals",
			Variable: "token.actions.githubusercontent.com:iss", Values: []string{"https://token.actions.githubusercontent.com"}}),
			rule: RuleClaimOperator, path: "trust[0].condition[0]", contains: []string{"ForAllValues"}},
		{name: "operator IAM does not know", spec: gh(RawCondition{Test: "StringSortOf", Variable: "token.actions.githubusercontent.com:new_claim", Values: []string{"x"}}),
			rule: RuleClaimOperator, path: "trust[0].condition[0]", contains: []string{`"StringSortOf"`, "StringLike"}},
		{name: "variable that is not a key", spec: gh(RawCondition{Test: "StringEquals", Variable: "new_claim", Values: []string{"x"}}),
			rule: RuleConditionKey, path: "trust[0].condition[0]", contains: []string{"full key"}},
		{name: "unknown key without values", spec: gh(RawCondition{Test: "StringEquals", Variable: "token.actions.githubusercontent.com:new_claim"}),
			rule: RuleClaimValues, path: "trust[0].condition[0]", contains: []string{"no values"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.severity
			if want == "" {
				want = SeverityError
			}
			fs := Validate(tc.spec, ValidateOptions{})
			for _, f := range fs {
				if f.Rule != tc.rule || f.Path() != tc.path {
					continue
				}
				if f.Severity != want {
					t.Errorf("severity %s, want %s", f.Severity, want)
				}
				for _, s := range tc.contains {
					if !strings.Contains(f.Message, s) {
						t.Errorf("message %q does not contain %q", f.Message, s)
					}
				}
				return
			}
			t.Fatalf("no %s finding at %q; got %v", tc.rule, tc.path, fs)
		})
	}
}

func TestValidate_conditionBlocksCountAsAudiencesAndSubjects(t *testing.T) {
	spec := Spec{Statements: []Trust{{ProviderARN: githubARN, Conditions: []RawCondition{
		{Test: "StringEquals", Variable: "token.actions.githubusercontent.com:aud", Values: []string{"sts.amazonaws.com"}},
		{Test: "StringLike", Variable: "token.actions.githubusercontent.com:sub", Values: []string{"repo:octo-org/*"}},
		{Test: "StringEquals", Variable: "token.actions.githubusercontent.com:repository_owner_id", Values: []string{"60012345"}},
	}}}}
	if fs := Validate(spec, ValidateOptions{}); len(fs) > 0 {
		t.Fatalf("a trust written entirely in condition blocks on known keys, safely: findings %v", fs)
	}
}

func TestValidate_conditionBlocksCountTowardTheSizeQuota(t *testing.T) {
	long := strings.Repeat("v", 200)
	var conds []RawCondition
	for range 12 {
		conds = append(conds, RawCondition{Test: "StringEquals", Variable: "token.actions.githubusercontent.com:new_claim", Values: []string{long + string(rune('a'+len(conds)))}})
	}
	spec := Spec{Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/x:*"}, Conditions: conds}}}
	sized := 0
	for _, f := range Validate(spec, ValidateOptions{}) {
		if f.Rule == RulePolicySize {
			sized++
		}
	}
	if sized != 1 {
		t.Fatalf("want one size finding for a policy of 12 long condition values, got %d", sized)
	}
}

func TestBuild_writesConditionBlocksAsGiven(t *testing.T) {
	doc, err := Build(Spec{Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/x:*"},
		Conditions: []RawCondition{
			{Test: "StringEquals", Variable: "token.actions.githubusercontent.com:new_claim", Values: []string{"b", "a"}},
			{Test: "StringEquals", Variable: "sts:SourceIdentity", Values: []string{"svc"}},
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Statements[0]
	var got []string
	for _, c := range st.Conditions {
		got = append(got, c.Operator+" "+c.Key+" "+strings.Join(c.Values, ","))
	}
	want := "StringEquals sts:SourceIdentity svc|StringEquals token.actions.githubusercontent.com:aud sts.amazonaws.com|StringEquals token.actions.githubusercontent.com:new_claim a,b|StringLike token.actions.githubusercontent.com:sub repo:octo-org/x:*"
	if strings.Join(got, "|") != want {
		t.Errorf("conditions\n%s\nwant\n%s", strings.Join(got, "|"), strings.ReplaceAll(want, "|", "\n"))
	}
	if !strings.Contains(strings.Join(st.Action, ","), ActionSetSourceIdentity) {
		t.Errorf("a condition block on %s must allow %s, as a claim does: actions %v", KeySourceIdentity, ActionSetSourceIdentity, st.Action)
	}
	d := Evaluate(doc, Request{Provider: githubARN, SourceIdentity: "svc", Claims: map[string]any{
		"aud": "sts.amazonaws.com", "sub": "repo:octo-org/x:ref:refs/heads/main", "new_claim": "a"}})
	if d.Allowed {
		t.Errorf("the evaluator allowed a token although STS sets no key for new_claim as far as it knows: %s", d.Summary)
	}
}

// TestValidate_messagesNameRealValues: no finding prints a placeholder where a provider,
// key or address belongs, whatever the spec, the provider not known yet included.
func TestValidate_messagesNameRealValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for range 300 {
		choices := make([]byte, 48)
		for i := range choices {
			choices[i] = byte(rng.IntN(256))
		}
		spec := (&specReader{data: choices}).spec()
		for _, unknown := range []bool{false, true} {
			if unknown {
				for i := range spec.Statements {
					spec.Statements[i].ProviderARN, spec.Statements[i].BuiltIn, spec.Statements[i].ProviderUnknown = "", "", true
				}
			}
			for _, f := range Validate(spec, ValidateOptions{}) {
				checked++
				for _, placeholder := range []string{"<provider>", "<address>", "<prefix>", "%!"} {
					if strings.Contains(f.Message, placeholder) {
						t.Fatalf("finding %s prints %q: %s", f.Rule, placeholder, f.Message)
					}
				}
			}
		}
	}
	if checked < 300 {
		t.Fatalf("only %d findings checked", checked)
	}
}
