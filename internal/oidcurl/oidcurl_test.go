package oidcurl

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_acceptsWhatIAMAccepts(t *testing.T) {
	cases := []struct {
		raw, key string
	}{
		{"https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"},
		{"https://oidc.circleci.com/org/0c1b2a", "oidc.circleci.com/org/0c1b2a"},
		{"https://tenant.eu.auth0.com/", "tenant.eu.auth0.com/"},
		{"https://Idp.Example.com/Path", "Idp.Example.com/Path"},
		{"https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123", "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123"},
		{"https://accounts.google.com.example.net", "accounts.google.com.example.net"},
		{"https://" + strings.Repeat("a", MaxLength-len("https://")), strings.Repeat("a", MaxLength-len("https://"))},
	}
	for _, c := range cases {
		u, err := Parse(c.raw)
		if err != nil {
			t.Errorf("Parse(%q): unexpected error %v", c.raw, err)
			continue
		}
		if u.Key() != c.key {
			t.Errorf("Parse(%q).Key() = %q, want %q", c.raw, u.Key(), c.key)
		}
		if u.String() != c.raw {
			t.Errorf("Parse(%q).String() = %q, want it unchanged", c.raw, u.String())
		}
	}
}

func TestParse_refusesWithTheRule(t *testing.T) {
	cases := []struct {
		raw, rule string
	}{
		{"", "empty"},
		{"http://idp.example.com", `scheme is "http"`},
		{"idp.example.com", "no https:// scheme"},
		{"https://idp.example.com:8443", "has a port"},
		{"https://idp.example.com:443", "has a port"},
		{"https://idp.example.com:", "has a port"},
		{"https://idp.example.com?tenant=1", "query"},
		{"https://idp.example.com/x#frag", "fragment"},
		{"https://user:pw@idp.example.com", "user info"},
		{"https://user@idp.example.com", "user info"},
		{"https://" + strings.Repeat("a", MaxLength-len("https://")+1), "IAM accepts at most 255"},
		{"https://accounts.google.com", "built into AWS"},
		{"https://ACCOUNTS.GOOGLE.COM/", "built into AWS"},
		{"https://graph.facebook.com", "built into AWS"},
		{"https://www.amazon.com", "built into AWS"},
		{"https://cognito-identity.amazonaws.com", "built into AWS"},
		{" https://idp.example.com", "white space"},
		{"https://idp example.com", "white space"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://[::1]/x", "IP address literal"},
		{"https://idp.example.com//x", "empty segment"},
		{"https://idp.exa%mple.com", ""},
		{"https://idp.example.com/caf\u00e9", "printable ASCII"},
	}
	for _, c := range cases {
		_, err := Parse(c.raw)
		if err == nil {
			t.Errorf("Parse(%q): want an error containing %q, got none", c.raw, c.rule)
			continue
		}
		if !strings.Contains(err.Error(), c.rule) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", c.raw, err, c.rule)
		}
	}
}

func TestParse_trailingSlashIsADifferentProvider(t *testing.T) {
	a, _ := Parse("https://tenant.auth0.com/")
	b, _ := Parse("https://tenant.auth0.com")
	if a.Key() == b.Key() {
		t.Fatalf("keys %q and %q must differ: IAM registers them as two providers", a.Key(), b.Key())
	}
	if got := a.ConditionKey("aud"); got != "tenant.auth0.com/:aud" {
		t.Errorf("ConditionKey = %q, want tenant.auth0.com/:aud", got)
	}
}

