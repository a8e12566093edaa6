package trustpolicy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	fieldAccount = "123456789012"
	fieldGitHub  = "arn:aws:iam::" + fieldAccount + ":oidc-provider/token.actions.githubusercontent.com"
	fieldEKS     = "arn:aws:iam::" + fieldAccount + ":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	fieldTFC     = "arn:aws:iam::" + fieldAccount + ":oidc-provider/app.terraform.io"
	fieldPool    = "us-east-1:12345678-abcd-abcd-abcd-123456789012"
	circleOrg    = "2f2f0c6e-8a6b-4a4b-9a57-0123456789ab"
)

// importCases are trust policies as the field writes them (the examples in
// GitHub's, GitLab's, AWS's EKS, Cognito and web identity documentation,
// HCP Terraform's, CircleCI's, and the shapes popular modules render), each
// with the trust blocks it reads back as. The provider's acceptance tests
// import the same files into roles and plan them with the generated
// configuration.
var importCases = map[string]Spec{
	"github_docs_repository.json": {Statements: []Trust{{
		ProviderARN: fieldGitHub, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/octo-repo:*"},
	}}},
	"github_docs_branch.json": {Statements: []Trust{{
		ProviderARN: fieldGitHub, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/octo-repo:ref:refs/heads/octo-branch"},
	}}},
	"github_environment_and_repository_id.json": {Statements: []Trust{{
		ProviderARN: fieldGitHub, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/octo-repo:environment:production"},
		Claims: []Claim{
			{Claim: "job_workflow_ref", Values: []string{"octo-org/workflows/.github/workflows/deploy.yml@refs/heads/*"}},
			{Claim: "repository_id", Values: []string{"892345123"}},
		},
	}}},
	// terraform-aws-modules' iam-github-oidc-role: ForAllValues on aud and
	// on iss (a claim STS does not expose), a StringLike list mixing
	// patterns with a literal subject, and sts:TagSession. No claim or
	// subject field says that, so condition blocks do.
	"module_github_oidc_role.json": {Statements: []Trust{{
		ProviderARN: fieldGitHub,
		Conditions: []RawCondition{
			{Test: "ForAllValues:StringEquals", Variable: "token.actions.githubusercontent.com:aud", Values: []string{"sts.amazonaws.com"}},
			{Test: "ForAllValues:StringEquals", Variable: "token.actions.githubusercontent.com:iss", Values: []string{"https://token.actions.githubusercontent.com"}},
			{Test: "StringLike", Variable: "token.actions.githubusercontent.com:sub", Values: []string{"repo:octo-org/api:*", "repo:octo-org/web:ref:refs/heads/main"}},
		},
		SessionTags: &SessionTags{},
	}}},
	"module_subjects_list.json": {Statements: []Trust{{
		ProviderARN: fieldGitHub, Audiences: []string{"sts.amazonaws.com"},
		Subjects: []string{"repo:octo-org/api:*", "repo:octo-org/infra:environment:*", "repo:octo-org/web:*"},
	}}},
	"gitlab_docs_self_managed.json": {Statements: []Trust{{
		ProviderARN: "arn:aws:iam::" + fieldAccount + ":oidc-provider/gitlab.example.com", Audiences: []string{"https://gitlab.example.com"},
		Subjects: []string{"project_path:mygroup/myproject:ref_type:branch:ref:main"},
	}}},
	"gitlab_com_group.json": {Statements: []Trust{{
		ProviderARN: "arn:aws:iam::" + fieldAccount + ":oidc-provider/gitlab.com", Audiences: []string{"https://gitlab.com"},
		Subjects: []string{"project_path:mygroup/*:ref_type:branch:ref:main"},
		Claims:   []Claim{{Claim: "namespace_id", Values: []string{"4242"}}},
	}}},
	"eks_docs_service_account.json": {Statements: []Trust{{
		ProviderARN: fieldEKS, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:default:my-service-account"},
	}}},
	"eks_namespace_wildcard.json": {Statements: []Trust{{
		ProviderARN: "arn:aws:iam::" + fieldAccount + ":oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B4C3D2E1F0A9B8C7D6E5F",
		Audiences:   []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:payments:*"},
	}}},
	"cognito_docs_authenticated.json": {Statements: []Trust{{
		BuiltIn: Cognito, Audiences: []string{fieldPool}, Claims: []Claim{{Claim: "amr", Values: []string{"authenticated"}}},
	}}},
	"cognito_attributes_for_access_control.json": {Statements: []Trust{{
		BuiltIn: Cognito, Audiences: []string{fieldPool}, Claims: []Claim{{Claim: "amr", Values: []string{"authenticated"}}},
		SessionTags: &SessionTags{},
	}}},
	"google_docs_client_id.json": {Statements: []Trust{{
		BuiltIn: Google, Audiences: []string{"123456789012-abcdefg.apps.googleusercontent.com"}, Subjects: []string{"110169484474386276334"},
	}}},
	"hcp_terraform_docs.json": {Statements: []Trust{{
		ProviderARN: fieldTFC, Audiences: []string{"aws.workload.identity"},
		Subjects: []string{"organization:my-org:project:my-project:workspace:*:run_phase:*"},
	}}},
	"module_several_providers.json": {Statements: []Trust{
		{ProviderARN: fieldTFC, Audiences: []string{"aws.workload.identity"}, Subjects: []string{"organization:my-org:project:*:workspace:*:run_phase:*"}},
		{ProviderARN: fieldEKS, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"system:serviceaccount:deploy:runner"}},
		{ProviderARN: fieldGitHub, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/deploy:*"}},
	}},
	"circleci_project.json": {Statements: []Trust{{
		ProviderARN: "arn:aws:iam::" + fieldAccount + ":oidc-provider/oidc.circleci.com/org/" + circleOrg, Audiences: []string{circleOrg},
		Subjects: []string{"org/" + circleOrg + "/project/7d3c1a8e-0000-4000-8000-0123456789ab/user/*"},
		Claims:   []Claim{{Claim: "oidc.circleci.com/project-id", Values: []string{"7d3c1a8e-0000-4000-8000-0123456789ab"}}},
	}}},
	"awsoidc_exact_and_patterns_with_session_tags.json": {Statements: []Trust{{
		ProviderARN: "arn:aws:iam::" + fieldAccount + ":oidc-provider/idp.example.com/realms/main", Audiences: []string{"deploy-tool"},
		Subjects: []string{"svc-ci-*", "svc-deploy"},
		SessionTags: &SessionTags{
			RequestTags: []TagCondition{{Key: "team", Values: []string{"platform"}}},
			AllowedKeys: []string{"cost-center", "team"},
		},
	}}},
}

