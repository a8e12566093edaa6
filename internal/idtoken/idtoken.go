// Package idtoken checks an OpenID Connect ID token the way STS does before it looks at a
// role's trust policy: the signature against the issuer's published keys, the issuer, the
// audience and the token's lifetime.
package idtoken

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/discovery"
)

// Algorithms STS accepts for ID tokens.
var Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512}

// DefaultLeeway is the clock skew tolerated on exp, nbf and iat.
const DefaultLeeway = 5 * time.Minute

// Code names a reason STS would refuse the token.
type Code string

// The reasons, with the STS error each corresponds to.
const (
	CodeMalformed        Code = "malformed"         // InvalidIdentityToken
	CodeIssuerMismatch   Code = "issuer_mismatch"   // InvalidIdentityToken: No OpenIDConnect provider found
	CodeKeysUnavailable  Code = "keys_unavailable"  // InvalidIdentityToken: Couldn't retrieve verification key
	CodeUnknownKey       Code = "unknown_kid"       // InvalidIdentityToken: Couldn't retrieve verification key
	CodeUnusableKey      Code = "unusable_key"      // InvalidIdentityToken: Couldn't retrieve verification key
	CodeBadSignature     Code = "bad_signature"     // InvalidIdentityToken
	CodeExpired          Code = "expired"           // ExpiredTokenException
	CodeNotYetValid      Code = "not_yet_valid"     // InvalidIdentityToken
	CodeIssuedInFuture   Code = "issued_in_future"  // InvalidIdentityToken
	CodeAudienceMismatch Code = "audience_mismatch" // InvalidIdentityToken: Incorrect token audience
	CodeNoExpiry         Code = "no_expiry"         // InvalidIdentityToken
)

// Problem is one reason STS would refuse the token.
type Problem struct {
	Code    Code
	Message string
}

func (p Problem) String() string { return string(p.Code) + ": " + p.Message }

// Fetcher returns the body at an https URL; the provider passes idpfetch's.
type Fetcher func(ctx context.Context, url string) ([]byte, error)

// Options says what the token must match.
type Options struct {
	// Issuer is the provider URL the caller trusts. The token's iss must name it
	// (see SameIssuer), and the signing keys are read from this issuer only, never
	// from a URL the token names: a token can name any URL, including one whose
	// keys signed it. When empty, no key is fetched and the token is refused as
	// coming from no trusted issuer.
	Issuer string
	// Audiences, when set, are the provider's client IDs; the token's aud must hold one.
	Audiences []string
	// Now defaults to time.Now; Leeway to DefaultLeeway.
	Now    func() time.Time
	Leeway time.Duration
}

// Result is the token's claims (read even when verification fails, so a caller can still
// explain the trust policy) and every problem found. Numbers in Claims are json.Number,
// so identifiers longer than a float64 holds keep every digit.
type Result struct {
	Claims   map[string]any
	KeyID    string
	Problems []Problem
}

// Valid reports whether STS would accept the token itself.
func (r Result) Valid() bool { return len(r.Problems) == 0 }

// Peek reads the claims of raw without verifying anything, to learn which issuer to
// verify it against. Numbers are json.Number.
func Peek(raw string) (map[string]any, error) {
	tok, err := jwt.ParseSigned(strings.TrimSpace(raw), Algorithms)
	if err != nil {
		return nil, err
	}
	return claimsOf(tok)
}

// claimsOf decodes the token's claims with every number kept as written: JSON
// numbers above 2^53 lose digits as float64, and IdPs use such numbers as IDs.
func claimsOf(tok *jwt.JSONWebToken) (map[string]any, error) {
	var payload json.RawMessage
	if err := tok.UnsafeClaimsWithoutVerification(&payload); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		return nil, err
	}
	if claims == nil {
		return nil, errors.New("the claims are not a JSON object")
	}
	return claims, nil
}

// googleIssuers are the two spellings of Google's issuer: Google writes iss with or
// without the scheme, and STS accepts both for the built-in accounts.google.com.
var googleIssuers = []string{"https://accounts.google.com", "accounts.google.com"}

// SameIssuer reports whether a token's iss names the issuer URL, as STS matches them:
// exactly (case and trailing slash count), except that Google's two spellings are one.
func SameIssuer(iss, issuer string) bool {
	if iss == issuer {
		return true
	}
	return slices.Contains(googleIssuers, iss) && slices.Contains(googleIssuers, issuer)
}

// Verify checks raw. It fetches the discovery document and JWKS of opts.Issuer, and of
// no other issuer, through fetch.
func Verify(ctx context.Context, raw string, fetch Fetcher, opts Options) Result {
	var res Result
	add := res.add
	tok, err := jwt.ParseSigned(strings.TrimSpace(raw), Algorithms)
	if err != nil {
		add(CodeMalformed, "the token is not a signed JWT with an algorithm STS accepts (RS256/384/512, ES256/384/512): %v", err)
		return res
	}
	if res.Claims, err = claimsOf(tok); err != nil {
		add(CodeMalformed, "the token's claims cannot be read: %v", err)
		return res
	}
	var std jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&std); err != nil {
		add(CodeMalformed, "the token's registered claims (iss, aud, exp, nbf, iat) have the wrong types: %v", err)
		return res
	}
	if len(tok.Headers) > 0 {
		res.KeyID = tok.Headers[0].KeyID
	}

	switch {
	case opts.Issuer == "":
		add(CodeIssuerMismatch, "the token's iss %q is not the URL of a provider trusted here; STS would find no OpenID Connect provider for it. "+
			"Its signing keys were not read: they would come from a URL the token itself names", std.Issuer)
	case !SameIssuer(std.Issuer, opts.Issuer):
		hint := ""
		if strings.TrimSuffix(std.Issuer, "/") == strings.TrimSuffix(opts.Issuer, "/") {
			hint = " (they differ only by a trailing slash, which makes them different issuers)"
		}
		add(CodeIssuerMismatch, "the token's iss %q is not the trusted provider's URL %q%s; STS would find no OpenID Connect provider for it", std.Issuer, opts.Issuer, hint)
	}
	res.checkTimes(std, opts)
	if len(opts.Audiences) > 0 && !slices.ContainsFunc(std.Audience, func(a string) bool { return slices.Contains(opts.Audiences, a) }) {
		add(CodeAudienceMismatch, "the token's aud %q holds none of the provider's client IDs %q; STS would answer \"Incorrect token audience\"", []string(std.Audience), opts.Audiences)
	}
	if opts.Issuer != "" {
		res.checkSignature(ctx, tok, opts.Issuer, fetch)
	}
	return res
}

