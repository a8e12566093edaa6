package discovery

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// ErrMalformedJWKS is wrapped by every ParseJWKS error, so Check can tell a
// key set that came back broken from one that could not be fetched.
var ErrMalformedJWKS = errors.New("malformed JWKS")

// Algorithms STS verifies ID token signatures with.
var awsAlgorithms = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}

// KeySet summarises a JSON Web Key Set.
type KeySet struct {
	// Keys lists every member of "keys" in order, including those that
	// could not be read or that AWS cannot use.
	Keys []Key
	// Raw is the key set exactly as it was read.
	Raw []byte
}

// Key summarises one member of a key set.
type Key struct {
	KeyID     string // kid
	KeyType   string // kty
	Algorithm string // alg
	Use       string // use
	Curve     string // crv, for EC and OKP keys
	// UsableByAWS is true when STS can verify ID token signatures with
	// this key: an RSA key for RS256/384/512, or an EC P-256/P-384/P-521
	// key for ES256/384/512, with use absent or "sig".
	UsableByAWS bool
	// Reason says why the key is not usable; empty when it is.
	Reason string
	// Private is true when the key set publishes private or symmetric key
	// material for this key, which lets anyone who reads it sign tokens.
	Private bool
}

// UsableByAWS reports whether STS can verify signatures with any key.
func (s *KeySet) UsableByAWS() bool {
	for _, k := range s.Keys {
		if k.UsableByAWS {
			return true
		}
	}
	return false
}

// rawKeyHeader holds the descriptive members of a JWK, read leniently so a
// key that cannot be used is still described by what it claims to be.
type rawKeyHeader struct {
	Kid, Kty, Alg, Use, Crv string
}

// ParseJWKS reads a JSON Web Key Set. The body must be a JSON object with a
// "keys" array; otherwise the error wraps ErrMalformedJWKS and says what came
// back. Individual keys that cannot be read are kept in the result with
// UsableByAWS false and a Reason, as RFC 7517 section 5 asks of readers.
func ParseJWKS(body []byte) (*KeySet, error) {
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(body, &outer); err != nil || outer == nil {
		return nil, fmt.Errorf("%w: expected a JSON object with a \"keys\" array, found %s", ErrMalformedJWKS, describeBody(body))
	}
	rawKeys, ok := outer["keys"]
	if !ok {
		return nil, fmt.Errorf("%w: expected a JSON object with a \"keys\" array, found an object without \"keys\"", ErrMalformedJWKS)
	}
	var members []json.RawMessage
	if err := json.Unmarshal(rawKeys, &members); err != nil || members == nil {
		return nil, fmt.Errorf("%w: expected \"keys\" to be an array, found %s", ErrMalformedJWKS, jsonKind(rawKeys))
	}

	set := &KeySet{Keys: make([]Key, 0, len(members)), Raw: bytes.Clone(body)}
	for _, m := range members {
		set.Keys = append(set.Keys, summariseKey(m))
	}
	return set, nil
}

func summariseKey(raw json.RawMessage) Key {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return Key{Reason: fmt.Sprintf("the key is not a JSON object (found %s)", jsonKind(raw))}
	}
	var h rawKeyHeader
	for name, dst := range map[string]*string{"kid": &h.Kid, "kty": &h.Kty, "alg": &h.Alg, "use": &h.Use, "crv": &h.Crv} {
		if v, ok := fields[name]; ok {
			_ = json.Unmarshal(v, dst) // a non-string member reads as empty
		}
	}
	k := Key{KeyID: h.Kid, KeyType: h.Kty, Algorithm: h.Alg, Use: h.Use, Curve: h.Crv}
	for _, name := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "priv"} {
		if _, ok := fields[name]; ok {
			k.Private = true
		}
	}

	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			k.Reason = unsupportedReason(h)
		} else {
			k.Reason = "the key cannot be read: " + strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
		}
		return k
	}
	k.Reason = awsUsability(jwk, h)
	k.UsableByAWS = k.Reason == ""
	return k
}

// unsupportedReason explains a key the JOSE library declined to read.
func unsupportedReason(h rawKeyHeader) string {
	switch h.Kty {
	case "EC":
		return fmt.Sprintf("EC curve %q is not one STS verifies with (P-256, P-384 or P-521)", h.Crv)
	case "RSA":
		return fmt.Sprintf("the RSA modulus is larger than the %d bits this check reads", jose.MaxRSAModulusBits)
	case "OKP":
		return fmt.Sprintf("OKP curve %q is not one STS verifies with; STS verifies RS256/384/512 and ES256/384/512", h.Crv)
	}
	return fmt.Sprintf("key type %q is not one STS verifies with (RSA, or EC on P-256, P-384 or P-521)", h.Kty)
}

// awsUsability returns why STS cannot verify with the key, or "" if it can.
func awsUsability(jwk jose.JSONWebKey, h rawKeyHeader) string {
	if h.Use != "" && h.Use != "sig" {
		return fmt.Sprintf("use is %q; STS verifies only with keys whose use is \"sig\" or absent", h.Use)
	}
	var allowed []string
	switch key := jwk.Key.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		allowed = []string{"RS256", "RS384", "RS512"}
	case *ecdsa.PublicKey:
		allowed = ecAlgorithm(key.Curve.Params().Name)
	case *ecdsa.PrivateKey:
		allowed = ecAlgorithm(key.Curve.Params().Name)
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "Ed25519 (EdDSA) keys are not supported by STS, which verifies RS256/384/512 and ES256/384/512"
	case []byte:
		return "a symmetric (oct) key cannot verify tokens for STS, which verifies RS256/384/512 and ES256/384/512"
	default:
		return fmt.Sprintf("key type %q is not one STS verifies with (RSA, or EC on P-256, P-384 or P-521)", h.Kty)
	}
	if len(allowed) == 0 {
		return fmt.Sprintf("EC curve %q is not one STS verifies with (P-256, P-384 or P-521)", h.Crv)
	}
	if h.Alg == "" {
		return ""
	}
	for _, a := range allowed {
		if h.Alg == a {
			return ""
		}
	}
	kind := h.Kty
	if h.Crv != "" {
		kind += " " + h.Crv
	}
	return fmt.Sprintf("alg %q does not fit this %s key, which STS verifies only as %s", h.Alg, kind, strings.Join(allowed, ", "))
}

func ecAlgorithm(curve string) []string {
	switch curve {
	case "P-256":
		return []string{"ES256"}
	case "P-384":
		return []string{"ES384"}
	case "P-521":
		return []string{"ES512"}
	}
	return nil
}