func TestInfer_readsFieldPoliciesBackIntoTrustBlocks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "import", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 || len(files) != len(importCases) {
		t.Fatalf("testdata/import holds %d policies and the table %d; keep them in step, at least 10", len(files), len(importCases))
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			want, ok := importCases[name]
			if !ok {
				t.Fatalf("no expected trust blocks for %s", name)
			}
			doc, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			inf, err := Infer(string(doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(inf.Unexpressed) > 0 {
				t.Fatalf("Unexpressed = %q, want nothing", inf.Unexpressed)
			}
			if !reflect.DeepEqual(inf.Spec, want) {
				t.Errorf("Infer =\n%#v\nwant\n%#v", inf.Spec, want)
			}
			rebuilt, err := Build(inf.Spec)
			if err != nil {
				t.Fatal(err)
			}
			if same, err := EquivalentTrust(rebuilt, string(doc)); err != nil || !same {
				t.Errorf("Build(Infer(policy)) is not equivalent to the policy (%v):\n%s", err, rebuilt)
			}
		})
	}
}

func TestInfer_namesWhatTrustBlocksCannotSay(t *testing.T) {
	allow := func(principal, cond string) string {
		return `{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRoleWithWebIdentity"` + cond + `}`
	}
	gh := `{"Federated":"` + fieldGitHub + `"}`
	ghCond := `,"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*"}}`
	ghTrust := Trust{ProviderARN: fieldGitHub, Audiences: []string{"sts.amazonaws.com"}, Subjects: []string{"repo:octo-org/*"}}
	policy := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	cases := []struct {
		name string
		doc  string
		// keep is what still reads back; says lists a phrase per unexpressed part.
		keep []Trust
		says []string
	}{
		{"an AWS account next to GitHub",
			policy(allow(gh, ghCond), `{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}`),
			[]Trust{ghTrust}, []string{`Statement[1] (Sid "Admins") names a principal of type AWS`}},
		{"two providers in one statement",
			policy(`{"Effect":"Allow","Principal":{"Federated":["` + fieldGitHub + `","` + fieldEKS + `"]},"Action":"sts:AssumeRoleWithWebIdentity"}`),
			nil, []string{"names 2 identity providers in one statement"}},
		{"a Deny of pull requests",
			policy(allow(gh, ghCond), `{"Effect":"Deny","Principal":`+gh+`,"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"*:pull_request"}}}`),
			[]Trust{ghTrust}, []string{"Statement[1] is a Deny"}},
		{"NotAction",
			policy(`{"Effect":"Allow","Principal":` + gh + `,"NotAction":"sts:AssumeRole"}`),
			nil, []string{"uses NotAction"}},
		{"no Version",
			`{"Statement":[` + allow(gh, ghCond) + `]}`,
			[]Trust{ghTrust}, []string{"has no Version", "2008-10-17"}},
		{"SetSourceIdentity with no condition on it",
			policy(`{"Effect":"Allow","Principal":` + gh + `,"Action":["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"]` + ghCond + `}`),
			nil, []string{"sts:SetSourceIdentity", "sts:SourceIdentity"}},
		{"a repeated statement",
			policy(allow(gh, ghCond), strings.Replace(allow(gh, ghCond), "{", `{"Sid":"Again",`, 1)),
			[]Trust{ghTrust}, []string{`Statement[1] (Sid "Again") repeats Statement[0]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inf, err := Infer(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inf.Spec.Statements, c.keep) {
				t.Errorf("Spec = %#v, want %#v", inf.Spec.Statements, c.keep)
			}
			all := strings.Join(inf.Unexpressed, "\n")
			for _, phrase := range c.says {
				if !strings.Contains(all, phrase) {
					t.Errorf("Unexpressed does not say %q:\n%s", phrase, all)
				}
			}
			if len(inf.Unexpressed) != len(c.says) && !(len(c.says) == 2 && len(inf.Unexpressed) == 1) {
				t.Errorf("Unexpressed has %d entries, want one per part left out: %q", len(inf.Unexpressed), inf.Unexpressed)
			}
		})
	}
}

func TestInfer_roundTripsEveryGoldenSpec(t *testing.T) {
	for _, g := range goldenCases {
		t.Run(g.name, func(t *testing.T) {
			doc, err := Build(g.spec)
			if err != nil {
				t.Fatal(err)
			}
			inf, err := Infer(doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(inf.Unexpressed) > 0 {
				t.Fatalf("Unexpressed = %q", inf.Unexpressed)
			}
			want := normalizeSpec(g.spec)
			if got := normalizeSpec(inf.Spec); !reflect.DeepEqual(got, want) {
				t.Errorf("Infer(Build(spec)) =\n%#v\nwant\n%#v", got, want)
			}
		})
	}
}

// normalizeSpec is the form Infer returns a Spec in: blocks sorted by
// provider, values sorted, claim names short, the opt-out (which a policy
// does not record) dropped.
func normalizeSpec(s Spec) Spec {
	out := Spec{}
	for _, t := range s.Statements {
		t.AllowAnySubject = false
		t.Audiences = nilIfEmpty(canonical(t.Audiences))
		t.Subjects = nilIfEmpty(canonical(t.Subjects))
		_, prefix, _ := t.principal()
		iss := LookupIssuer(prefix)
		var claims []Claim
		for _, c := range t.Claims {
			rk := resolveKey(c.Claim, iss)
			name := rk.claim
			if rk.kind == keyGlobal {
				name = rk.global.Key
			}
			claims = append(claims, Claim{Claim: name, Values: canonical(c.Values)})
		}
		t.Claims = sortedClaims(claims)
		if st := t.SessionTags; st != nil {
			n := &SessionTags{AllowedKeys: nilIfEmpty(canonical(st.AllowedKeys)), TransitiveKeys: nilIfEmpty(canonical(st.TransitiveKeys))}
			for _, rt := range st.RequestTags {
				n.RequestTags = append(n.RequestTags, TagCondition{Key: rt.Key, Values: canonical(rt.Values)})
			}
			t.SessionTags = n
		}
		out.Statements = append(out.Statements, t)
	}
	return out
}

func sortedClaims(cs []Claim) []Claim {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Claim < cs[j-1].Claim; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	return cs
}

func TestEquivalentTrust_ignoresSidsOnly(t *testing.T) {
	a := `{"Version":"2012-10-17","Statement":[{"Sid":"One","Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"x"}}}]}`
	b := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["accounts.google.com"]},"Action":["sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{"accounts.google.com:aud":["x"]}}}]}`
	c := strings.Replace(b, `:["x"]`, `:["y"]`, 1)
	if same, err := EquivalentTrust(a, b); err != nil || !same {
		t.Errorf("policies differing in a Sid: EquivalentTrust = %v, %v; want true", same, err)
	}
	if same, _ := EquivalentTrust(a, c); same {
		t.Error("policies with different audiences are equivalent; want not")
	}
	if same, _ := Equivalent(a, b); same {
		t.Error("Equivalent ignores Sids; it should not (inline policies keep theirs)")
	}
}
