package localidp

import "strings"

// DefaultIssuer is the issuer served when Config.Issuers is empty.
const DefaultIssuer = "https://idp.test"

// discoverySuffix is appended to the issuer (without its trailing slash) to find the
// discovery document, as OpenID Connect Discovery 1.0 section 4 says.
const discoverySuffix = "/.well-known/openid-configuration"

// DiscoveryURL returns where the discovery document of issuer lives: the issuer
// without a trailing slash, followed by /.well-known/openid-configuration.
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + discoverySuffix
}

// DefaultJWKSURI returns the jwks_uri the Server uses for issuer when IssuerConfig
// names none.
func DefaultJWKSURI(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/jwks.json"
}

// DefaultDocument returns a discovery document that meets every item of AWS's
// documented checklist. Tests copy and edit it to build the variants they need; the
// returned map is new on every call.
func DefaultDocument(issuer, jwksURI string) map[string]any {
	base := strings.TrimSuffix(issuer, "/")
	return map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              jwksURI,
		"authorization_endpoint":                base + "/authorize",
		"token_endpoint":                        base + "/token",
		"response_types_supported":              []any{"id_token", "code"},
		"subject_types_supported":               []any{"public"},
		"id_token_signing_alg_values_supported": []any{"RS256", "ES256"},
		"scopes_supported":                      []any{"openid"},
		"claims_supported":                      []any{"aud", "exp", "iat", "iss", "sub"},
	}
}
