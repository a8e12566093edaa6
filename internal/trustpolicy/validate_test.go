package trustpolicy

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidate_findingsNameTheValueTheRuleAndTheFix(t *testing.T) {
	gh := func(mod func(*Trust)) Spec {
		tr := Trust{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/octo-repo:ref:refs/heads/main"}}
		mod(&tr)
		return Spec{Statements: []Trust{tr}}
	}
	one := func(tr Trust) Spec { return Spec{Statements: []Trust{tr}} }
	many := make([]string, 60)
	for i := range many {
		many[i] = fmt.Sprintf("repo:octo-org/service-%02d:ref:refs/heads/main", i)
	}
	cases := []struct {
		name     string
		spec     Spec
		opts     ValidateOptions
		rule     string
		severity Severity
		path     string
		contains []string
	}{
		{name: "no trust block", spec: Spec{}, rule: RuleNoTrust, path: "trust", contains: []string{"at least one"}},
		{name: "neither provider_arn nor built_in", spec: one(Trust{Audiences: []string{"x"}}), rule: RuleProvider, path: "trust[0].provider_arn", contains: []string{"found neither"}},
		{name: "malformed provider ARN", spec: one(Trust{ProviderARN: "arn:aws:iam::12345:oidc-provider/x.example.com", Audiences: []string{"x"}}),
			rule: RuleProvider, path: "trust[0].provider_arn", contains: []string{"12-digit account", `"12345"`}},
		{name: "unknown built-in issuer", spec: one(Trust{BuiltIn: "login.microsoftonline.com", Audiences: []string{"x"}}),
			rule: RuleProvider, path: "trust[0].built_in", contains: []string{"login.microsoftonline.com", "accounts.google.com"}},
		{name: "IAM provider ARN for a built-in issuer", spec: one(Trust{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/accounts.google.com", Audiences: []string{googleID}}),
			rule: RuleProvider, path: "trust[0].provider_arn", contains: []string{`built_in = "accounts.google.com"`}},
		{name: "duplicate provider", spec: Spec{Statements: []Trust{
			{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}},
			{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:a:b"}},
		}}, rule: RuleDuplicateProvider, path: "trust[1].provider_arn", contains: []string{eksARN, "trust[0]", "merge"}},
		{name: "empty audiences", spec: gh(func(t *Trust) { t.Audiences = nil }), rule: RuleAudiencesRequired, path: "trust[0].audiences",
			contains: []string{"token.actions.githubusercontent.com:aud", "sts.amazonaws.com"}},
		{name: "Google without its client ID", spec: one(Trust{BuiltIn: Google, Subjects: []string{"1"}}), rule: RuleAudiencesRequired, path: "trust[0].audiences",
			contains: []string{"accounts.google.com:aud", "OAuth client ID", "anyone with a Google account"}},
		{name: "empty audience value", spec: gh(func(t *Trust) { t.Audiences = []string{""} }), rule: RuleAudienceValue, path: "trust[0].audiences", contains: []string{"empty"}},
		{name: "wildcard audience", spec: gh(func(t *Trust) { t.Audiences = []string{"*"} }), rule: RuleAudienceValue, path: `trust[0].audiences["*"]`, contains: []string{`"*" matches every audience`}},
		{name: "GitHub without subjects", spec: gh(func(t *Trust) { t.Subjects = nil }), rule: RuleSubjectsRequired, path: "trust[0].subjects",
			contains: []string{"anyone", "token.actions.githubusercontent.com:sub", "repo:octo-org/octo-repo", "allow_any_subject"}},
		{name: "GitHub bare star subject", spec: gh(func(t *Trust) { t.Subjects = []string{"*"} }), rule: RuleSubjectCatchAll, path: `trust[0].subjects["*"]`,
			contains: []string{`"*"`, "matches every subject", "allow_any_subject"}},
		{name: "GitHub repo:* subject", spec: gh(func(t *Trust) { t.Subjects = []string{"repo:*"} }), rule: RuleSubjectCatchAll, path: `trust[0].subjects["repo:*"]`,
			contains: []string{`"repo:*"`, "owner"}},
		{name: "GitHub wildcard in the organisation", spec: gh(func(t *Trust) { t.Subjects = []string{"repo:octo-*/deploy:ref:refs/heads/main"} }), rule: RuleSubjectCatchAll,
			path: `trust[0].subjects["repo:octo-*/deploy:ref:refs/heads/main"]`, contains: []string{"owner"}},
		{name: "GitHub wildcard before the prefix", spec: gh(func(t *Trust) { t.Subjects = []string{"*:ref:refs/heads/main"} }), rule: RuleSubjectCatchAll,
			path: `trust[0].subjects["*:ref:refs/heads/main"]`, contains: []string{"before the owner"}},
		{name: "GitLab project_path:* subject", spec: one(Trust{ProviderARN: gitlabARN, Audiences: []string{"https://gitlab.com"}, Subjects: []string{"project_path:*"}}),
			rule: RuleSubjectCatchAll, path: `trust[0].subjects["project_path:*"]`, contains: []string{"gitlab.com"}},
		{name: "HCP Terraform organization:* subject", spec: one(Trust{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/app.terraform.io", Audiences: []string{"aws.workload.identity"}, Subjects: []string{"organization:*:project:*:workspace:*:run_phase:*"}}),
			rule: RuleSubjectCatchAll, path: `trust[0].subjects["organization:*:project:*:workspace:*:run_phase:*"]`, contains: []string{"HCP Terraform"}},
		{name: "Buildkite without subjects", spec: one(Trust{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/agent.buildkite.com", Audiences: []string{"sts.amazonaws.com"}}),
			rule: RuleSubjectsRequired, path: "trust[0].subjects", contains: []string{"Buildkite"}},
		{name: "GitHub opt-out without an owner claim", spec: gh(func(t *Trust) { t.Subjects, t.AllowAnySubject = []string{"*"}, true }), rule: RuleAnySubjectUnpinned,
			path: "trust[0].allow_any_subject", contains: []string{"allow_any_subject = true", "no claim pins the owner", "repository_owner_id", "enterprise_id"}},
		{name: "GitHub opt-out with a wildcard owner claim", spec: gh(func(t *Trust) {
			t.AllowAnySubject, t.Claims = true, []Claim{{Claim: "repository_owner_id", Values: []string{"*"}}}
		}), rule: RuleAnySubjectUnpinned, path: "trust[0].allow_any_subject", contains: []string{"repository_owner_id does not"}},
		{name: "HCP Terraform opt-out: no claim can pin the organization", spec: one(Trust{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/app.terraform.io", Audiences: []string{"aws.workload.identity"}, AllowAnySubject: true}),
			rule: RuleAnySubjectUnpinned, path: "trust[0].allow_any_subject", contains: []string{"exposes no claim that names the organization", "organization:my-org"}},
		{name: "GitHub custom template with a wildcard owner", spec: gh(func(t *Trust) { t.Subjects = []string{"repository_owner_id:*"} }), rule: RuleSubjectCatchAll,
			path: `trust[0].subjects["repository_owner_id:*"]`, contains: []string{`after "repository_owner_id:"`, "custom template"}},
		{name: "GitHub reusable workflow alone", spec: gh(func(t *Trust) {
			t.Subjects = []string{"job_workflow_ref:octo-org/shared/.github/workflows/d.yml@refs/heads/main"}
		}),
			rule: RuleSubjectCatchAll, path: `trust[0].subjects["job_workflow_ref:octo-org/shared/.github/workflows/d.yml@refs/heads/main"]`, contains: []string{"public repository can be called from any repository"}},
		{name: "EKS without subjects", spec: one(Trust{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}}), rule: RuleSubjectWorkload, path: "trust[0].subjects",
			contains: []string{"every service account in every namespace", "system:serviceaccount:payments:api", "allow_any_subject = true"}},
		{name: "EKS with any namespace", spec: one(Trust{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:*"}}), rule: RuleSubjectWorkload,
			path: `trust[0].subjects["system:serviceaccount:*"]`, contains: []string{"leaves the namespace", "every namespace it matches"}},
		{name: "a self-managed cluster with any namespace", spec: one(Trust{ProviderARN: keycloak, Audiences: []string{"k8s"}, Subjects: []string{"system:serviceaccount:*:default"}}), rule: RuleSubjectWorkload,
			path: `trust[0].subjects["system:serviceaccount:*:default"]`, contains: []string{"(Kubernetes cluster)"}},
		{name: "Google wildcard client", spec: one(Trust{BuiltIn: Google, Audiences: []string{"*.apps.googleusercontent.com"}}), rule: RuleAudienceWildcard,
			path: `trust[0].audiences["*.apps.googleusercontent.com"]`, contains: []string{"anyone can create a Google OAuth client", "OAuth client ID"}},
		{name: "Cognito wildcard pool", spec: one(Trust{BuiltIn: Cognito, Audiences: []string{"us-east-1:*"}, Claims: []Claim{{Claim: "amr", Values: []string{"authenticated"}}}}), rule: RuleAudienceWildcard,
			path: `trust[0].audiences["us-east-1:*"]`, contains: []string{"identity pool"}},
		{name: "wildcard audience of a private issuer", spec: one(Trust{ProviderARN: oktaARN, Audiences: []string{"0oa1*"}}), rule: RuleAudienceWildcard, severity: SeverityWarning,
			path: `trust[0].audiences["0oa1*"]`, contains: []string{"prefer the exact client ID"}},
		{name: "Cognito without amr", spec: one(Trust{BuiltIn: Cognito, Audiences: []string{poolID}}), rule: RuleCognitoGuests, path: "trust[0].claims",
			contains: []string{"guest (unauthenticated) identities", `amr = ["authenticated"]`, `amr = ["unauthenticated"]`}},
		{name: "Cognito amr that matches guests", spec: one(Trust{BuiltIn: Cognito, Audiences: []string{poolID}, Claims: []Claim{{Claim: "amr", Values: []string{"*authenticated"}}}}), rule: RuleCognitoGuests,
			path: `trust[0].claims["amr"]`, contains: []string{"accepts guest"}},
		{name: "GitHub issuer in upper case", spec: one(Trust{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/Token.Actions.GitHubUserContent.com", Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:*"}}),
			rule: RuleSubjectCatchAll, path: `trust[0].subjects["repo:*"]`, contains: []string{"GitHub Actions"}},
		{name: "look-alike issuer", spec: one(Trust{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/Token.Actions.GitHubUserContent.com", Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:o/r:*"}}),
			rule: RuleIssuerLookAlike, severity: SeverityWarning, path: "trust[0].provider_arn", contains: []string{"upper-case", "use https://token.actions.githubusercontent.com"}},
		{name: "empty subject", spec: one(Trust{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{""}}), rule: RuleSubjectValue, path: "trust[0].subjects"},
		{name: "custom claim AWS does not expose", spec: Spec{Statements: []Trust{
			{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}},
			{ProviderARN: oktaARN, Audiences: []string{"0oa1"}, Claims: []Claim{{Claim: "custom:department", Values: []string{"eng"}}}},
		}}, rule: RuleClaimUnknown, path: `trust[1].claims["custom:department"]`,
			contains: []string{`"custom:department"`, "example.okta.com/oauth2/default", "amr, aud, azp, sub", "session tags", "https://aws.amazon.com/tags", "session_tags"}},
		{name: "groups claim AWS does not expose", spec: one(Trust{ProviderARN: oktaARN, Audiences: []string{"0oa1"}, Claims: []Claim{{Claim: "groups", Values: []string{"admins"}}}}),
			rule: RuleClaimUnknown, path: `trust[0].claims["groups"]`, contains: []string{"never matches", "session_tags"}},
		{name: "GitHub claim under the GitLab provider", spec: one(Trust{ProviderARN: gitlabARN, Audiences: []string{"https://gitlab.com"}, Subjects: []string{"project_path:g/p:ref_type:branch:ref:main"}, Claims: []Claim{{Claim: "repository_id", Values: []string{"1"}}}}),
			rule: RuleClaimUnknown, path: `trust[0].claims["repository_id"]`, contains: []string{"GitLab.com", "project_id"}},
		{name: "key prefix of another provider", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "gitlab.com:project_id", Values: []string{"1"}}} }),
			rule: RuleClaimPrefix, path: `trust[0].claims["gitlab.com:project_id"]`, contains: []string{`"gitlab.com"`, `"token.actions.githubusercontent.com"`, "token.actions.githubusercontent.com:project_id"}},
		{name: "unknown global key", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "aws:PrincipalTag/team", Values: []string{"1"}}} }),
			rule: RuleClaimUnknown, path: `trust[0].claims["aws:PrincipalTag/team"]`, contains: []string{"sts:RoleSessionName"}},
		{name: "session-tag key in claims", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "aws:RequestTag/team", Values: []string{"a"}}} }),
			rule: RuleClaimReserved, path: `trust[0].claims["aws:RequestTag/team"]`, contains: []string{"session_tags"}},
		{name: "sub in claims", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "sub", Values: []string{"repo:a/b:*"}}} }),
			rule: RuleClaimReserved, path: `trust[0].claims["sub"]`, contains: []string{"subjects"}},
		{name: "aud in claims", spec: gh(func(t *Trust) {
			t.Claims = []Claim{{Claim: "token.actions.githubusercontent.com:aud", Values: []string{"x"}}}
		}),
			rule: RuleClaimReserved, path: `trust[0].claims["token.actions.githubusercontent.com:aud"]`, contains: []string{"audiences"}},
		{name: "claim without values", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "repository_id"}} }), rule: RuleClaimValues, path: `trust[0].claims["repository_id"]`},
		{name: "ForAllValues in an Allow", spec: one(Trust{BuiltIn: Cognito, Audiences: []string{poolID}, Claims: []Claim{{Claim: "amr", Values: []string{"authenticated"}, Operator: "ForAllValues:StringLike"}}}),
			rule: RuleClaimOperator, path: `trust[0].claims["amr"]`, contains: []string{"ForAllValues", "lacks the claim", "ForAnyValue:StringLike"}},
		{name: "StringEquals with a wildcard value", spec: gh(func(t *Trust) {
			t.Claims = []Claim{{Claim: "job_workflow_ref", Values: []string{"octo-org/x/.github/workflows/*"}, Operator: "StringEquals"}}
		}), rule: RuleClaimOperator, path: `trust[0].claims["job_workflow_ref"]`, contains: []string{"StringLike", "compares literally"}},
		{name: "unknown operator", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "ref", Values: []string{"1"}, Operator: "NumericEquals"}} }),
			rule: RuleClaimOperator, path: `trust[0].claims["ref"]`, contains: []string{"NumericEquals", "StringLike"}},
		{name: "negated operator admits tokens without the claim", spec: gh(func(t *Trust) {
			t.Claims = []Claim{{Claim: "environment", Values: []string{"dev"}, Operator: "StringNotEquals"}}
		}),
			rule: RuleClaimOperator, severity: SeverityWarning, path: `trust[0].claims["environment"]`, contains: []string{"lacks the claim"}},
		{name: "IfExists admits tokens without the claim", spec: gh(func(t *Trust) {
			t.Claims = []Claim{{Claim: "environment", Values: []string{"prod"}, Operator: "StringEqualsIfExists"}}
		}),
			rule: RuleClaimOperator, severity: SeverityWarning, path: `trust[0].claims["environment"]`, contains: []string{"IfExists"}},
		{name: "multi-valued claim without a qualifier", spec: one(Trust{BuiltIn: Cognito, Audiences: []string{poolID}, Claims: []Claim{{Claim: "amr", Values: []string{"authenticated"}, Operator: "StringEquals"}}}),
			rule: RuleClaimOperator, severity: SeverityWarning, path: `trust[0].claims["amr"]`, contains: []string{"ForAnyValue:StringEquals"}},
		{name: "Null with a value other than true or false", spec: gh(func(t *Trust) { t.Claims = []Claim{{Claim: "environment", Values: []string{"yes"}, Operator: "Null"}} }),
			rule: RuleClaimOperator, path: `trust[0].claims["environment"]`, contains: []string{`"yes"`, `"false"`}},
		{name: "the same claim twice", spec: gh(func(t *Trust) {
			t.Claims = []Claim{{Claim: "environment", Values: []string{"prod"}}, {Claim: "token.actions.githubusercontent.com:environment", Values: []string{"dev"}}}
		}), rule: RuleClaimDuplicate, path: `trust[0].claims["token.actions.githubusercontent.com:environment"]`, contains: []string{"claims[0]"}},
		{name: "policy variable syntax in a value", spec: gh(func(t *Trust) { t.Subjects = []string{"repo:octo-org/x:ref:${ref}"} }),
			rule: RulePolicyVariable, severity: SeverityWarning, path: `trust[0].subjects["repo:octo-org/x:ref:${ref}"]`, contains: []string{"${$}"}},
		{name: "request tag outside allowed keys", spec: one(Trust{ProviderARN: oktaARN, Audiences: []string{"0oa1"}, SessionTags: &SessionTags{
			RequestTags: []TagCondition{{Key: "department", Values: []string{"eng"}}}, AllowedKeys: []string{"team"}}}),
			rule: RuleSessionTags, path: `trust[0].session_tags.request_tags["department"]`, contains: []string{"never be assumed", "allowed_keys"}},
		{name: "request tag without values", spec: one(Trust{ProviderARN: oktaARN, Audiences: []string{"0oa1"}, SessionTags: &SessionTags{
			RequestTags: []TagCondition{{Key: "department"}}}}),
			rule: RuleSessionTags, path: `trust[0].session_tags.request_tags["department"]`, contains: []string{"no values"}},
		{name: "policy over the size quota", spec: gh(func(t *Trust) { t.Subjects = many }), rule: RulePolicySize, path: "",
			contains: []string{"over the quota of 2048", "ACLSizePerRole"}},
		{name: "policy over a raised quota parameter", spec: gh(func(t *Trust) { t.Subjects = many[:5] }), opts: ValidateOptions{MaxPolicySize: 400},
			rule: RulePolicySize, path: "", contains: []string{"over the quota of 400"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := Validate(tc.spec, tc.opts)
			want := tc.severity
			if want == "" {
				want = SeverityError
			}
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

func TestValidate_acceptsWhatIsSafe(t *testing.T) {
	cases := map[string]Spec{
		"GitHub org-wide pattern": {Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/*"}}}},
		"GitHub new ID subject format": {Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"},
			Subjects: []string{"repo:octo-org@60012345/octo-repo@892431870:ref:refs/heads/main"}}}},
		"GitHub custom subject template": {Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"},
			Subjects: []string{"repository_owner_id:60012345:environment:*"}}}},
		"GitHub opt-out with owner pinned by claim": {Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, AllowAnySubject: true,
			Claims: []Claim{{Claim: "repository_owner_id", Values: []string{"60012345"}}}}}},
		"GitHub opt-out with a bare star and the owner pinned by claim": {Statements: []Trust{{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, AllowAnySubject: true, Subjects: []string{"*"},
			Claims: []Claim{{Claim: "repository_id", Values: []string{"892431870"}}}}}},
		"GHE enterprise slug without subjects": {Statements: []Trust{{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/octo-enterprise",
			Audiences: []string{"sts.amazonaws.com"}, Claims: []Claim{{Claim: "enterprise_id", Values: []string{"42"}}}}}},
		"GHE.com without subjects":   {Statements: []Trust{{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/token.actions.octo.ghe.com", Audiences: []string{"sts.amazonaws.com"}}}},
		"EKS with one namespace":     {Statements: []Trust{{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:payments:*"}}}},
		"EKS cluster-wide by choice": {Statements: []Trust{{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, AllowAnySubject: true}}},
		"CircleCI project id": {Statements: []Trust{{ProviderARN: "arn:aws:iam::111122223333:oidc-provider/oidc.circleci.com/org/2f2f0c6e-1111-2222-3333-444455556666",
			Audiences: []string{"2f2f0c6e-1111-2222-3333-444455556666"}, Claims: []Claim{{Claim: "oidc.circleci.com/project-id", Values: []string{"9a9a"}}}}}},
		"Google organization number":   {Statements: []Trust{{BuiltIn: Google, Audiences: []string{googleID}, Claims: []Claim{{Claim: "google/organization_number", Values: []string{"1234"}}}}}},
		"Cognito amr default operator": {Statements: []Trust{{BuiltIn: Cognito, Audiences: []string{poolID}, Claims: []Claim{{Claim: "amr", Values: []string{"authenticated"}}}}}},
		"Facebook app_id audience":     {Statements: []Trust{{BuiltIn: Facebook, Audiences: []string{"1234567890"}}}},
		"GitLab.com extras": {Statements: []Trust{{ProviderARN: gitlabARN, Audiences: []string{"https://gitlab.com"}, Subjects: []string{"project_path:my-group/*"},
			Claims: []Claim{{Claim: "namespace_id", Values: []string{"7"}}, {Claim: "ref_protected", Values: []string{"true"}}}}}},
		"global session keys": {Statements: []Trust{{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:ci:runner"},
			Claims: []Claim{{Claim: "sts:RoleSessionName", Values: []string{"ci-*"}}, {Claim: "sts:SourceIdentity", Values: []string{"svc"}}}}}},
		"key prefix written in another case": {Statements: []Trust{{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:ci:runner"},
			Claims: []Claim{{Claim: "OIDC.EKS.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B:azp", Values: []string{"x"}}}}}},
		"ForAnyValue on amr": {Statements: []Trust{{ProviderARN: oktaARN, Audiences: []string{"0oa1"}, Claims: []Claim{{Claim: "amr", Values: []string{"mfa"}, Operator: "ForAnyValue:StringEquals"}}}}},
	}
	for name, spec := range cases {
		if fs := Validate(spec, ValidateOptions{}); len(fs) > 0 {
			t.Errorf("%s: unexpected findings %v", name, fs)
		}
	}
}

func TestValidate_unknownProviderRunsOnlyIssuerFreeChecks(t *testing.T) {
	spec := Spec{Statements: []Trust{{
		ProviderUnknown: true,
		Claims: []Claim{
			{Claim: "repository_id", Values: []string{"1"}},
			{Claim: "amr", Values: []string{"mfa"}, Operator: "ForAllValues:StringEquals"},
		},
	}}}
	fs := Validate(spec, ValidateOptions{})
	rules := map[string]bool{}
	for _, f := range fs {
		rules[f.Rule] = true
	}
	if !rules[RuleAudiencesRequired] || !rules[RuleClaimOperator] {
		t.Errorf("want audiences and operator findings, got %v", fs)
	}
	if rules[RuleClaimUnknown] || rules[RuleSubjectsRequired] || rules[RulePolicySize] || rules[RuleProvider] {
		t.Errorf("issuer-dependent findings for an unknown provider: %v", fs)
	}
	if _, err := Build(spec); err == nil || !strings.Contains(err.Error(), "not known yet") {
		t.Errorf("Build with an unknown provider: err = %v", err)
	}
}

func TestFinding_pathRendersIndexesAndKeys(t *testing.T) {
	f := Finding{Steps: []PathStep{{Name: "trust", Index: 1}, {Name: "claims", Index: 0, Key: "custom:department"}}}
	if got := f.Path(); got != `trust[1].claims["custom:department"]` {
		t.Fatalf("Path() = %s", got)
	}
	f = Finding{Steps: []PathStep{{Name: "trust", Index: 0}, {Name: "subjects", Index: -1}}, Severity: SeverityError, Message: "m"}
	if got := f.String(); got != "error: trust[0].subjects: m" {
		t.Fatalf("String() = %s", got)
	}
	if !HasErrors([]Finding{{Severity: SeverityWarning}, f}) || HasErrors([]Finding{{Severity: SeverityWarning}}) {
		t.Fatal("HasErrors is wrong")
	}
}

func TestValidate_unknownProviderWithBuiltInIsRefused(t *testing.T) {
	spec := Spec{Statements: []Trust{{ProviderUnknown: true, BuiltIn: Google, Audiences: []string{"x.apps.googleusercontent.com"}}}}
	fs := Validate(spec, ValidateOptions{})
	var found bool
	for _, f := range fs {
		if f.Rule == RuleProvider && f.Path() == "trust[0].provider_arn" && strings.Contains(f.Message, "both provider_arn") {
			found = true
		}
	}
	if !found {
		t.Fatalf("want a provider finding on trust[0].provider_arn for provider_arn and built_in both set, got %v", fs)
	}
}
