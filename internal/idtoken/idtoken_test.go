package idtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/discovery"
)

// offlineIdP serves the local IdP's discovery document and JWKS from memory, so these
// tests check the verification rules, not the network.
func offlineIdP(t *testing.T) (*localidp.Server, Fetcher) {
	t.Helper()
	idp := localidp.StartForTest(t, localidp.Config{})
	issuer := localidp.DefaultIssuer
	doc, err := json.Marshal(localidp.DefaultDocument(issuer, localidp.DefaultJWKSURI(issuer)))
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		discovery.DocumentURL(issuer):   doc,
		localidp.DefaultJWKSURI(issuer): idp.JWKSJSON(),
	}
	return idp, func(_ context.Context, url string) ([]byte, error) {
		if b, ok := bodies[url]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("404 for %s", url)
	}
}

func codes(r Result) []Code {
	var out []Code
	for _, p := range r.Problems {
		out = append(out, p.Code)
	}
	return out
}

func TestVerify_findsWhatSTSWouldRefuse(t *testing.T) {
	idp, fetch := offlineIdP(t)
	now := time.Now()
	ok := Options{Issuer: localidp.DefaultIssuer, Audiences: []string{localidp.DefaultAudience}}
	cases := []struct {
		name   string
		claims map[string]any
		tok    localidp.TokenOptions
		opts   Options
		want   []Code
		phrase string
	}{
		{name: "valid RS256", opts: ok},
		{name: "valid ES256", tok: localidp.TokenOptions{Algorithm: "ES256"}, opts: ok},
		{name: "no kid: every key is tried", tok: localidp.TokenOptions{OmitKeyID: true}, opts: ok},
		{name: "bad signature", tok: localidp.TokenOptions{WrongKey: true}, opts: ok, want: []Code{CodeBadSignature}, phrase: "does not verify"},
		{name: "unknown kid", tok: localidp.TokenOptions{KeyID: "rotated-away"}, opts: ok, want: []Code{CodeUnknownKey}, phrase: `kid "rotated-away"`},
		{name: "wrong iss", opts: Options{Issuer: "https://other.test", Audiences: ok.Audiences}, want: []Code{CodeIssuerMismatch}, phrase: "no OpenID Connect provider"},
		{name: "iss differs by a trailing slash", opts: Options{Issuer: localidp.DefaultIssuer + "/"}, want: []Code{CodeIssuerMismatch}, phrase: "trailing slash"},
		{name: "wrong aud", opts: Options{Issuer: ok.Issuer, Audiences: []string{"my-app"}}, want: []Code{CodeAudienceMismatch}, phrase: "Incorrect token audience"},
		{name: "expired", tok: localidp.TokenOptions{IssuedAt: now.Add(-2 * time.Hour), Expiry: now.Add(-time.Hour)}, opts: ok, want: []Code{CodeExpired}, phrase: "expired at"},
		{name: "expired within the leeway", tok: localidp.TokenOptions{IssuedAt: now.Add(-time.Hour), Expiry: now.Add(-time.Minute)}, opts: ok},
		{name: "not yet valid", tok: localidp.TokenOptions{NotBefore: now.Add(time.Hour), Expiry: now.Add(2 * time.Hour)}, opts: ok, want: []Code{CodeNotYetValid}, phrase: "not valid before"},
		{name: "issued in the future", tok: localidp.TokenOptions{IssuedAt: now.Add(time.Hour), NotBefore: now, Expiry: now.Add(2 * time.Hour)}, opts: ok, want: []Code{CodeIssuedInFuture}, phrase: "in the future"},
		{name: "no exp", claims: map[string]any{"exp": nil}, opts: ok, want: []Code{CodeNoExpiry}},
		{name: "several problems at once", tok: localidp.TokenOptions{WrongKey: true, IssuedAt: now.Add(-2 * time.Hour), Expiry: now.Add(-time.Hour)},
			opts: Options{Issuer: ok.Issuer, Audiences: []string{"my-app"}}, want: []Code{CodeExpired, CodeAudienceMismatch, CodeBadSignature}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := idp.MintToken(c.claims, c.tok)
			if err != nil {
				t.Fatal(err)
			}
			got := Verify(context.Background(), raw, fetch, c.opts)
			if fmt.Sprint(codes(got)) != fmt.Sprint(c.want) {
				t.Fatalf("problems = %v, want %v", got.Problems, c.want)
			}
			if c.phrase != "" && !strings.Contains(got.Problems[0].Message, c.phrase) {
				t.Errorf("message %q lacks %q", got.Problems[0].Message, c.phrase)
			}
			if got.Valid() != (len(c.want) == 0) {
				t.Errorf("Valid() = %v with problems %v", got.Valid(), got.Problems)
			}
			if got.Claims["iss"] != localidp.DefaultIssuer {
				t.Errorf("claims must be read even when verification fails; iss = %v", got.Claims["iss"])
			}
		})
	}
}

func TestVerify_malformedAndUnreachable(t *testing.T) {
	idp, _ := offlineIdP(t)
	for _, raw := range []string{"", "not.a.jwt", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."} {
		got := Verify(context.Background(), raw, nil, Options{})
		if fmt.Sprint(codes(got)) != fmt.Sprint([]Code{CodeMalformed}) {
			t.Errorf("Verify(%q) problems = %v, want malformed", raw, got.Problems)
		}
	}
	raw, err := idp.MintToken(nil, localidp.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	down := func(context.Context, string) ([]byte, error) { return nil, errors.New("connection refused") }
	got := Verify(context.Background(), raw, down, Options{})
	if fmt.Sprint(codes(got)) != fmt.Sprint([]Code{CodeKeysUnavailable}) || !strings.Contains(got.Problems[0].Message, "connection refused") {
		t.Errorf("problems = %v, want keys_unavailable saying why", got.Problems)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC50ZXN0In0.c2ln")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, raw string) {
		none := func(context.Context, string) ([]byte, error) { return nil, errors.New("offline") }
		got := Verify(context.Background(), raw, none, Options{Issuer: "https://idp.test"})
		if got.Valid() {
			t.Fatalf("a token whose keys cannot be fetched was accepted: %q", raw)
		}
	})
}

func TestPeek_readsClaimsWithoutVerifying(t *testing.T) {
	idp, _ := offlineIdP(t)
	raw, err := idp.MintToken(map[string]any{"sub": "x"}, localidp.TokenOptions{WrongKey: true})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := Peek(raw)
	if err != nil || claims["sub"] != "x" || claims["iss"] != localidp.DefaultIssuer {
		t.Fatalf("Peek = %v, %v", claims, err)
	}
	if _, err := Peek("not a token"); err == nil {
		t.Error("Peek accepted a string that is no JWT")
	}
}
