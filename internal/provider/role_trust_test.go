package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

func TestRoleFindingPath_mapsStepsToTheAttributeTerraformShows(t *testing.T) {
	step := func(name string, index int, key string) trustpolicy.PathStep {
		return trustpolicy.PathStep{Name: name, Index: index, Key: key}
	}
	cases := []struct {
		steps []trustpolicy.PathStep
		want  path.Path
	}{
		{nil, path.Root("trust")},
		{[]trustpolicy.PathStep{step("trust", -1, "")}, path.Root("trust")},
		{[]trustpolicy.PathStep{step("trust", 2, ""), step("provider_arn", -1, "")},
			path.Root("trust").AtListIndex(2).AtName("provider_arn")},
		// Sets: the attribute itself, since the message names the value.
		{[]trustpolicy.PathStep{step("trust", 0, ""), step("subjects", -1, "repo:*")},
			path.Root("trust").AtListIndex(0).AtName("subjects")},
		{[]trustpolicy.PathStep{step("trust", 0, ""), step("audiences", -1, "")},
			path.Root("trust").AtListIndex(0).AtName("audiences")},
		// Maps: the entry, by key (the index is the claim's position, not what Terraform uses).
		{[]trustpolicy.PathStep{step("trust", 1, ""), step("claims", 3, "custom:department")},
			path.Root("trust").AtListIndex(1).AtName("claims").AtMapKey("custom:department")},
		{[]trustpolicy.PathStep{step("trust", 0, ""), step("session_tags", -1, ""), step("request_tags", 0, "department")},
			path.Root("trust").AtListIndex(0).AtName("session_tags").AtName("request_tags").AtMapKey("department")},
		{[]trustpolicy.PathStep{step("trust", 0, ""), step("session_tags", -1, ""), step("allowed_keys", -1, "")},
			path.Root("trust").AtListIndex(0).AtName("session_tags").AtName("allowed_keys")},
	}
	for _, c := range cases {
		f := trustpolicy.Finding{Steps: c.steps}
		if got := findingPath(f); !got.Equal(c.want) {
			t.Errorf("findingPath(%s) = %s, want %s", f.Path(), got, c.want)
		}
	}
}

func TestRoleFindingSummary_everyRuleHasItsOwn(t *testing.T) {
	rules := []string{
		trustpolicy.RuleNoTrust, trustpolicy.RuleProvider, trustpolicy.RuleDuplicateProvider,
		trustpolicy.RuleAudiencesRequired, trustpolicy.RuleAudienceValue, trustpolicy.RuleSubjectsRequired,
		trustpolicy.RuleSubjectCatchAll, trustpolicy.RuleSubjectValue, trustpolicy.RuleClaimUnknown,
		trustpolicy.RuleClaimPrefix, trustpolicy.RuleClaimReserved, trustpolicy.RuleClaimValues,
		trustpolicy.RuleClaimOperator, trustpolicy.RuleClaimDuplicate, trustpolicy.RulePolicyVariable,
		trustpolicy.RuleSessionTags, trustpolicy.RulePolicySize,
		trustpolicy.RuleAudienceWildcard, trustpolicy.RuleAnySubjectUnpinned, trustpolicy.RuleSubjectWorkload,
		trustpolicy.RuleCognitoGuests, trustpolicy.RuleIssuerLookAlike,
	}
	seen := map[string]string{}
	for _, r := range rules {
		s, ok := findingSummaries[r]
		if !ok {
			t.Errorf("rule %s has no summary", r)
			continue
		}
		if prev, dup := seen[s]; dup {
			t.Errorf("rules %s and %s share the summary %q", prev, r, s)
		}
		seen[s] = r
	}
	if got := findingSummary("some-new-rule"); got != "Invalid Trust Policy" {
		t.Errorf("summary of an unknown rule = %q", got)
	}
}

// trustBlock builds one trust block value; nil fields are null.
type trustBlock struct {
	providerARN attr.Value
	builtIn     attr.Value
	audiences   attr.Value
	subjects    attr.Value
	claims      attr.Value
	allowAny    attr.Value
	sessionTags attr.Value
	conditions  attr.Value
}

func (b trustBlock) value() attr.Value {
	or := func(v attr.Value, null attr.Value) attr.Value {
		if v == nil {
			return null
		}
		return v
	}
	return types.ObjectValueMust(trustAttrTypes, map[string]attr.Value{
		"provider_arn":      or(b.providerARN, types.StringNull()),
		"built_in":          or(b.builtIn, types.StringNull()),
		"audiences":         or(b.audiences, types.SetNull(types.StringType)),
		"subjects":          or(b.subjects, types.SetNull(types.StringType)),
		"claims":            or(b.claims, types.MapNull(stringSetType)),
		"allow_any_subject": or(b.allowAny, types.BoolNull()),
		"session_tags":      or(b.sessionTags, types.ObjectNull(sessionTagsAttrTypes)),
		"condition":         or(b.conditions, types.ListValueMust(conditionObjectType, nil)),
	})
}

