package trustpolicy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden trust policies in testdata/")

const (
	account   = "111122223333"
	githubARN = "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
	gitlabARN = "arn:aws:iam::" + account + ":oidc-provider/gitlab.com"
	eksARN    = "arn:aws:iam::" + account + ":oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"
	oktaARN   = "arn:aws:iam::" + account + ":oidc-provider/example.okta.com/oauth2/default"
	keycloak  = "arn:aws:iam::" + account + ":oidc-provider/idp.example.com/realms/main"
	googleID  = "123456789012-abc.apps.googleusercontent.com"
	poolID    = "eu-west-1:6c2f1b2e-0000-4000-8000-1234567890ab"
)

// claimCase is one token presented to a golden policy.
type claimCase struct {
	name     string
	provider string
	claims   map[string]any
	allowed  bool
	// statement is the index of the Allow statement expected to match when
	// allowed; ignored otherwise.
	statement int
	// because must appear in the decision's summary.
	because string
}

type goldenCase struct {
	name  string
	spec  Spec
	cases []claimCase
}

func tags(principal map[string]string, transitive ...string) map[string]any {
	pt := map[string]any{}
	for k, v := range principal {
		pt[k] = []any{v}
	}
	out := map[string]any{"principal_tags": pt}
	if len(transitive) > 0 {
		tk := make([]any, len(transitive))
		for i, k := range transitive {
			tk[i] = k
		}
		out["transitive_tag_keys"] = tk
	}
	return out
}

