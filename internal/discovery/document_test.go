package discovery

import (
	"reflect"
	"strings"
	"testing"
)

func TestDocumentURL_dropsOnlyTheTrailingSlash(t *testing.T) {
	cases := map[string]string{
		"https://token.actions.githubusercontent.com":       "https://token.actions.githubusercontent.com/.well-known/openid-configuration",
		"https://tenant.us.auth0.com/":                      "https://tenant.us.auth0.com/.well-known/openid-configuration",
		"https://example.okta.com/oauth2/default":           "https://example.okta.com/oauth2/default/.well-known/openid-configuration",
		"https://login.microsoftonline.com/tid/v2.0/":       "https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration",
		"https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDE": "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDE/.well-known/openid-configuration",
	}
	for issuer, want := range cases {
		if got := DocumentURL(issuer); got != want {
			t.Errorf("DocumentURL(%q) = %q, want %q", issuer, got, want)
		}
	}
}

func TestParseDocument_readsKnownMembersAndIgnoresOthers(t *testing.T) {
	body := []byte(`{
		"issuer": "https://idp.example.com",
		"jwks_uri": "https://keys.example.com/jwks",
		"authorization_endpoint": "https://idp.example.com/authorize",
		"token_endpoint": "https://idp.example.com/token",
		"claims_supported": ["sub", "iss", "aud", "iat"],
		"response_types_supported": ["code", "id_token"],
		"subject_types_supported": ["public"],
		"id_token_signing_alg_values_supported": ["RS256", "ES256"],
		"scopes_supported": ["openid"],
		"x-vendor": {"nested": [1, 2, 3]}
	}`)
	doc, err := ParseDocument(body)
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	want := &Document{
		Issuer:                           "https://idp.example.com",
		JWKSURI:                          "https://keys.example.com/jwks",
		AuthorizationEndpoint:            "https://idp.example.com/authorize",
		TokenEndpoint:                    "https://idp.example.com/token",
		ClaimsSupported:                  []string{"sub", "iss", "aud", "iat"},
		ResponseTypesSupported:           []string{"code", "id_token"},
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: []string{"RS256", "ES256"},
		Raw:                              body,
	}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("ParseDocument =\n%+v\nwant\n%+v", doc, want)
	}
}

func TestParseDocument_tellsAbsentListsFromEmptyOnes(t *testing.T) {
	doc, err := ParseDocument([]byte(`{"issuer":"https://x","claims_supported":[],"subject_types_supported":null}`))
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	if doc.ClaimsSupported == nil || len(doc.ClaimsSupported) != 0 {
		t.Errorf("ClaimsSupported = %#v, want an empty non-nil slice", doc.ClaimsSupported)
	}
	if doc.SubjectTypesSupported != nil {
		t.Errorf("SubjectTypesSupported = %#v, want nil for null", doc.SubjectTypesSupported)
	}
	if doc.ResponseTypesSupported != nil {
		t.Errorf("ResponseTypesSupported = %#v, want nil when absent", doc.ResponseTypesSupported)
	}
}

func TestParseDocument_recordsMembersOfTheWrongType(t *testing.T) {
	doc, err := ParseDocument([]byte(`{"issuer":42,"jwks_uri":"https://x/keys","claims_supported":"sub iss","response_types_supported":["code",7],"token_endpoint":{}}`))
	if err != nil {
		t.Fatalf("ParseDocument: %v", err)
	}
	want := []FieldError{
		{Field: "issuer", Expected: "a string", Found: "a number"},
		{Field: "token_endpoint", Expected: "a string", Found: "an object"},
		{Field: "claims_supported", Expected: "an array of strings", Found: "a string"},
		{Field: "response_types_supported", Expected: "an array of strings", Found: "an array with a member that is not a string"},
	}
	if !reflect.DeepEqual(doc.Malformed, want) {
		t.Errorf("Malformed = %+v, want %+v", doc.Malformed, want)
	}
	if doc.Issuer != "" || doc.ClaimsSupported != nil || doc.ResponseTypesSupported != nil || doc.TokenEndpoint != "" {
		t.Errorf("malformed members were not left at their zero value: %+v", doc)
	}
	if doc.JWKSURI != "https://x/keys" {
		t.Errorf("JWKSURI = %q, want the well-formed member still read", doc.JWKSURI)
	}
	if got := want[0].Error(); got != `discovery document member "issuer": expected a string, found a number` {
		t.Errorf("FieldError.Error() = %q", got)
	}
}

func TestParseDocument_saysWhatCameBackInstead(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string
	}{
		{"HTML login page", "\n  <html><head><title>Sign in</title></head></html>", `expected a JSON object, found content that looks like HTML, starting "<html><head><title>Sign in</title></head></html>"`},
		{"empty body", "", "found an empty body"},
		{"whitespace", " \n\t", "found a body of only whitespace"},
		{"truncated JSON", `{"issuer": "https://x"`, `found invalid JSON (unexpected end of JSON input at byte 22), starting "{\"issuer\": \"https://x\""`},
		{"garbage after the object", `{"issuer":"https://x"} trailing`, "invalid character 't' after top-level value at byte"},
		{"plain text", "Not Found", `invalid character 'N' looking for beginning of value at byte 1), starting "Not Found"`},
		{"array", `["https://x"]`, "found a JSON array"},
		{"string", `"https://x"`, "found a JSON string"},
		{"number", `404`, "found a JSON number"},
		{"boolean", `true`, "found a JSON boolean"},
		{"null", `null`, "found JSON null"},
		{"long body is cut", "<html>" + strings.Repeat("é", 100), `…`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseDocument([]byte(tc.body))
			if err == nil {
				t.Fatalf("ParseDocument = %+v, want an error", doc)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "discovery document: ") {
				t.Errorf("error %q does not say it is about the discovery document", err)
			}
		})
	}
}

func TestDocument_hosts(t *testing.T) {
	doc := &Document{Issuer: "https://accounts.google.com", JWKSURI: "https://www.GoogleAPIs.com/oauth2/v3/certs"}
	if h, err := doc.JWKSHost(); err != nil || h != "www.googleapis.com" {
		t.Errorf("JWKSHost = %q, %v; want www.googleapis.com", h, err)
	}
	if h, err := doc.IssuerHost(); err != nil || h != "accounts.google.com" {
		t.Errorf("IssuerHost = %q, %v; want accounts.google.com", h, err)
	}
	withPort := &Document{JWKSURI: "https://keys.example.com:8443/jwks"}
	if h, err := withPort.JWKSHost(); err != nil || h != "keys.example.com:8443" {
		t.Errorf("JWKSHost with a port = %q, %v; want keys.example.com:8443", h, err)
	}
	for _, bad := range []string{"", "/relative/keys", "https://%zz/keys"} {
		d := &Document{JWKSURI: bad}
		if h, err := d.JWKSHost(); err == nil {
			t.Errorf("JWKSHost for jwks_uri %q = %q, want an error", bad, h)
		} else if !strings.Contains(err.Error(), "jwks_uri") {
			t.Errorf("JWKSHost error %q does not name jwks_uri", err)
		}
	}
}
