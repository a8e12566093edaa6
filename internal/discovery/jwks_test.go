package discovery

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseJWKS_judgesEachKeyForAWS(t *testing.T) {
	loadTestKeys(t)
	cases := []struct {
		name       string
		key        json.RawMessage
		wantKty    string
		wantUsable bool
		wantReason string // substring of Reason when not usable
		wantPriv   bool
	}{
		{"RSA without alg or use", jwkJSON(t, &testRSA.PublicKey, "a", "", ""), "RSA", true, "", false},
		{"RSA RS256 sig", jwkJSON(t, &testRSA.PublicKey, "a", "RS256", "sig"), "RSA", true, "", false},
		{"RSA RS512", jwkJSON(t, &testRSA.PublicKey, "a", "RS512", ""), "RSA", true, "", false},
		{"RSA PS256 is not an algorithm STS verifies", jwkJSON(t, &testRSA.PublicKey, "a", "PS256", "sig"), "RSA", false, `alg "PS256" does not fit this RSA key, which STS verifies only as RS256, RS384, RS512`, false},
		{"RSA for encryption", jwkJSON(t, &testRSA.PublicKey, "a", "RSA-OAEP", "enc"), "RSA", false, `use is "enc"`, false},
		{"EC P-256 ES256", jwkJSON(t, &testP256.PublicKey, "a", "ES256", "sig"), "EC", true, "", false},
		{"EC P-384 without alg", jwkJSON(t, &testP384.PublicKey, "a", "", ""), "EC", true, "", false},
		{"EC P-521 ES512", jwkJSON(t, &testP521.PublicKey, "a", "ES512", ""), "EC", true, "", false},
		{"EC P-256 labelled ES384", jwkJSON(t, &testP256.PublicKey, "a", "ES384", ""), "EC", false, `alg "ES384" does not fit this EC P-256 key, which STS verifies only as ES256`, false},
		{"Ed25519", jwkJSON(t, testEd25519.Public(), "a", "EdDSA", "sig"), "OKP", false, "Ed25519 (EdDSA) keys are not supported", false},
		{"symmetric key", jwkJSON(t, []byte("0123456789abcdef0123456789abcdef"), "a", "HS256", ""), "oct", false, "symmetric (oct) key", true},
		{"RSA private key is usable but exposed", jwkJSON(t, testRSA, "a", "RS256", "sig"), "RSA", true, "", true},
		{"EC curve STS does not verify", json.RawMessage(`{"kty":"EC","crv":"secp256k1","kid":"a","x":"AA","y":"AA"}`), "EC", false, `EC curve "secp256k1"`, false},
		{"missing kty", json.RawMessage(`{"kid":"a","n":"AQAB","e":"AQAB"}`), "", false, "missing json web key type", false},
		{"RSA without modulus", json.RawMessage(`{"kty":"RSA","kid":"a","e":"AQAB"}`), "RSA", false, "missing n/e", false},
		{"unknown key type", json.RawMessage(`{"kty":"XYZ","kid":"a"}`), "XYZ", false, `key type "XYZ"`, false},
		{"not an object", json.RawMessage(`"just a string"`), "", false, "not a JSON object (found a string)", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := ParseJWKS(jwksJSON(t, tc.key))
			if err != nil {
				t.Fatalf("ParseJWKS: %v", err)
			}
			if len(set.Keys) != 1 {
				t.Fatalf("got %d keys, want 1", len(set.Keys))
			}
			k := set.Keys[0]
			if k.KeyType != tc.wantKty {
				t.Errorf("KeyType = %q, want %q", k.KeyType, tc.wantKty)
			}
			if k.UsableByAWS != tc.wantUsable {
				t.Errorf("UsableByAWS = %v, want %v (reason %q)", k.UsableByAWS, tc.wantUsable, k.Reason)
			}
			if tc.wantUsable && k.Reason != "" {
				t.Errorf("usable key has Reason %q", k.Reason)
			}
			if !tc.wantUsable && !strings.Contains(k.Reason, tc.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", k.Reason, tc.wantReason)
			}
			if k.Private != tc.wantPriv {
				t.Errorf("Private = %v, want %v", k.Private, tc.wantPriv)
			}
			if set.UsableByAWS() != tc.wantUsable {
				t.Errorf("KeySet.UsableByAWS = %v, want %v", set.UsableByAWS(), tc.wantUsable)
			}
		})
	}
}

func TestParseJWKS_keepsUnusableKeysBesideUsableOnes(t *testing.T) {
	loadTestKeys(t)
	body := jwksJSON(t,
		json.RawMessage(`{"kty":"RSA","kid":"broken","alg":"RS256","use":"sig"}`),
		jwkJSON(t, &testRSA.PublicKey, "good", "RS256", "sig"),
		jwkJSON(t, &testP256.PublicKey, "ec", "ES256", "sig"),
	)
	set, err := ParseJWKS(body)
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	want := []Key{
		{KeyID: "broken", KeyType: "RSA", Algorithm: "RS256", Use: "sig"},
		{KeyID: "good", KeyType: "RSA", Algorithm: "RS256", Use: "sig", UsableByAWS: true},
		{KeyID: "ec", KeyType: "EC", Algorithm: "ES256", Use: "sig", Curve: "P-256", UsableByAWS: true},
	}
	if len(set.Keys) != len(want) {
		t.Fatalf("got %d keys, want %d", len(set.Keys), len(want))
	}
	for i, w := range want {
		got := set.Keys[i]
		got.Reason = ""
		if got != w {
			t.Errorf("key %d = %+v, want %+v", i, got, w)
		}
	}
	if set.Keys[0].Reason == "" {
		t.Error("the broken key has no Reason")
	}
	if !set.UsableByAWS() {
		t.Error("KeySet.UsableByAWS = false, want true")
	}
	if string(set.Raw) != string(body) {
		t.Error("Raw does not hold the key set as read")
	}
}

func TestParseJWKS_emptyKeysIsNotAnError(t *testing.T) {
	set, err := ParseJWKS([]byte(`{"keys":[]}`))
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	if len(set.Keys) != 0 || set.UsableByAWS() {
		t.Errorf("got %+v, want no keys and nothing usable", set)
	}
}

func TestParseJWKS_rejectsWhatIsNotAKeySet(t *testing.T) {
	cases := []struct {
		name string
		body string
		want string
	}{
		{"HTML error page", "<!DOCTYPE html><html><body>Bad gateway</body></html>", "looks like HTML, starting \"<!DOCTYPE html>"},
		{"empty body", "", "found an empty body"},
		{"invalid JSON", `{"keys": [`, "invalid JSON (unexpected end of JSON input"},
		{"array", `[{"kty":"RSA"}]`, "found a JSON array"},
		{"null", `null`, "found JSON null"},
		{"object without keys", `{"key":[]}`, `an object without "keys"`},
		{"keys is an object", `{"keys":{}}`, `expected "keys" to be an array, found an object`},
		{"keys is null", `{"keys":null}`, `expected "keys" to be an array, found null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseJWKS([]byte(tc.body))
			if err == nil {
				t.Fatal("ParseJWKS succeeded, want an error")
			}
			if !errors.Is(err, ErrMalformedJWKS) {
				t.Errorf("error %v does not wrap ErrMalformedJWKS", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
