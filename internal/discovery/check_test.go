package discovery

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readRecordedDocument parses testdata/idp/<name>.json, a discovery document
// as a real identity provider publishes it.
func readRecordedDocument(t *testing.T, name string) *Document {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "idp", name+".json"))
	if err != nil {
		t.Fatalf("read test document: %v", err)
	}
	doc, err := ParseDocument(body)
	if err != nil {
		t.Fatalf("ParseDocument(%s): %v", name, err)
	}
	return doc
}

func codes(fs []Finding) []Code {
	out := []Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func mustParseJWKS(t *testing.T, body []byte) *KeySet {
	t.Helper()
	set, err := ParseJWKS(body)
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	return set
}

// TestCheck_realIdPsGetTheVerdictAWSGives pins the verdict for documents
// shaped like those of IdPs known to work (or not) with AWS.
func TestCheck_realIdPsGetTheVerdictAWSGives(t *testing.T) {
	cases := []struct {
		idp          string
		requested    string
		wantProblems []Code
		wantWarnings []Code
		wantInMsgs   []string
	}{
		{idp: "github-actions", requested: "https://token.actions.githubusercontent.com"},
		{
			idp: "gitlab", requested: "https://gitlab.com",
			wantWarnings: []Code{CodeIDTokenResponseTypeMissing},
			wantInMsgs:   []string{`response_types_supported ["code"] has no bare "id_token"`},
		},
		{idp: "google", requested: "https://accounts.google.com"},
		{idp: "auth0", requested: "https://example-tenant.us.auth0.com/"},
		{
			idp: "auth0", requested: "https://example-tenant.us.auth0.com",
			wantProblems: []Code{CodeIssuerMismatch},
			wantInMsgs:   []string{`issuer "https://example-tenant.us.auth0.com/" differs from the issuer asked for "https://example-tenant.us.auth0.com" (they differ only in the trailing slash)`},
		},
		{idp: "okta", requested: "https://example.okta.com/oauth2/default"},
		{
			idp: "entra-common", requested: "https://login.microsoftonline.com/common/v2.0",
			wantProblems: []Code{CodeIssuerMismatch, CodeIssuerTemplate},
			wantWarnings: []Code{CodePublicSubjectTypeMissing},
			wantInMsgs: []string{
				`issuer "https://login.microsoftonline.com/{tenantid}/v2.0" is a template`,
				`subject_types_supported ["pairwise"] does not include "public"`,
			},
		},
		{
			idp: "entra-tenant", requested: "https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0",
			wantWarnings: []Code{CodePublicSubjectTypeMissing},
		},
		{
			idp: "eks", requested: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
			wantWarnings: []Code{CodeClaimsSupportedIncomplete},
			wantInMsgs:   []string{`claims_supported ["sub", "iss"] lacks ["aud", "iat"]`},
		},
		{
			idp: "cognito", requested: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI",
			wantWarnings: []Code{CodeIDTokenResponseTypeMissing, CodeClaimsSupportedMissing},
			wantInMsgs:   []string{`response_types_supported ["code", "token"] has no bare "id_token"`, "does not list claims_supported"},
		},
	}
	jwks := mustParseJWKS(t, rsaJWKS(t))
	for _, tc := range cases {
		t.Run(tc.idp+" asked as "+tc.requested, func(t *testing.T) {
			doc := readRecordedDocument(t, tc.idp)
			v := Check(tc.requested, doc, jwks, nil)
			if got := codes(v.Problems); !reflect.DeepEqual(got, append([]Code{}, tc.wantProblems...)) {
				t.Errorf("problems = %v, want %v\n%v", got, tc.wantProblems, v.Problems)
			}
			if got := codes(v.Warnings); !reflect.DeepEqual(got, append([]Code{}, tc.wantWarnings...)) {
				t.Errorf("warnings = %v, want %v\n%v", got, tc.wantWarnings, v.Warnings)
			}
			if v.AWSCompatible != (len(tc.wantProblems) == 0) {
				t.Errorf("AWSCompatible = %v with problems %v", v.AWSCompatible, v.Problems)
			}
			all := fmt.Sprint(v.Problems, v.Warnings)
			for _, s := range tc.wantInMsgs {
				if !strings.Contains(all, s) {
					t.Errorf("no finding says %q; findings: %s", s, all)
				}
			}
		})
	}
}

func TestCheck_googleKeysLiveOnAnotherHost(t *testing.T) {
	doc := readRecordedDocument(t, "google")
	jwksHost, err := doc.JWKSHost()
	if err != nil {
		t.Fatal(err)
	}
	issuerHost, err := doc.IssuerHost()
	if err != nil {
		t.Fatal(err)
	}
	if jwksHost != "www.googleapis.com" || issuerHost != "accounts.google.com" {
		t.Errorf("hosts = %q (jwks), %q (issuer); want www.googleapis.com, accounts.google.com", jwksHost, issuerHost)
	}
}

// baseDoc is a document that meets every item of AWS's checklist.
func baseDoc() *Document {
	return &Document{
		Issuer:                           "https://idp.example.com",
		JWKSURI:                          "https://idp.example.com/keys",
		ClaimsSupported:                  []string{"aud", "iat", "iss", "sub"},
		ResponseTypesSupported:           []string{"code", "id_token"},
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
	}
}

func TestCheck_issuerIAMCannotRegisterIsAProblem(t *testing.T) {
	cases := []struct {
		issuer string
		code   Code
		want   string
	}{
		{"http://idp.example.com", CodeIssuerNotRegistrable, `the scheme is "http"`},
		{"HTTPS://idp.example.com", CodeIssuerNotRegistrable, `the scheme is "HTTPS"`},
		{"https://idp.example.com:8443", CodeIssuerNotRegistrable, "has a port"},
		{"https://idp.example.com:", CodeIssuerNotRegistrable, "has a port"},
		{"https://idp.example.com/realm?tenant=a", CodeIssuerNotRegistrable, "has a query"},
		{"https://idp.example.com/?", CodeIssuerNotRegistrable, "has a query"},
		{"https://idp.example.com/#frag", CodeIssuerNotRegistrable, "has a fragment"},
		{"https://user@idp.example.com", CodeIssuerNotRegistrable, "has user info"},
		{"https:///path-only", CodeIssuerNotRegistrable, "has no host"},
		{"https://idp.example.com/" + strings.Repeat("p", 250), CodeIssuerNotRegistrable, "is 274 characters long; IAM accepts at most 255"},
		{"https://idp.example.com/%zz", CodeIssuerNotRegistrable, "cannot be parsed"},
		{"https://idp.example.com/{tenant}/v2.0", CodeIssuerTemplate, "is a template"},
		{"https://idp.example.com/%7Btenantid%7D/v2.0", CodeIssuerTemplate, "is a template"},
	}
	for _, tc := range cases {
		t.Run(tc.issuer, func(t *testing.T) {
			doc := baseDoc()
			doc.Issuer = tc.issuer
			v := Check(tc.issuer, doc, nil, nil)
			if got := codes(v.Problems); !reflect.DeepEqual(got, []Code{tc.code}) {
				t.Fatalf("problems = %v, want [%s]\n%v", got, tc.code, v.Problems)
			}
			if v.AWSCompatible {
				t.Error("AWSCompatible = true with a problem")
			}
			msg := v.Problems[0].Message
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, fmt.Sprintf("%q", tc.issuer)) {
				t.Errorf("message %q should quote the issuer and contain %q", msg, tc.want)
			}
		})
	}
}

