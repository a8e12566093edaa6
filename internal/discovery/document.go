package discovery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// WellKnownPath is where an issuer publishes its discovery document
// (OpenID Connect Discovery 1.0, section 4).
const WellKnownPath = "/.well-known/openid-configuration"

// Names of the discovery document members this package reads.
const (
	FieldIssuer                           = "issuer"
	FieldJWKSURI                          = "jwks_uri"
	FieldAuthorizationEndpoint            = "authorization_endpoint"
	FieldTokenEndpoint                    = "token_endpoint"
	FieldClaimsSupported                  = "claims_supported"
	FieldResponseTypesSupported           = "response_types_supported"
	FieldSubjectTypesSupported            = "subject_types_supported"
	FieldIDTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
)

// Document is the part of an OpenID discovery document that matters to AWS.
//
// A list member that is absent or null is nil; one published as [] is an
// empty, non-nil slice, so callers can tell "not published" from "empty".
type Document struct {
	Issuer                           string
	JWKSURI                          string
	AuthorizationEndpoint            string
	TokenEndpoint                    string
	ClaimsSupported                  []string
	ResponseTypesSupported           []string
	SubjectTypesSupported            []string
	IDTokenSigningAlgValuesSupported []string

	// Raw is the document exactly as it was read.
	Raw []byte

	// Malformed lists the members this package reads whose JSON type is
	// wrong (for example a claims_supported that is a string). Each such
	// member is left at its zero value and Check reports it.
	Malformed []FieldError
}

// FieldError records a discovery document member of the wrong JSON type.
type FieldError struct {
	Field    string // member name, e.g. "claims_supported"
	Expected string // "a string" or "an array of strings"
	Found    string // what the document holds instead, e.g. "a number"
}

func (e FieldError) Error() string {
	return fmt.Sprintf("discovery document member %q: expected %s, found %s", e.Field, e.Expected, e.Found)
}

// DocumentURL returns where the discovery document of issuer is published:
// the issuer without a trailing slash, then /.well-known/openid-configuration.
// The slash is dropped only to build this URL; the issuer itself is still
// compared exactly as written.
func DocumentURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + WellKnownPath
}

// ParseDocument reads a discovery document. It fails only when the body is
// not a JSON object, and then says what came back instead (HTML, an empty
// body, a JSON array, …). Unknown members are ignored; known members of the
// wrong type are recorded in Document.Malformed rather than failing, so one
// odd optional member does not hide everything else the document says.
func ParseDocument(body []byte) (*Document, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil || members == nil {
		return nil, fmt.Errorf("discovery document: expected a JSON object, found %s", describeBody(body))
	}

	doc := &Document{Raw: bytes.Clone(body)}
	strs := []struct {
		name string
		dst  *string
	}{
		{FieldIssuer, &doc.Issuer},
		{FieldJWKSURI, &doc.JWKSURI},
		{FieldAuthorizationEndpoint, &doc.AuthorizationEndpoint},
		{FieldTokenEndpoint, &doc.TokenEndpoint},
	}
	for _, s := range strs {
		raw, ok := members[s.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, s.dst); err != nil {
			*s.dst = ""
			doc.Malformed = append(doc.Malformed, FieldError{Field: s.name, Expected: "a string", Found: jsonKind(raw)})
		}
	}
	lists := []struct {
		name string
		dst  *[]string
	}{
		{FieldClaimsSupported, &doc.ClaimsSupported},
		{FieldResponseTypesSupported, &doc.ResponseTypesSupported},
		{FieldSubjectTypesSupported, &doc.SubjectTypesSupported},
		{FieldIDTokenSigningAlgValuesSupported, &doc.IDTokenSigningAlgValuesSupported},
	}
	for _, l := range lists {
		raw, ok := members[l.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, l.dst); err != nil {
			*l.dst = nil
			found := jsonKind(raw)
			if found == "an array" {
				found = "an array with a member that is not a string"
			}
			doc.Malformed = append(doc.Malformed, FieldError{Field: l.name, Expected: "an array of strings", Found: found})
		}
	}
	return doc, nil
}

// malformed reports whether the named member had the wrong JSON type.
func (d *Document) malformed(field string) (FieldError, bool) {
	for _, m := range d.Malformed {
		if m.Field == field {
			return m, true
		}
	}
	return FieldError{}, false
}

// JWKSHost returns the host of jwks_uri: the host AWS connects to for the
// signing keys and whose certificate chain gives the thumbprint. It is
// lower-cased and keeps a port only when jwks_uri writes one.
func (d *Document) JWKSHost() (string, error) {
	return urlHost(FieldJWKSURI, d.JWKSURI)
}

// IssuerHost returns the host of the document's issuer, in the same form as
// JWKSHost, so a caller can tell whether AWS checks one host or two.
func (d *Document) IssuerHost() (string, error) {
	return urlHost(FieldIssuer, d.Issuer)
}

func urlHost(field, raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("discovery document has no %s", field)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s %q is not a URL: %v", field, raw, err)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%s %q has no host: expected an absolute https URL", field, raw)
	}
	return strings.ToLower(u.Host), nil
}