func TestEqual_schemeOptionalRestExact(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"https://idp.example.com", "idp.example.com", true},
		{"https://idp.example.com/x", "https://idp.example.com/x", true},
		{"https://idp.example.com/", "idp.example.com", false},
		{"https://IDP.example.com", "idp.example.com", false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestProviderARN_roundTrip(t *testing.T) {
	u, err := Parse("https://oidc.circleci.com/org/abc")
	if err != nil {
		t.Fatal(err)
	}
	arn := u.ProviderARN("aws-us-gov", "123456789012")
	if arn != "arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.circleci.com/org/abc" {
		t.Fatalf("ProviderARN = %q", arn)
	}
	p, err := ParseProviderARN(arn)
	if err != nil {
		t.Fatal(err)
	}
	if p.Partition != "aws-us-gov" || p.AccountID != "123456789012" || p.Key != u.Key() || p.URL() != u.String() || p.String() != arn {
		t.Fatalf("ParseProviderARN(%q) = %+v", arn, p)
	}
	if got := ProviderARNForKey("", "123456789012", "x"); got != "arn:aws:iam::123456789012:oidc-provider/x" {
		t.Errorf("empty partition should default to aws, got %q", got)
	}
}

func TestParseProviderARN_refusesOtherARNs(t *testing.T) {
	for _, arn := range []string{
		"",
		"arn:aws:iam::123456789012:role/x",
		"arn:aws:iam::12345:oidc-provider/x",
		"arn:aws:sts::123456789012:oidc-provider/x",
		"arn:aws:iam::123456789012:oidc-provider/",
		"arn:aws:iam:us-east-1:123456789012:oidc-provider/x",
		"token.actions.githubusercontent.com",
	} {
		if _, err := ParseProviderARN(arn); err == nil {
			t.Errorf("ParseProviderARN(%q): want an error", arn)
		}
	}
}

func TestFromKeyAndKeyOf(t *testing.T) {
	if got := FromKey("idp.example.com/x/"); got != "https://idp.example.com/x/" {
		t.Errorf("FromKey = %q", got)
	}
	if got := FromKey("https://idp.example.com"); got != "https://idp.example.com" {
		t.Errorf("FromKey must not double the scheme, got %q", got)
	}
	if got := KeyOf("https://idp.example.com/"); got != "idp.example.com/" {
		t.Errorf("KeyOf = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"https://idp.example.com", "https://x/", "http://x", "https://x:1", "https://a@b", "https://x?y#z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Parse(raw)
		if err != nil {
			return
		}
		if u.String() != raw {
			t.Fatalf("String() = %q, want the input %q", u.String(), raw)
		}
		if FromKey(u.Key()) != raw {
			t.Fatalf("FromKey(Key()) = %q, want %q", FromKey(u.Key()), raw)
		}
		rest := raw[len("https://"):]
		if strings.ContainsAny(rest, "?# ") {
			t.Fatalf("accepted %q with a query, fragment or space", raw)
		}
		// '@' is user info only before the first '/'; in the path it is an ordinary character.
		if authority, _, _ := strings.Cut(rest, "/"); strings.Contains(authority, "@") {
			t.Fatalf("accepted %q with user info", raw)
		}
		p, err := ParseProviderARN(u.ProviderARN("aws", "123456789012"))
		if err != nil || p.Key != u.Key() {
			t.Fatalf("ARN round trip of %q failed: %v %+v", raw, err, p)
		}
	})
}

func TestParseIssuer_acceptsBuiltInIssuers(t *testing.T) {
	u, err := ParseIssuer("https://accounts.google.com")
	if err != nil {
		t.Fatalf("ParseIssuer refused a built-in issuer: %v", err)
	}
	if u.ConditionKey("aud") != "accounts.google.com:aud" {
		t.Errorf("ConditionKey = %q", u.ConditionKey("aud"))
	}
	if _, err := ParseIssuer("http://accounts.google.com"); err == nil {
		t.Error("ParseIssuer must keep every other rule")
	}
	var ue *Error
	if _, err := Parse("https://accounts.google.com"); !errors.As(err, &ue) || !ue.BuiltIn {
		t.Errorf("Parse must mark a built-in issuer's error as BuiltIn, got %v", err)
	}
}

func TestParse_builtInRefusalNamesTheTrustBlockToWrite(t *testing.T) {
	for raw, builtIn := range map[string]string{
		"https://accounts.google.com":            "accounts.google.com",
		"https://ACCOUNTS.GOOGLE.COM/":           "accounts.google.com",
		"https://cognito-identity.amazonaws.com": "cognito-identity.amazonaws.com",
		"https://graph.facebook.com":             "graph.facebook.com",
		"https://www.amazon.com":                 "www.amazon.com",
	} {
		_, err := Parse(raw)
		if err == nil || !strings.Contains(err.Error(), `built_in = "`+builtIn+`"`) {
			t.Errorf("Parse(%q) = %v; want the refusal to name built_in = %q", raw, err, builtIn)
		}
	}
}