var goldenCases = []goldenCase{
	{
		name: "one_provider_exact_subject",
		spec: Spec{Statements: []Trust{{
			ProviderARN: keycloak,
			Audiences:   []string{"aws-federation"},
			Subjects:    []string{"f1c2a7de-5b1e-4a57-9d61-2f0a5c3e9b11"},
		}}},
		cases: []claimCase{
			{name: "the subject with the audience is allowed", provider: keycloak, allowed: true,
				claims: map[string]any{"aud": "aws-federation", "sub": "f1c2a7de-5b1e-4a57-9d61-2f0a5c3e9b11"}, because: "allowed: statement 0"},
			{name: "another subject is denied", provider: keycloak,
				claims: map[string]any{"aud": "aws-federation", "sub": "0d6e4c55-0000-4000-8000-000000000000"}, because: `idp.example.com/realms/main:sub expected "f1c2a7de`},
			{name: "another audience is denied", provider: keycloak,
				claims: map[string]any{"aud": "other-app", "sub": "f1c2a7de-5b1e-4a57-9d61-2f0a5c3e9b11"}, because: `:aud expected "aws-federation", found "other-app"`},
			{name: "a token without sub is denied", provider: keycloak,
				claims: map[string]any{"aud": "aws-federation"}, because: `found nothing`},
			{name: "the same host in another account is denied", provider: strings.Replace(keycloak, account, "999999999999", 1),
				claims: map[string]any{"aud": "aws-federation", "sub": "f1c2a7de-5b1e-4a57-9d61-2f0a5c3e9b11"}, because: "no statement allows"},
		},
	},
	{
		name: "exact_and_wildcard_subjects",
		spec: Spec{Statements: []Trust{{
			ProviderARN: githubARN,
			Audiences:   []string{"sts.amazonaws.com"},
			Subjects: []string{
				"repo:octo-org/octo-repo:ref:refs/heads/main",
				"repo:octo-org/octo-repo:environment:*",
				"repo:octo-org/octo-repo:ref:refs/tags/v*",
			},
		}}},
		cases: []claimCase{
			{name: "main branch matches the exact statement", provider: githubARN, allowed: true, statement: 0,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}},
			{name: "an environment matches the pattern statement", provider: githubARN, allowed: true, statement: 1,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:environment:production"}},
			{name: "a tag matches the pattern statement", provider: githubARN, allowed: true, statement: 1,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/tags/v1.2.0"}},
			{name: "a feature branch is denied", provider: githubARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/feature"}, because: "denied"},
			{name: "a pull request is denied", provider: githubARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:pull_request"}, because: "denied"},
			{name: "a fork's main branch is denied", provider: githubARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:evil-org/octo-repo:ref:refs/heads/main"}, because: "denied"},
			{name: "the subject matching is case-sensitive", provider: githubARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:Octo-Org/octo-repo:ref:refs/heads/main"}, because: "denied"},
		},
	},
	{
		name: "several_providers",
		spec: Spec{Statements: []Trust{
			// Deliberately not in sorted order: the output must not depend on it.
			{ProviderARN: gitlabARN, Audiences: []string{"https://gitlab.com"}, Subjects: []string{"project_path:my-group/infra:ref_type:branch:ref:main"}},
			{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:payments:api"}},
			{ProviderARN: githubARN, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/octo-repo:ref:refs/heads/main"}},
		}},
		cases: []claimCase{
			{name: "the GitHub workflow is allowed by the GitHub statement", provider: githubARN, allowed: true, statement: 2,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}},
			{name: "the GitLab pipeline is allowed by the GitLab statement", provider: gitlabARN, allowed: true, statement: 0,
				claims: map[string]any{"aud": "https://gitlab.com", "sub": "project_path:my-group/infra:ref_type:branch:ref:main"}},
			{name: "the service account is allowed by the EKS statement", provider: eksARN, allowed: true, statement: 1,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "system:serviceaccount:payments:api"}},
			{name: "the GitHub subject presented through GitLab is denied", provider: gitlabARN,
				claims: map[string]any{"aud": "https://gitlab.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}, because: "denied"},
			{name: "another service account is denied", provider: eksARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "system:serviceaccount:payments:default"}, because: "denied"},
		},
	},
	{
		name: "google_builtin",
		spec: Spec{Statements: []Trust{{
			BuiltIn:   Google,
			Audiences: []string{googleID},
			Subjects:  []string{"110169484474386276334"},
			Claims:    []Claim{{Claim: "oaud", Values: []string{"https://app.example.com"}}},
		}}},
		cases: []claimCase{
			{name: "azp is the client ID and aud the app: allowed", provider: Google, allowed: true,
				claims: map[string]any{"azp": googleID, "aud": "https://app.example.com", "sub": "110169484474386276334"}},
			{name: "without azp, aud serves as both aud and oaud", provider: Google,
				claims: map[string]any{"aud": googleID, "sub": "110169484474386276334"}, because: `accounts.google.com:oaud expected "https://app.example.com", found "123456789012-abc`},
			{name: "a token for another OAuth client is denied", provider: Google,
				claims: map[string]any{"azp": "999-other.apps.googleusercontent.com", "aud": "https://app.example.com", "sub": "110169484474386276334"}, because: `accounts.google.com:aud expected "123456789012-abc.apps.googleusercontent.com", found "999-other`},
			{name: "aud alone does not satisfy the client ID when azp differs", provider: Google,
				claims: map[string]any{"azp": "999-other.apps.googleusercontent.com", "aud": googleID, "sub": "110169484474386276334"}, because: "denied"},
			{name: "another Google account is denied", provider: Google,
				claims: map[string]any{"azp": googleID, "aud": "https://app.example.com", "sub": "999"}, because: "accounts.google.com:sub"},
		},
	},
	{
		name: "cognito_amr",
		spec: Spec{Statements: []Trust{{
			BuiltIn:   Cognito,
			Audiences: []string{poolID},
			Claims:    []Claim{{Claim: "amr", Values: []string{"authenticated"}}},
		}}},
		cases: []claimCase{
			{name: "an authenticated identity is allowed", provider: Cognito, allowed: true,
				claims: map[string]any{"aud": poolID, "sub": "eu-west-1:abcd", "amr": []any{"authenticated", "accounts.google.com", "accounts.google.com:110169484474386276334"}}},
			{name: "an unauthenticated identity is denied", provider: Cognito,
				claims: map[string]any{"aud": poolID, "sub": "eu-west-1:abcd", "amr": []any{"unauthenticated"}}, because: "ForAnyValue:StringLike cognito-identity.amazonaws.com:amr"},
			{name: "a token without amr is denied", provider: Cognito,
				claims: map[string]any{"aud": poolID, "sub": "eu-west-1:abcd"}, because: "denied"},
			{name: "another identity pool is denied", provider: Cognito,
				claims: map[string]any{"aud": "eu-west-1:other", "sub": "eu-west-1:abcd", "amr": []any{"authenticated"}}, because: "cognito-identity.amazonaws.com:aud"},
		},
	},
	{
		name: "github_repository_id",
		spec: Spec{Statements: []Trust{{
			ProviderARN: githubARN,
			Audiences:   []string{"sts.amazonaws.com"},
			Subjects:    []string{"repo:octo-org/octo-repo:environment:production"},
			Claims: []Claim{
				{Claim: "repository_id", Values: []string{"892431870"}},
				{Claim: "token.actions.githubusercontent.com:repository_owner_id", Values: []string{"60012345"}},
				{Claim: "job_workflow_ref", Values: []string{"octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/*"}},
			},
		}}},
		cases: []claimCase{
			{name: "the repository by ID and its deploy workflow are allowed", provider: githubARN, allowed: true,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:environment:production",
					"repository_id": "892431870", "repository_owner_id": "60012345", "job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main"}},
			{name: "a recreated repository with the same name is denied", provider: githubARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:environment:production",
					"repository_id": "999000111", "repository_owner_id": "60012345", "job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main"},
				because: `repository_id expected "892431870", found "999000111"`},
			{name: "numeric claims compare as their decimal text", provider: githubARN, allowed: true,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:environment:production",
					"repository_id": float64(892431870), "repository_owner_id": 60012345, "job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/release"}},
			{name: "another workflow in the repository is denied", provider: githubARN,
				claims: map[string]any{"aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:environment:production",
					"repository_id": "892431870", "repository_owner_id": "60012345", "job_workflow_ref": "octo-org/octo-repo/.github/workflows/other.yml@refs/heads/main"},
				because: "job_workflow_ref"},
		},
	},
	{
		name: "session_tags",
		spec: Spec{Statements: []Trust{{
			ProviderARN: oktaARN,
			Audiences:   []string{"0oa1b2c3d4e5f6g7h8i9"},
			SessionTags: &SessionTags{
				RequestTags:    []TagCondition{{Key: "department", Values: []string{"engineering", "platform-*"}}},
				AllowedKeys:    []string{"department", "team", "cost-center"},
				TransitiveKeys: []string{"cost-center"},
			},
		}}},
		cases: []claimCase{
			{name: "an engineering user with allowed tags is allowed", provider: oktaARN, allowed: true,
				claims: map[string]any{"aud": "0oa1b2c3d4e5f6g7h8i9", "sub": "00u1", TagsClaim: tags(map[string]string{"department": "engineering", "team": "infra", "cost-center": "42"}, "cost-center")}},
			{name: "a pattern tag value is allowed", provider: oktaARN, allowed: true,
				claims: map[string]any{"aud": "0oa1b2c3d4e5f6g7h8i9", "sub": "00u2", TagsClaim: tags(map[string]string{"department": "platform-data"})}},
			{name: "another department is denied", provider: oktaARN,
				claims: map[string]any{"aud": "0oa1b2c3d4e5f6g7h8i9", "sub": "00u3", TagsClaim: tags(map[string]string{"department": "sales"})}, because: "aws:RequestTag/department"},
			{name: "a token without session tags is denied", provider: oktaARN,
				claims: map[string]any{"aud": "0oa1b2c3d4e5f6g7h8i9", "sub": "00u4"}, because: `aws:RequestTag/department expected "engineering", "platform-*", found nothing`},
			{name: "a tag key outside the allowed keys is denied by the Deny statement", provider: oktaARN,
				claims: map[string]any{"aud": "0oa1b2c3d4e5f6g7h8i9", "sub": "00u5", TagsClaim: tags(map[string]string{"department": "engineering", "admin": "true"})}, because: "statement 1 explicitly denies sts:TagSession"},
			{name: "a transitive key outside the list is denied", provider: oktaARN,
				claims: map[string]any{"aud": "0oa1b2c3d4e5f6g7h8i9", "sub": "00u6", TagsClaim: tags(map[string]string{"department": "engineering", "team": "infra"}, "team")}, because: "explicitly denies sts:TagSession"},
		},
	},
}

func TestBuild_goldenPoliciesAreByteExactAndMeanWhatTheySay(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			got, err := Build(gc.spec)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			path := filepath.Join("testdata", gc.name+".json")
			if *update {
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -run TestBuild -update to create it): %v", err)
			}
			if got+"\n" != string(want) {
				t.Fatalf("Build output differs from %s\n--- got\n%s\n--- want\n%s", path, got, want)
			}
			if fs := Validate(gc.spec, ValidateOptions{}); len(fs) > 0 {
				t.Errorf("golden spec has findings: %v", fs)
			}
			for _, cc := range gc.cases {
				d := Evaluate(got, Request{Provider: cc.provider, Claims: cc.claims})
				if d.Error != "" {
					t.Fatalf("%s: evaluation error: %s", cc.name, d.Error)
				}
				if d.Allowed != cc.allowed {
					t.Errorf("%s: allowed = %v, want %v; %s", cc.name, d.Allowed, cc.allowed, d.Summary)
					continue
				}
				if cc.allowed && d.MatchedStatement != cc.statement {
					t.Errorf("%s: matched statement %d, want %d; %s", cc.name, d.MatchedStatement, cc.statement, d.Summary)
				}
				if !strings.Contains(d.Summary, cc.because) {
					t.Errorf("%s: summary %q does not mention %q", cc.name, d.Summary, cc.because)
				}
			}
		})
	}
}