func TestCheck_registrableIssuersPass(t *testing.T) {
	for _, issuer := range []string{
		"https://idp.example.com",
		"https://idp.example.com/",
		"https://idp.example.com/realms/Main",
		"https://oidc.circleci.com/org/0a1b2c3d-0000-4000-8000-000000000000",
	} {
		doc := baseDoc()
		doc.Issuer = issuer
		v := Check(issuer, doc, nil, nil)
		if !v.AWSCompatible || len(v.Problems) != 0 || len(v.Warnings) != 0 {
			t.Errorf("Check(%q) = %+v, want compatible with no findings", issuer, v)
		}
	}
}

func TestCheck_issuerComparedExactly(t *testing.T) {
	cases := []struct {
		requested string
		hint      string
	}{
		{"https://idp.example.com/", "(they differ only in the trailing slash)"},
		{"https://IDP.example.com", "(they differ only in letter case)"},
		{"https://other.example.com", "; STS compares"},
	}
	for _, tc := range cases {
		v := Check(tc.requested, baseDoc(), nil, nil)
		if got := codes(v.Problems); !reflect.DeepEqual(got, []Code{CodeIssuerMismatch}) {
			t.Errorf("asked %q: problems = %v, want [issuer_mismatch]", tc.requested, got)
			continue
		}
		want := fmt.Sprintf("issuer %q differs from the issuer asked for %q %s", "https://idp.example.com", tc.requested, tc.hint)
		want = strings.Replace(want, " ;", ";", 1)
		if !strings.Contains(v.Problems[0].Message, want) {
			t.Errorf("message %q does not contain %q", v.Problems[0].Message, want)
		}
	}
}