func trustList(blocks ...trustBlock) types.List {
	vals := make([]attr.Value, len(blocks))
	for i, b := range blocks {
		vals[i] = b.value()
	}
	return types.ListValueMust(types.ObjectType{AttrTypes: trustAttrTypes}, vals)
}

func strSet(vals ...string) types.Set { return stringSet(vals) }

func claimMap(entries map[string]attr.Value) types.Map {
	return types.MapValueMust(stringSetType, entries)
}

// diagnosticsAt lists "path: summary" for each diagnostic, sorted.
func diagnosticsAt(diags diag.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		p := ""
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			p = wp.Path().String()
		}
		out = append(out, p+": "+d.Summary())
	}
	slices.Sort(out)
	return out
}

func TestRoleTrustSpec_readsEveryFieldIntoTheSpec(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	list := trustList(trustBlock{
		providerARN: types.StringValue(githubProviderARN),
		audiences:   strSet("sts.amazonaws.com"),
		subjects:    strSet("repo:o/r:ref:refs/heads/main", "repo:o/r:environment:prod"),
		claims:      claimMap(map[string]attr.Value{"repository_id": strSet("42"), "actor": strSet("b", "a")}),
		allowAny:    types.BoolValue(false),
		sessionTags: types.ObjectValueMust(sessionTagsAttrTypes, map[string]attr.Value{
			"request_tags":    claimMap(map[string]attr.Value{"team": strSet("x")}),
			"allowed_keys":    strSet("team"),
			"transitive_keys": types.SetNull(types.StringType),
		}),
	}, trustBlock{builtIn: types.StringValue(trustpolicy.Google), audiences: strSet("c.apps.googleusercontent.com")})

	ts := readTrustSpec(ctx, list, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !ts.complete() {
		t.Fatalf("a fully known spec is not complete: unknown %v", ts.unknown)
	}
	want := trustpolicy.Spec{Statements: []trustpolicy.Trust{
		{
			ProviderARN: githubProviderARN,
			Audiences:   []string{"sts.amazonaws.com"},
			Subjects:    []string{"repo:o/r:environment:prod", "repo:o/r:ref:refs/heads/main"},
			Claims:      []trustpolicy.Claim{{Claim: "actor", Values: []string{"a", "b"}}, {Claim: "repository_id", Values: []string{"42"}}},
			SessionTags: &trustpolicy.SessionTags{RequestTags: []trustpolicy.TagCondition{{Key: "team", Values: []string{"x"}}}, AllowedKeys: []string{"team"}},
		},
		{BuiltIn: trustpolicy.Google, Audiences: []string{"c.apps.googleusercontent.com"}},
	}}
	gotDoc, err := trustpolicy.Build(ts.spec)
	if err != nil {
		t.Fatal(err)
	}
	wantDoc, err := trustpolicy.Build(want)
	if err != nil {
		t.Fatal(err)
	}
	if gotDoc != wantDoc {
		t.Errorf("spec renders\n%s\nwant\n%s", gotDoc, wantDoc)
	}
}

func TestRoleTrustSpec_unknownValuesDeferOnlyTheFindingsTheyCouldCause(t *testing.T) {
	ctx := context.Background()
	unknownSet := types.SetUnknown(types.StringType)
	cases := []struct {
		name  string
		list  types.List
		want  []string // diagnostics as "path: summary"
		known bool     // whether the policy can be rendered at plan
	}{
		{
			name:  "fully known, every problem reported",
			list:  trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet(), subjects: strSet("repo:*")}),
			want:  []string{"trust[0].audiences: Missing Audiences", "trust[0].subjects: Subject Matches Anyone"},
			known: true,
		},
		{
			name: "unknown provider: issuer checks wait, the others run",
			list: trustList(trustBlock{providerARN: types.StringUnknown(), audiences: strSet(), subjects: strSet("repo:*"),
				claims: claimMap(map[string]attr.Value{"custom:department": strSet("x")})}),
			want: []string{"trust[0].audiences: Missing Audiences"},
		},
		{
			name: "unknown audiences: no audience finding",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: unknownSet, subjects: strSet("repo:*")}),
			want: []string{"trust[0].subjects: Subject Matches Anyone"},
		},
		{
			name: "an unknown subject among known ones: subject findings wait",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"),
				subjects: types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown()})}),
			want: nil,
		},
		{
			name: "unknown claim values: that claim's findings wait, others run",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"), subjects: strSet("repo:o/r:*"),
				claims: claimMap(map[string]attr.Value{"repository_id": unknownSet, "groups": strSet("x")})}),
			want: []string{`trust[0].claims["groups"]: Claim Not Exposed by AWS`},
		},
		{
			name: "unknown allow_any_subject: subject findings wait",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"), allowAny: types.BoolUnknown()}),
			want: nil,
		},
		{
			name: "allow_any_subject with an unknown owner claim: the owner finding waits",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"), allowAny: types.BoolValue(true),
				claims: claimMap(map[string]attr.Value{"repository_owner_id": unknownSet})}),
			want: nil,
		},
		{
			name: "allow_any_subject with an unknown claims map: the owner finding waits",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"), allowAny: types.BoolValue(true),
				claims: types.MapUnknown(stringSetType)}),
			want: nil,
		},
		{
			name: "allow_any_subject with known claims that pin nothing",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"), allowAny: types.BoolValue(true),
				claims: claimMap(map[string]attr.Value{"repository_owner_id": strSet("*")})}),
			want:  []string{"trust[0].allow_any_subject: Owner Not Pinned"},
			known: true,
		},
		{
			name: "Cognito with an unknown amr: the guest finding waits",
			list: trustList(trustBlock{builtIn: types.StringValue(trustpolicy.Cognito), audiences: strSet("eu-west-1:6c2f1b2e-0000-4000-8000-1234567890ab"),
				claims: claimMap(map[string]attr.Value{"amr": unknownSet})}),
			want: nil,
		},
		{
			name:  "Cognito without amr",
			list:  trustList(trustBlock{builtIn: types.StringValue(trustpolicy.Cognito), audiences: strSet("eu-west-1:6c2f1b2e-0000-4000-8000-1234567890ab")}),
			want:  []string{"trust[0].claims: Guest Identities Accepted"},
			known: true,
		},
		{
			name: "EKS with a namespace left open, and a look-alike issuer",
			list: trustList(trustBlock{providerARN: types.StringValue(providerARNFor("OIDC.EKS.us-east-1.amazonaws.com/id/ABC")), audiences: strSet("sts.amazonaws.com"),
				subjects: strSet("system:serviceaccount:*")}),
			want:  []string{"trust[0].provider_arn: Issuer Look-Alike", "trust[0].subjects: Subject Matches Every Workload"},
			known: true,
		},
		{
			name: "unknown session tags",
			list: trustList(trustBlock{providerARN: types.StringValue(githubProviderARN), audiences: strSet("sts.amazonaws.com"), subjects: strSet("repo:o/r:*"),
				sessionTags: types.ObjectUnknown(sessionTagsAttrTypes)}),
			want: nil,
		},
		{
			name: "the whole list unknown (a dynamic block)",
			list: types.ListUnknown(types.ObjectType{AttrTypes: trustAttrTypes}),
			want: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var diags diag.Diagnostics
			ts := readTrustSpec(ctx, c.list, &diags)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if got := diagnosticsAt(ts.validate(trustpolicy.ValidateOptions{}, false)); !slices.Equal(got, c.want) {
				t.Errorf("diagnostics\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if ts.complete() != c.known {
				t.Errorf("complete() = %v, want %v", ts.complete(), c.known)
			}
		})
	}
}

