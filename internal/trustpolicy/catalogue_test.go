package trustpolicy

import (
	"strings"
	"testing"
)

func TestLookupIssuer_knowsEachIssuerForm(t *testing.T) {
	cases := []struct {
		prefix      string
		name        string
		multiTenant bool
		builtIn     bool
		has         []string
		lacks       []string
	}{
		{"token.actions.githubusercontent.com", "GitHub Actions", true, false, []string{"aud", "sub", "repository_id", "job_workflow_ref", "enterprise_id", "amr", "azp"}, []string{"repository_owner", "email"}},
		{"token.actions.githubusercontent.com/octo-enterprise", "GitHub Actions (enterprise issuer)", false, false, []string{"repository_id", "actor_id"}, nil},
		{"token.actions.octocorp.ghe.com", "GitHub Actions (GHE.com)", false, false, []string{"workflow"}, nil},
		{"token.actions.githubusercontent.com/a/b", "generic OIDC", false, false, []string{"sub"}, []string{"repository_id"}},
		{"gitlab.com", "GitLab.com", true, false, []string{"project_id", "namespace_id", "ref_protected", "user_login"}, []string{"repository_id"}},
		{"gitlab.example.com", "generic OIDC", false, false, []string{"sub"}, []string{"project_id"}},
		{"app.terraform.io", "HCP Terraform", true, false, []string{"aud", "sub"}, []string{"terraform_workspace_id"}},
		{"agent.buildkite.com", "Buildkite", true, false, []string{"pipeline_slug", "organization_slug", "cluster_name"}, nil},
		{"oidc.circleci.com/org/2f2f0c6e", "CircleCI", false, false, []string{"oidc.circleci.com/project-id", "aud"}, nil},
		{"oidc.eks.eu-west-1.amazonaws.com/id/ABC", "Amazon EKS", false, false, []string{"sub", "aud"}, nil},
		{"accounts.google.com", "Google", false, true, []string{"aud", "oaud", "sub", "google/organization_number"}, []string{"amr", "azp"}},
		{"cognito-identity.amazonaws.com", "Amazon Cognito identity pools", false, true, []string{"aud", "sub", "amr"}, []string{"azp"}},
		{"graph.facebook.com", "Facebook", false, true, []string{"app_id", "id"}, []string{"aud", "sub"}},
		{"www.amazon.com", "Login with Amazon", false, true, []string{"app_id", "user_id"}, []string{"sub"}},
		{"example.okta.com/oauth2/default", "generic OIDC", false, false, []string{"amr", "aud", "azp", "sub"}, []string{"groups", "email"}},
	}
	for _, tc := range cases {
		iss := LookupIssuer(tc.prefix)
		if iss.Name != tc.name || iss.MultiTenant != tc.multiTenant || iss.BuiltIn != tc.builtIn || iss.Prefix != tc.prefix {
			t.Errorf("%s: got %s multiTenant=%v builtIn=%v, want %s %v %v", tc.prefix, iss.Name, iss.MultiTenant, iss.BuiltIn, tc.name, tc.multiTenant, tc.builtIn)
		}
		for _, c := range tc.has {
			if _, ok := iss.Claim(c); !ok {
				t.Errorf("%s: claim %s missing from %v", tc.prefix, c, iss.ClaimNames())
			}
		}
		for _, c := range tc.lacks {
			if _, ok := iss.Claim(c); ok {
				t.Errorf("%s: claim %s should not be exposed", tc.prefix, c)
			}
		}
		names := iss.ClaimNames()
		for i := 1; i < len(names); i++ {
			if names[i-1] >= names[i] {
				t.Errorf("%s: claims not sorted and unique: %v", tc.prefix, names)
			}
		}
	}
}

func TestLookupIssuer_audienceAndSubjectClaims(t *testing.T) {
	for prefix, want := range map[string]string{
		Facebook: "app_id/id", Amazon: "app_id/user_id", Google: "aud/sub", Cognito: "aud/sub", "x.example.com": "aud/sub",
	} {
		iss := LookupIssuer(prefix)
		if got := iss.AudienceClaim + "/" + iss.SubjectClaim; got != want {
			t.Errorf("%s: audience/subject = %s, want %s", prefix, got, want)
		}
	}
}

func TestLookupIssuer_multiValuedClaims(t *testing.T) {
	for _, prefix := range []string{Cognito, "x.example.com"} {
		if c, _ := LookupIssuer(prefix).Claim("amr"); !c.MultiValued {
			t.Errorf("%s: amr should be multi-valued", prefix)
		}
	}
}

func TestLookupGlobalKey(t *testing.T) {
	for key, want := range map[string]GlobalKey{
		"sts:RoleSessionName":   {Key: KeyRoleSessionName},
		"STS:sourceidentity":    {Key: KeySourceIdentity},
		"sts:TransitiveTagKeys": {Key: KeyTransitiveTagKeys, MultiValued: true, SessionTag: true},
		"aws:TagKeys":           {Key: KeyTagKeys, MultiValued: true, SessionTag: true},
		"aws:RequestTag/Team":   {Key: "aws:RequestTag/Team", SessionTag: true},
	} {
		got, ok := LookupGlobalKey(key)
		if !ok || got != want {
			t.Errorf("LookupGlobalKey(%s) = %+v, %v; want %+v", key, got, ok, want)
		}
	}
	for _, key := range []string{"aws:RequestTag/", "aws:PrincipalTag/x", "sts:ExternalId", "sub"} {
		if _, ok := LookupGlobalKey(key); ok {
			t.Errorf("LookupGlobalKey(%s) should be unknown", key)
		}
	}
}

func TestBuiltInIssuers(t *testing.T) {
	got := strings.Join(BuiltInIssuers(), ",")
	if got != "accounts.google.com,cognito-identity.amazonaws.com,graph.facebook.com,www.amazon.com" {
		t.Fatalf("BuiltInIssuers = %s", got)
	}
	if !IsBuiltIn(Google) || IsBuiltIn("token.actions.githubusercontent.com") {
		t.Fatal("IsBuiltIn is wrong")
	}
}
