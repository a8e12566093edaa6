// Package idtoken checks an OpenID Connect ID token the way STS does before it looks at a
// role's trust policy: the signature against the issuer's published keys, the issuer, the
// audience and the token's lifetime.
package idtoken

import (
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
	// Issuer, when set, is the provider URL the token must come from, exactly.
	Issuer string
	// Audiences, when set, are the provider's client IDs; the token's aud must hold one.
	Audiences []string
	// Now defaults to time.Now; Leeway to DefaultLeeway.
	Now    func() time.Time
	Leeway time.Duration
}

// Result is the token's claims (read even when verification fails, so a caller can still
// explain the trust policy) and every problem found.
type Result struct {
	Claims   map[string]any
	KeyID    string
	Problems []Problem
}

// Valid reports whether STS would accept the token itself.
func (r Result) Valid() bool { return len(r.Problems) == 0 }

// Peek reads the claims of raw without verifying anything, to learn which issuer to
// verify it against.
func Peek(raw string) (map[string]any, error) {
	tok, err := jwt.ParseSigned(strings.TrimSpace(raw), Algorithms)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, tok.UnsafeClaimsWithoutVerification(&claims)
}

// Verify checks raw. It fetches the issuer's discovery document and JWKS through fetch.
func Verify(ctx context.Context, raw string, fetch Fetcher, opts Options) Result {
	var res Result
	add := res.add
	tok, err := jwt.ParseSigned(strings.TrimSpace(raw), Algorithms)
	if err != nil {
		add(CodeMalformed, "the token is not a signed JWT with an algorithm STS accepts (RS256/384/512, ES256/384/512): %v", err)
		return res
	}
	if err := tok.UnsafeClaimsWithoutVerification(&res.Claims); err != nil {
		add(CodeMalformed, "the token's claims cannot be read: %v", err)
		return res
	}
	var std jwt.Claims
	_ = tok.UnsafeClaimsWithoutVerification(&std)
	if len(tok.Headers) > 0 {
		res.KeyID = tok.Headers[0].KeyID
	}

	if opts.Issuer != "" && std.Issuer != opts.Issuer {
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
	res.checkSignature(ctx, tok, std.Issuer, fetch)
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

func (r *Result) checkSignature(ctx context.Context, tok *jwt.JSONWebToken, issuer string, fetch Fetcher) {
	if issuer == "" {
		r.add(CodeKeysUnavailable, "the token has no iss claim, so there is no issuer to read signing keys from")
		return
	}
	keys, err := issuerKeys(ctx, issuer, fetch)
	if err != nil {
		r.add(CodeKeysUnavailable, "the issuer's signing keys cannot be read: %v", err)
		return
	}
	var candidates []jose.JSONWebKey
	if r.KeyID != "" {
		candidates = keys.Key(r.KeyID)
		if len(candidates) == 0 {
			r.add(CodeUnknownKey, "the token's kid %q is not among the %d key(s) the issuer publishes; STS would answer \"Couldn't retrieve verification key from your identity provider\"", r.KeyID, len(keys.Keys))
			return
		}
	} else {
		candidates = keys.Keys
	}
	for _, k := range candidates {
		var out map[string]any
		if err := tok.Claims(k.Public().Key, &out); err == nil {
			return
		}
	}
	r.add(CodeBadSignature, "the token's signature does not verify with the issuer's published key(s); it was not signed by %s or was altered", issuer)
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
