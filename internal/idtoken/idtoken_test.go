package idtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

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
		// The keys are read from the trusted issuer only, and other.test publishes none here.
		{name: "wrong iss", opts: Options{Issuer: "https://other.test", Audiences: ok.Audiences}, want: []Code{CodeIssuerMismatch, CodeKeysUnavailable}, phrase: "no OpenID Connect provider"},
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
	got := Verify(context.Background(), raw, down, Options{Issuer: localidp.DefaultIssuer})
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

// servedKeys returns a fetcher that serves the default discovery document of each
// issuer with jwks as its key set, and records every URL asked for.
func servedKeys(t *testing.T, jwks map[string][]byte) (Fetcher, *[]string) {
	t.Helper()
	bodies := map[string][]byte{}
	for issuer, keys := range jwks {
		doc, err := json.Marshal(localidp.DefaultDocument(issuer, localidp.DefaultJWKSURI(issuer)))
		if err != nil {
			t.Fatal(err)
		}
		bodies[discovery.DocumentURL(issuer)] = doc
		bodies[localidp.DefaultJWKSURI(issuer)] = keys
	}
	var asked []string
	return func(_ context.Context, url string) ([]byte, error) {
		asked = append(asked, url)
		if b, ok := bodies[url]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("404 for %s", url)
	}, &asked
}

// TestVerify_onlyKeysSTSWouldUseVerify: a key published for encryption, or for another
// algorithm than the token's, never verifies a signature, even when it would
// mathematically.
func TestVerify_onlyKeysSTSWouldUseVerify(t *testing.T) {
	idp := localidp.StartForTest(t, localidp.Config{})
	issuer := localidp.DefaultIssuer
	keySet := func(edit func(i int, k *jose.JSONWebKey)) []byte {
		set := idp.JWKS()
		for i := range set.Keys {
			edit(i, &set.Keys[i])
		}
		b, err := json.Marshal(set)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rsaOnly := func(edit func(k *jose.JSONWebKey)) []byte {
		return keySet(func(_ int, k *jose.JSONWebKey) {
			if k.KeyID == localidp.RSAKeyID {
				edit(k)
			}
		})
	}
	cases := []struct {
		name    string
		jwks    []byte
		tok     localidp.TokenOptions
		want    []Code
		phrases []string
	}{
		{name: "use and alg absent", jwks: keySet(func(_ int, k *jose.JSONWebKey) { k.Use, k.Algorithm = "", "" })},
		{name: "use enc", jwks: rsaOnly(func(k *jose.JSONWebKey) { k.Use = "enc" }),
			want: []Code{CodeUnusableKey}, phrases: []string{`kid "localidp-rs256"`, `published for use "enc", not "sig"`, "Couldn't retrieve verification key"}},
		{name: "alg RS512 for an RS256 token", jwks: rsaOnly(func(k *jose.JSONWebKey) { k.Algorithm = "RS512" }),
			want: []Code{CodeUnusableKey}, phrases: []string{`published for alg "RS512", the token is signed with "RS256"`}},
		{name: "alg ES384 for an ES256 token", tok: localidp.TokenOptions{Algorithm: "ES256"},
			jwks: keySet(func(_ int, k *jose.JSONWebKey) {
				if k.KeyID == localidp.ECKeyID {
					k.Algorithm = "ES384"
				}
			}),
			want: []Code{CodeUnusableKey}, phrases: []string{`"localidp-es256" is published for alg "ES384"`}},
		{name: "no kid, every key for encryption", tok: localidp.TokenOptions{OmitKeyID: true},
			jwks: keySet(func(_ int, k *jose.JSONWebKey) { k.Use = "enc" }),
			want: []Code{CodeUnusableKey}, phrases: []string{"none of the issuer's keys can verify a RS256 signature"}},
		// The EC key, without alg, is tried and does not verify an RS256 signature.
		{name: "no kid, the signing key for encryption, another without alg", tok: localidp.TokenOptions{OmitKeyID: true},
			jwks: keySet(func(_ int, k *jose.JSONWebKey) {
				if k.KeyID == localidp.RSAKeyID {
					k.Use = "enc"
				} else {
					k.Algorithm = ""
				}
			}),
			want: []Code{CodeBadSignature}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := idp.MintToken(nil, c.tok)
			if err != nil {
				t.Fatal(err)
			}
			fetch, _ := servedKeys(t, map[string][]byte{issuer: c.jwks})
			got := Verify(context.Background(), raw, fetch, Options{Issuer: issuer})
			if fmt.Sprint(codes(got)) != fmt.Sprint(c.want) {
				t.Fatalf("problems = %v, want %v", got.Problems, c.want)
			}
			for _, p := range c.phrases {
				if !strings.Contains(got.Problems[0].Message, p) {
					t.Errorf("message %q lacks %q", got.Problems[0].Message, p)
				}
			}
		})
	}
}