func TestBuild_outputDoesNotDependOnInputOrder(t *testing.T) {
	a := Spec{Statements: []Trust{
		{ProviderARN: githubARN, Audiences: []string{"b", "a"}, Subjects: []string{"repo:o/r:*", "repo:o/r:ref:refs/heads/main", "repo:o/s:ref:refs/heads/main"},
			Claims: []Claim{{Claim: "workflow", Values: []string{"y", "x"}}, {Claim: "actor", Values: []string{"z"}}}},
		{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"}},
	}}
	b := Spec{Statements: []Trust{
		{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com", "sts.amazonaws.com"}},
		{ProviderARN: githubARN, Audiences: []string{"a", "b"}, Subjects: []string{"repo:o/s:ref:refs/heads/main", "repo:o/r:ref:refs/heads/main", "repo:o/r:*"},
			Claims: []Claim{{Claim: "actor", Values: []string{"z"}}, {Claim: "workflow", Values: []string{"x", "y"}}}},
	}}
	ja, err := Build(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := Build(b)
	if err != nil {
		t.Fatal(err)
	}
	if ja != jb {
		t.Fatalf("reordered specs render differently:\n%s\n---\n%s", ja, jb)
	}
}

func TestBuild_neverWritesForAllValuesOrANDsExactAndPatternSubjects(t *testing.T) {
	for _, gc := range goldenCases {
		p, err := BuildPolicy(gc.spec)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range p.Statements {
			subOps := 0
			for _, c := range st.Conditions {
				if st.Effect == EffectAllow && strings.HasPrefix(c.Operator, ForAllValues) {
					t.Errorf("%s: statement %d uses %s in an Allow", gc.name, i, c.Operator)
				}
				if strings.HasSuffix(c.Key, ":sub") {
					subOps++
				}
			}
			if subOps > 1 {
				t.Errorf("%s: statement %d has %d conditions on sub, which AND", gc.name, i, subOps)
			}
		}
	}
}

func TestBuild_normalizeOfBuildIsItsCompactForm(t *testing.T) {
	for _, gc := range goldenCases {
		doc, err := Build(gc.spec)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Normalize(doc)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(n, "\n") {
			t.Errorf("%s: Normalize kept newlines: %s", gc.name, n)
		}
		eq, err := Equivalent(doc, n)
		if err != nil || !eq {
			t.Errorf("%s: Normalize(Build) not equivalent to Build: %v", gc.name, err)
		}
		p, _ := BuildPolicy(gc.spec)
		compact, _ := Render(p, false)
		if n != compact {
			t.Errorf("%s: Normalize(Build) = %s, want %s", gc.name, n, compact)
		}
	}
}

func TestBuild_refusesWhatItCannotRender(t *testing.T) {
	for name, tr := range map[string]Trust{
		"no provider":        {Audiences: []string{"a"}},
		"both providers":     {ProviderARN: githubARN, BuiltIn: Google},
		"malformed arn":      {ProviderARN: "arn:aws:iam::12:oidc-provider/x"},
		"unknown built-in":   {BuiltIn: "login.example.com"},
		"role arn, not idp":  {ProviderARN: "arn:aws:iam::111122223333:role/x"},
		"arn without a host": {ProviderARN: "arn:aws:iam::111122223333:oidc-provider/"},
	} {
		if _, err := Build(Spec{Statements: []Trust{tr}}); err == nil {
			t.Errorf("%s: Build succeeded, want an error", name)
		} else if !strings.Contains(err.Error(), "trust[0]") || !strings.Contains(err.Error(), "expected") {
			t.Errorf("%s: error %q should name trust[0] and what was expected", name, err)
		}
	}
}

func TestBuild_sourceIdentityClaimAddsSetSourceIdentity(t *testing.T) {
	p, err := BuildPolicy(Spec{Statements: []Trust{{ProviderARN: eksARN, Audiences: []string{"sts.amazonaws.com"},
		Claims: []Claim{{Claim: "sts:SourceIdentity", Values: []string{"svc-*"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Statements[0].Action, ",")
	if got != "sts:AssumeRoleWithWebIdentity,sts:SetSourceIdentity" {
		t.Fatalf("actions = %s", got)
	}
	found := false
	for _, c := range p.Statements[0].Conditions {
		found = found || (c.Operator == OpStringLike && c.Key == KeySourceIdentity)
	}
	if !found {
		t.Fatalf("conditions = %+v, want StringLike on sts:SourceIdentity", p.Statements[0].Conditions)
	}
}
