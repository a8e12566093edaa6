package discovery

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// Test keys are generated once: RSA generation is slow enough to matter
// when many tests and the fuzz seeds need a key.
var (
	testKeysOnce sync.Once
	testRSA      *rsa.PrivateKey
	testP256     *ecdsa.PrivateKey
	testP384     *ecdsa.PrivateKey
	testP521     *ecdsa.PrivateKey
	testEd25519  ed25519.PrivateKey
)

func loadTestKeys(t testing.TB) {
	t.Helper()
	testKeysOnce.Do(func() {
		var err error
		if testRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if testP256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if testP384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
		if testP521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader); err != nil {
			panic(err)
		}
		if _, testEd25519, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
}

// jwkJSON serialises key as a JWK with the given kid, alg and use.
func jwkJSON(t testing.TB, key any, kid, alg, use string) json.RawMessage {
	t.Helper()
	b, err := jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: use}.MarshalJSON()
	if err != nil {
		t.Fatalf("marshal test JWK: %v", err)
	}
	return b
}

// jwksJSON wraps raw JWK members into a key set document.
func jwksJSON(t testing.TB, keys ...json.RawMessage) []byte {
	t.Helper()
	if keys == nil {
		keys = []json.RawMessage{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatalf("marshal test JWKS: %v", err)
	}
	return b
}

// rsaJWKS is a typical IdP key set: one RSA signing key for RS256.
func rsaJWKS(t testing.TB) []byte {
	t.Helper()
	loadTestKeys(t)
	return jwksJSON(t, jwkJSON(t, &testRSA.PublicKey, "rsa-1", "RS256", "sig"))
}