// TestVerify_readsKeysOnlyFromTheTrustedIssuer: a token naming an issuer of its own
// choosing, whose keys did sign it, is refused without a single fetch from that issuer.
func TestVerify_readsKeysOnlyFromTheTrustedIssuer(t *testing.T) {
	idp := localidp.StartForTest(t, localidp.Config{})
	stranger := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://stranger.test"}}})
	raw, err := stranger.MintToken(nil, localidp.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fetch, asked := servedKeys(t, map[string][]byte{
		localidp.DefaultIssuer:  idp.JWKSJSON(),
		"https://stranger.test": stranger.JWKSJSON(),
	})
	// The stranger's keys do verify the token: what keeps it out is where keys come from.
	if got := Verify(context.Background(), raw, fetch, Options{Issuer: "https://stranger.test"}); !got.Valid() {
		t.Fatalf("the stranger's token should verify against its own keys: %v", got.Problems)
	}

	*asked = nil
	got := Verify(context.Background(), raw, fetch, Options{})
	if fmt.Sprint(codes(got)) != fmt.Sprint([]Code{CodeIssuerMismatch}) || !strings.Contains(got.Problems[0].Message, "keys were not read") {
		t.Errorf("no trusted issuer: problems = %v, want issuer_mismatch saying the keys were not read", got.Problems)
	}
	if len(*asked) != 0 {
		t.Errorf("no trusted issuer: fetched %q", *asked)
	}

	*asked = nil
	got = Verify(context.Background(), raw, fetch, Options{Issuer: localidp.DefaultIssuer})
	if fmt.Sprint(codes(got)) != fmt.Sprint([]Code{CodeIssuerMismatch, CodeBadSignature}) {
		t.Errorf("trusting idp.test: problems = %v, want issuer_mismatch and bad_signature", got.Problems)
	}
	for _, u := range *asked {
		if !strings.HasPrefix(u, localidp.DefaultIssuer+"/") {
			t.Errorf("trusting idp.test, fetched %s", u)
		}
	}
	if len(*asked) == 0 {
		t.Error("trusting idp.test, its keys were not read")
	}
}

// TestVerify_googleIssuerWithOrWithoutScheme: Google writes iss as
// https://accounts.google.com or accounts.google.com; STS takes both for its built-in
// Google provider, and only Google's.
func TestVerify_googleIssuerWithOrWithoutScheme(t *testing.T) {
	const google = "https://accounts.google.com"
	idp := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: google}}})
	fetch, asked := servedKeys(t, map[string][]byte{google: idp.JWKSJSON()})
	for _, iss := range []string{"accounts.google.com", google} {
		raw, err := idp.MintToken(map[string]any{"iss": iss}, localidp.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := Verify(context.Background(), raw, fetch, Options{Issuer: google}); !got.Valid() {
			t.Errorf("iss %q: problems %v", iss, got.Problems)
		}
	}
	for _, u := range *asked {
		if !strings.HasPrefix(u, google+"/") {
			t.Errorf("fetched %s", u)
		}
	}
	for _, c := range []struct {
		iss, issuer string
		same        bool
	}{
		{"accounts.google.com", google, true},
		{google, "accounts.google.com", true},
		{"idp.test", "https://idp.test", false},
		{"https://idp.test/", "https://idp.test", false},
		{"https://IDP.test", "https://idp.test", false},
		{"https://accounts.google.com.evil.test", google, false},
	} {
		if got := SameIssuer(c.iss, c.issuer); got != c.same {
			t.Errorf("SameIssuer(%q, %q) = %v, want %v", c.iss, c.issuer, got, c.same)
		}
	}
}

// TestVerify_keepsEveryDigitOfLargeNumbers: a numeric claim above 2^53 keeps its digits,
// at the top level and inside lists and objects, in Verify's claims and in Peek's.
func TestVerify_keepsEveryDigitOfLargeNumbers(t *testing.T) {
	idp, fetch := offlineIdP(t)
	const big = "12345678901234567890"
	raw, err := idp.MintToken(map[string]any{
		"owner_id": json.RawMessage(big),
		"ids":      []any{json.RawMessage(big), json.RawMessage("1.25")},
		"nested":   map[string]any{"id": json.RawMessage(big)},
	}, localidp.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := Verify(context.Background(), raw, fetch, Options{Issuer: localidp.DefaultIssuer})
	if !got.Valid() {
		t.Fatalf("problems %v", got.Problems)
	}
	peeked, err := Peek(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, claims := range map[string]map[string]any{"Verify": got.Claims, "Peek": peeked} {
		b, err := json.Marshal(map[string]any{"owner_id": claims["owner_id"], "ids": claims["ids"], "nested": claims["nested"]})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"ids":[` + big + `,1.25],"nested":{"id":` + big + `},"owner_id":` + big + `}`
		if string(b) != want {
			t.Errorf("%s claims %s, want %s", name, b, want)
		}
		if n, ok := claims["owner_id"].(json.Number); !ok || n.String() != big {
			t.Errorf("%s owner_id = %#v, want json.Number(%s)", name, claims["owner_id"], big)
		}
	}
}