func (r *Result) add(c Code, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Code: c, Message: fmt.Sprintf(format, args...)})
}

func (r *Result) checkTimes(c jwt.Claims, opts Options) {
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	leeway := opts.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	}
	if c.Expiry == nil {
		r.add(CodeNoExpiry, "the token has no exp claim; STS refuses tokens without one")
	} else if exp := c.Expiry.Time(); now.After(exp.Add(leeway)) {
		r.add(CodeExpired, "the token expired at %s (%s ago)", exp.UTC().Format(time.RFC3339), now.Sub(exp).Round(time.Second))
	}
	if c.NotBefore != nil {
		if nbf := c.NotBefore.Time(); now.Add(leeway).Before(nbf) {
			r.add(CodeNotYetValid, "the token is not valid before %s (in %s)", nbf.UTC().Format(time.RFC3339), nbf.Sub(now).Round(time.Second))
		}
	}
	if c.IssuedAt != nil {
		if iat := c.IssuedAt.Time(); now.Add(leeway).Before(iat) {
			r.add(CodeIssuedInFuture, "the token was issued at %s, in the future; check the IdP's clock", iat.UTC().Format(time.RFC3339))
		}
	}
}

// checkSignature verifies the signature with the keys issuer publishes, using only keys
// STS would use for it: "use" absent or "sig", and "alg" absent or the token's own.
func (r *Result) checkSignature(ctx context.Context, tok *jwt.JSONWebToken, issuer string, fetch Fetcher) {
	keys, err := issuerKeys(ctx, issuer, fetch)
	if err != nil {
		r.add(CodeKeysUnavailable, "the signing keys of %s cannot be read: %v", issuer, err)
		return
	}
	alg := ""
	if len(tok.Headers) > 0 {
		alg = tok.Headers[0].Algorithm
	}
	published := keys.Keys
	if r.KeyID != "" {
		published = keys.Key(r.KeyID)
		if len(published) == 0 {
			r.add(CodeUnknownKey, "the token's kid %q is not among the %d key(s) the issuer publishes; STS would answer \"Couldn't retrieve verification key from your identity provider\"", r.KeyID, len(keys.Keys))
			return
		}
	}
	var candidates []jose.JSONWebKey
	var refused []string
	for _, k := range published {
		if why := unusableFor(k, alg); why != "" {
			refused = append(refused, why)
			continue
		}
		candidates = append(candidates, k)
	}
	if len(candidates) == 0 {
		which := "none of the issuer's keys"
		if r.KeyID != "" {
			which = fmt.Sprintf("the key with the token's kid %q", r.KeyID)
		}
		r.add(CodeUnusableKey, "%s can verify a %s signature: %s; STS would answer \"Couldn't retrieve verification key from your identity provider\"",
			which, alg, strings.Join(refused, "; "))
		return
	}
	for _, k := range candidates {
		var out json.RawMessage
		if err := tok.Claims(k.Public().Key, &out); err == nil {
			return
		}
	}
	r.add(CodeBadSignature, "the token's signature does not verify with the issuer's published key(s); it was not signed by %s or was altered", issuer)
}

// unusableFor says why STS would not verify an alg signature with k, or "" when it would.
func unusableFor(k jose.JSONWebKey, alg string) string {
	name := "a key"
	if k.KeyID != "" {
		name = fmt.Sprintf("key %q", k.KeyID)
	}
	switch {
	case k.Use != "" && k.Use != "sig":
		return fmt.Sprintf("%s is published for use %q, not \"sig\"", name, k.Use)
	case k.Algorithm != "" && k.Algorithm != alg:
		return fmt.Sprintf("%s is published for alg %q, the token is signed with %q", name, k.Algorithm, alg)
	}
	return ""
}

func issuerKeys(ctx context.Context, issuer string, fetch Fetcher) (*jose.JSONWebKeySet, error) {
	body, err := fetch(ctx, discovery.DocumentURL(issuer))
	if err != nil {
		return nil, err
	}
	doc, err := discovery.ParseDocument(body)
	if err != nil {
		return nil, err
	}
	if doc.JWKSURI == "" {
		return nil, errors.New("the discovery document has no jwks_uri")
	}
	body, err = fetch(ctx, doc.JWKSURI)
	if err != nil {
		return nil, err
	}
	if _, err := discovery.ParseJWKS(body); err != nil {
		return nil, err
	}
	return usableKeys(body)
}

// usableKeys reads each key of a JWKS on its own, so one key go-jose cannot read does not
// hide the others, as it would when decoding the set whole.
func usableKeys(body []byte) (*jose.JSONWebKeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	set := &jose.JSONWebKeySet{}
	for _, k := range raw.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(k, &key) == nil && key.Valid() {
			set.Keys = append(set.Keys, key)
		}
	}
	return set, nil
}