func TestRoleTrustSpec_policySizeIsReportedOnTheLargestBlock(t *testing.T) {
	ctx := context.Background()
	var many []string
	for i := range 60 {
		many = append(many, "system:serviceaccount:team-"+strings.Repeat("x", 10)+":sa-"+string(rune('a'+i%26))+strings.Repeat("y", i))
	}
	list := trustList(
		trustBlock{builtIn: types.StringValue(trustpolicy.Google), audiences: strSet("c.apps.googleusercontent.com")},
		trustBlock{providerARN: types.StringValue(providerARNFor("oidc.eks.us-east-1.amazonaws.com/id/ABC")), audiences: strSet("sts.amazonaws.com"), subjects: strSet(many...)},
	)
	var diags diag.Diagnostics
	ts := readTrustSpec(ctx, list, &diags)
	got := diagnosticsAt(ts.validate(trustpolicy.ValidateOptions{}, false))
	want := []string{"trust[1].subjects: Trust Policy Too Large"}
	if !slices.Equal(got, want) {
		t.Fatalf("diagnostics %v, want %v", got, want)
	}
	// A raised quota lets the same policy through.
	if got := ts.validate(trustpolicy.ValidateOptions{MaxPolicySize: 1 << 20}, false); got.HasError() {
		t.Errorf("with a raised quota: %v", got)
	}
}