func TestCheck_missingOrMalformedIssuer(t *testing.T) {
	doc := baseDoc()
	doc.Issuer = ""
	v := Check("https://idp.example.com", doc, nil, nil)
	if got := codes(v.Problems); !reflect.DeepEqual(got, []Code{CodeIssuerMissing}) {
		t.Errorf("no issuer: problems = %v, want [issuer_missing]", got)
	}

	parsed, err := ParseDocument([]byte(`{"issuer":["https://idp.example.com"],"jwks_uri":"https://idp.example.com/keys","claims_supported":["aud","iat","iss","sub"],"response_types_supported":["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}`))
	if err != nil {
		t.Fatal(err)
	}
	v = Check("https://idp.example.com", parsed, nil, nil)
	if got := codes(v.Problems); !reflect.DeepEqual(got, []Code{CodeIssuerMissing}) {
		t.Fatalf("array issuer: problems = %v, want [issuer_missing]", got)
	}
	if !strings.Contains(v.Problems[0].Message, "is not a string (found an array)") {
		t.Errorf("message %q does not say the issuer is an array", v.Problems[0].Message)
	}
	if len(v.Warnings) != 0 {
		t.Errorf("warnings = %v, want none: the malformed issuer is already a problem", v.Warnings)
	}
}

func TestCheck_jwksURIAndKeySetProblems(t *testing.T) {
	loadTestKeys(t)
	unreachable := errors.New("GET https://idp.example.com/keys: 503 Service Unavailable")
	_, malformedErr := ParseJWKS([]byte("<html>oops</html>"))
	cases := []struct {
		name         string
		jwksURI      string
		jwks         []byte
		jwksErr      error
		wantProblems []Code
		wantWarnings []Code
		want         string
	}{
		{name: "missing jwks_uri", jwksURI: "", wantProblems: []Code{CodeJWKSURIMissing}, want: `has no "jwks_uri"`},
		{name: "plain http jwks_uri", jwksURI: "http://idp.example.com/keys", wantProblems: []Code{CodeJWKSURIInvalid}, want: `jwks_uri "http://idp.example.com/keys" is not an https URL`},
		{name: "relative jwks_uri", jwksURI: "/keys", wantProblems: []Code{CodeJWKSURIInvalid}, want: `jwks_uri "/keys" is not an https URL`},
		{name: "jwks_uri without host", jwksURI: "https:///keys", wantProblems: []Code{CodeJWKSURIInvalid}, want: "has no host"},
		{name: "jwks_uri not a URL", jwksURI: "https://idp.example.com/%zz", wantProblems: []Code{CodeJWKSURIInvalid}, want: "is not a valid URL"},
		{name: "jwks not fetched", jwksURI: "https://idp.example.com/keys"},
		{name: "jwks unreachable", jwksURI: "https://idp.example.com/keys", jwksErr: unreachable, wantProblems: []Code{CodeJWKSUnreachable}, want: "could not be fetched (GET https://idp.example.com/keys: 503 Service Unavailable)"},
		{name: "jwks unparseable", jwksURI: "https://idp.example.com/keys", jwksErr: malformedErr, wantProblems: []Code{CodeJWKSInvalid}, want: "looks like HTML"},
		{name: "jwks empty", jwksURI: "https://idp.example.com/keys", jwks: []byte(`{"keys":[]}`), wantProblems: []Code{CodeJWKSEmpty}, want: `the JWKS at "https://idp.example.com/keys" has no keys`},
		{
			name: "no key AWS can use", jwksURI: "https://idp.example.com/keys",
			jwks:         jwksJSON(t, jwkJSON(t, testEd25519.Public(), "ed", "EdDSA", "sig"), jwkJSON(t, &testRSA.PublicKey, "enc", "RSA-OAEP", "enc")),
			wantProblems: []Code{CodeJWKSNoUsableKey},
			want:         `none of the 2 keys in the JWKS at "https://idp.example.com/keys" can verify tokens for STS (key 0 (kid "ed"): Ed25519 (EdDSA) keys are not supported`,
		},
		{
			name: "one unusable key beside a usable one", jwksURI: "https://idp.example.com/keys",
			jwks:         jwksJSON(t, jwkJSON(t, &testRSA.PublicKey, "good", "RS256", "sig"), jwkJSON(t, &testP256.PublicKey, "wrong-alg", "ES512", "sig")),
			wantWarnings: []Code{CodeJWKSKeyUnusable},
			want:         `key 1 (kid "wrong-alg") in the JWKS at "https://idp.example.com/keys" cannot verify tokens for STS`,
		},
		{
			name: "private key published", jwksURI: "https://idp.example.com/keys",
			jwks:         jwksJSON(t, jwkJSON(t, testP256, "leaked", "ES256", "sig")),
			wantWarnings: []Code{CodeJWKSPrivateKey},
			want:         `key 0 (kid "leaked") in the JWKS at "https://idp.example.com/keys" publishes private or symmetric key material`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := baseDoc()
			doc.JWKSURI = tc.jwksURI
			var set *KeySet
			if tc.jwks != nil {
				set = mustParseJWKS(t, tc.jwks)
			}
			v := Check(doc.Issuer, doc, set, tc.jwksErr)
			if got := codes(v.Problems); !reflect.DeepEqual(got, append([]Code{}, tc.wantProblems...)) {
				t.Errorf("problems = %v, want %v\n%v", got, tc.wantProblems, v.Problems)
			}
			if got := codes(v.Warnings); !reflect.DeepEqual(got, append([]Code{}, tc.wantWarnings...)) {
				t.Errorf("warnings = %v, want %v\n%v", got, tc.wantWarnings, v.Warnings)
			}
			if v.AWSCompatible != (len(tc.wantProblems) == 0) {
				t.Errorf("AWSCompatible = %v with problems %v", v.AWSCompatible, v.Problems)
			}
			if all := fmt.Sprint(v.Problems, v.Warnings); !strings.Contains(all, tc.want) {
				t.Errorf("no finding contains %q; findings: %s", tc.want, all)
			}
		})
	}
}

