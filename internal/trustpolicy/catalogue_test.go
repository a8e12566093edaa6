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
		{"app.eu.terraform.io", "HCP Terraform", true, false, []string{"aud", "sub"}, nil},
		{"api.pulumi.com/oidc", "Pulumi Cloud", true, false, []string{"aud", "sub"}, nil},
		{"api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "Bitbucket Pipelines", false, false, []string{"aud", "sub"}, nil},
		{"api.bitbucket.org/2.0/workspaces/acme/other", "generic OIDC", false, false, nil, nil},
		// IAM compares condition keys case-insensitively, so the catalogue
		// matches any case, and the look-alikes of an issuer get its rules.
		{"Token.Actions.GitHubUserContent.com", "GitHub Actions", true, false, []string{"repository_owner_id"}, nil},
		{"GITLAB.COM", "GitLab.com", true, false, []string{"project_id"}, nil},
		{"token.actions.githubusercontent.com/", "GitHub Actions", true, false, []string{"repository_id"}, nil},
		{"token.actions.githubusercontent.com/.well-known/openid-configuration", "GitHub Actions", true, false, []string{"repository_id"}, nil},
		{"oidc.eks.eu-west-1.amazonaws.com/id/ABC/", "Amazon EKS", false, false, nil, nil},
		{"Accounts.Google.com", "Google", false, true, []string{"oaud"}, nil},
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

// TestCatalogue_describesWhoCanGetTokensAndWhatPinsTheOwner pins, for each
// issuer that strangers or every workload get tokens from, what must pin
// the owner: the subject shapes, the owner-naming claims and the audience.
func TestCatalogue_describesWhoCanGetTokensAndWhatPinsTheOwner(t *testing.T) {
	cases := []struct {
		prefix      string
		tenancy     Tenancy
		rule        subjectRule
		ownerClaims string
		noun        string
	}{
		{"token.actions.githubusercontent.com", TenancyShared, subjectOwner, "repository_owner_id,repository_id,enterprise_id,repository", "owner"},
		{"token.actions.githubusercontent.com/octo", TenancyPerTenant, subjectFree, "repository_owner_id,repository_id,enterprise_id,repository", "owner"},
		{"token.actions.octo.ghe.com", TenancyPerTenant, subjectFree, "repository_owner_id,repository_id,enterprise_id,repository", "owner"},
		{"gitlab.com", TenancyShared, subjectOwner, "namespace_id,project_id", "top-level group"},
		{"app.terraform.io", TenancyShared, subjectOwner, "", "organization"},
		{"app.eu.terraform.io", TenancyShared, subjectOwner, "", "organization"},
		{"agent.buildkite.com", TenancyShared, subjectOwner, "organization_id,organization_slug,pipeline_id", "organization"},
		{"api.pulumi.com/oidc", TenancyShared, subjectOwner, "", "organization"},
		{"oidc.circleci.com/org/1", TenancyPerTenant, subjectFree, "", "owner"},
		{"api.bitbucket.org/2.0/workspaces/w/pipelines-config/identity/oidc", TenancyPerTenant, subjectFree, "", "owner"},
		{"oidc.eks.us-east-1.amazonaws.com/id/1", TenancyPerTenant, subjectWorkload, "", "namespace"},
		{"oidc.eks.cn-north-1.amazonaws.com.cn/id/1", TenancyPerTenant, subjectWorkload, "", "namespace"},
		{Google, TenancyShared, subjectFree, "", "owner"},
		{Cognito, TenancyShared, subjectFree, "", "owner"},
		{Facebook, TenancyShared, subjectFree, "", "owner"},
		{Amazon, TenancyShared, subjectFree, "", "owner"},
		{"example.okta.com", TenancyPrivate, subjectFree, "", "owner"},
	}
	for _, c := range cases {
		iss := LookupIssuer(c.prefix)
		if iss.Tenancy != c.tenancy || iss.subjectRule() != c.rule || strings.Join(iss.OwnerClaims(), ",") != c.ownerClaims || iss.ownerNoun() != c.noun {
			t.Errorf("%s: tenancy %d rule %d owner claims %v noun %q; want %d %d %s %q", c.prefix, iss.Tenancy, iss.subjectRule(), iss.OwnerClaims(), iss.ownerNoun(), c.tenancy, c.rule, c.ownerClaims, c.noun)
		}
		if c.rule != subjectFree {
			if len(iss.shapes()) == 0 || len(iss.SubjectFormats()) == 0 {
				t.Errorf("%s: no subject shapes or formats", c.prefix)
			}
			// The example each message offers is itself accepted.
			if p := readSubject(iss.shapes(), iss.SubjectExample()); p.open || len(p.owners) == 0 {
				t.Errorf("%s: the example subject %q does not pin the %s: %+v", c.prefix, iss.SubjectExample(), iss.ownerNoun(), p)
			}
		}
		if (iss.BuiltIn || iss.MultiTenant) && iss.audienceMinted() == "" {
			t.Errorf("%s: no word on who mints audiences", c.prefix)
		}
		// Every owner-pinning claim is a key AWS exposes for the issuer.
		for _, oc := range iss.OwnerClaims() {
			if _, ok := iss.Claim(oc); !ok {
				t.Errorf("%s: owner claim %s is not an exposed key", c.prefix, oc)
			}
		}
	}
}

// TestCatalogue_listsExactlyTheProviderKeysAWSDocuments keeps the
// provider-specific keys equal to AWS's list (AWS-FACTS.md, 2026).
func TestCatalogue_listsExactlyTheProviderKeysAWSDocuments(t *testing.T) {
	generic := "amr,aud,azp,sub"
	for prefix, want := range map[string]string{
		"token.actions.githubusercontent.com":   "actor,actor_id,amr,aud,azp,enterprise_id,environment,job_workflow_ref,ref,repository,repository_id,repository_owner_id,sub,workflow",
		"token.actions.x.ghe.com":               "actor,actor_id,amr,aud,azp,enterprise_id,environment,job_workflow_ref,ref,repository,repository_id,repository_owner_id,sub,workflow",
		"gitlab.com":                            "amr,aud,azp,namespace_id,pipeline_source,project_id,ref_protected,runner_environment,sub,user_access_level,user_email,user_id,user_login",
		"agent.buildkite.com":                   "amr,aud,azp,build_branch,cluster_id,cluster_name,organization_id,organization_slug,pipeline_id,pipeline_slug,sub",
		"oidc.circleci.com/org/1":               "amr,aud,azp,oidc.circleci.com/project-id,sub",
		Google:                                  "aud,google/organization_number,oaud,sub",
		Cognito:                                 "amr,aud,sub",
		"app.terraform.io":                      generic,
		"api.pulumi.com/oidc":                   generic,
		"oidc.eks.us-east-1.amazonaws.com/id/1": generic,
	} {
		if got := strings.Join(LookupIssuer(prefix).ClaimNames(), ","); got != want {
			t.Errorf("%s: keys %s, want %s", prefix, got, want)
		}
	}
}
