package trustpolicy

import (
	"strings"
	"testing"
)

func TestLookAlikes_warnAboutURLsThatNeverMatchTheIssuer(t *testing.T) {
	cases := []struct {
		key  string
		want []string // fragments, one per look-alike, in order
		fix  string
	}{
		{"token.actions.githubusercontent.com/.well-known/openid-configuration", []string{`"/.well-known/openid-configuration"`}, "https://token.actions.githubusercontent.com"},
		{"idp.example.com/realms/main/.well-known/openid-configuration", []string{"discovery document"}, "https://idp.example.com/realms/main"},
		{"example.okta.com/.well-known/jwks.json", []string{"keys"}, "https://example.okta.com"},
		{"token.actions.githubusercontent.com/", []string{"GitHub Actions writes iss without a trailing slash"}, "https://token.actions.githubusercontent.com"},
		{"gitlab.com/", []string{"GitLab.com writes iss without a trailing slash"}, "https://gitlab.com"},
		{"oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B/", []string{"Amazon EKS writes iss without"}, "https://oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"},
		{"app.terraform.io/", []string{"HCP Terraform"}, "https://app.terraform.io"},
		{"Token.Actions.GitHubUserContent.com", []string{`host "Token.Actions.GitHubUserContent.com" has upper-case letters`}, "https://token.actions.githubusercontent.com"},
		{"IDP.example.com/realms/Main", []string{"upper-case"}, "https://idp.example.com/realms/Main"},
		{"GitLab.com/", []string{"upper-case", "without a trailing slash"}, "https://gitlab.com"},
		{"https://gitlab.com/", []string{"without a trailing slash"}, "https://gitlab.com"},
	}
	for _, c := range cases {
		got := LookAlikes(c.key)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d look-alikes %v, want %d", c.key, len(got), got, len(c.want))
			continue
		}
		for i, la := range got {
			if !strings.Contains(la.Message, c.want[i]) || la.Fix != c.fix || !strings.Contains(la.Message, "use "+c.fix) || !strings.Contains(la.Message, "STS compares") {
				t.Errorf("%s: %+v, want a message with %q and the fix %s", c.key, la, c.want[i], c.fix)
			}
		}
	}
	// Issuers whose iss does end in a slash, or that the catalogue does not
	// know, keep theirs; paths keep their case.
	for _, key := range []string{"tenant.auth0.com/", "idp.example.com/realms/main/", "token.actions.githubusercontent.com", "oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B", "accounts.google.com"} {
		if got := LookAlikes(key); len(got) != 0 {
			t.Errorf("%s: unexpected look-alikes %v", key, got)
		}
	}
}