func TestCheck_checklistDeparturesAreWarnings(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Document)
		want   []Code
		msg    string
	}{
		{"no response types listed", func(d *Document) { d.ResponseTypesSupported = nil }, []Code{CodeIDTokenResponseTypeMissing}, "does not list response_types_supported"},
		{"id_token only in combinations", func(d *Document) { d.ResponseTypesSupported = []string{"code id_token", "id_token token"} }, []Code{CodeIDTokenResponseTypeMissing}, `["code id_token", "id_token token"] has no bare "id_token"`},
		{"no subject types listed", func(d *Document) { d.SubjectTypesSupported = nil }, []Code{CodePublicSubjectTypeMissing}, "does not list subject_types_supported"},
		{"claims_supported empty", func(d *Document) { d.ClaimsSupported = []string{} }, []Code{CodeClaimsSupportedIncomplete}, `claims_supported [] lacks ["aud", "iat", "iss", "sub"]`},
		{"claims_supported without iat", func(d *Document) { d.ClaimsSupported = []string{"aud", "iss", "sub"} }, []Code{CodeClaimsSupportedIncomplete}, `lacks ["iat"]`},
		{"no signing algorithms listed", func(d *Document) { d.IDTokenSigningAlgValuesSupported = nil }, []Code{CodeRS256NotListed}, "does not list id_token_signing_alg_values_supported"},
		{"ES256 only", func(d *Document) { d.IDTokenSigningAlgValuesSupported = []string{"ES256", "EdDSA"} }, []Code{CodeRS256NotListed}, `but STS also verifies ["ES256"], which the IdP lists`},
		{"only algorithms STS refuses", func(d *Document) { d.IDTokenSigningAlgValuesSupported = []string{"HS256", "EdDSA"} }, []Code{CodeRS256NotListed}, `["HS256", "EdDSA"] has none of the algorithms STS verifies`},
		{"lower-case rs256 is not RS256", func(d *Document) { d.IDTokenSigningAlgValuesSupported = []string{"rs256"} }, []Code{CodeRS256NotListed}, "has none of the algorithms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := baseDoc()
			tc.modify(doc)
			v := Check(doc.Issuer, doc, nil, nil)
			if !v.AWSCompatible || len(v.Problems) != 0 {
				t.Errorf("problems = %v, want none", v.Problems)
			}
			if got := codes(v.Warnings); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("warnings = %v, want %v\n%v", got, tc.want, v.Warnings)
			}
			if !strings.Contains(v.Warnings[0].Message, tc.msg) {
				t.Errorf("message %q does not contain %q", v.Warnings[0].Message, tc.msg)
			}
		})
	}
}

func TestCheck_malformedListIsOneWarningNotTwo(t *testing.T) {
	body, err := json.Marshal(map[string]any{
		"issuer":                                "https://idp.example.com",
		"jwks_uri":                              "https://idp.example.com/keys",
		"claims_supported":                      "aud iat iss sub",
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseDocument(body)
	if err != nil {
		t.Fatal(err)
	}
	v := Check("https://idp.example.com", doc, nil, nil)
	if got := codes(v.Warnings); !reflect.DeepEqual(got, []Code{CodeMemberMalformed}) {
		t.Fatalf("warnings = %v, want [member_malformed]", got)
	}
	want := `"claims_supported" is not an array of strings (found a string) and is ignored`
	if !strings.Contains(v.Warnings[0].Message, want) {
		t.Errorf("message %q does not contain %q", v.Warnings[0].Message, want)
	}
}

func TestCheck_nilDocumentIsAProblemNotAPanic(t *testing.T) {
	v := Check("https://idp.example.com", nil, nil, nil)
	if v.AWSCompatible || !reflect.DeepEqual(codes(v.Problems), []Code{CodeDocumentMissing}) {
		t.Errorf("Check(nil) = %+v, want one document_missing problem", v)
	}
}

func TestFinding_String(t *testing.T) {
	f := Finding{Code: CodeJWKSEmpty, Message: "no keys"}
	if got := f.String(); got != "jwks_empty: no keys" {
		t.Errorf("String() = %q", got)
	}
}
