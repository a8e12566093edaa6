package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func FuzzParseDocument(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "idp", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed documents in testdata/idp: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "null", "[]", "{}", "<html></html>", `{"issuer":1}`, `{"issuer":"https://a/\u00e9"}`,
		`{"issuer":"https://a","issuer":"https://b"}`, `{"claims_supported":[null,"sub"]}`,
		"{\"issuer\":\"\xff\xfe\"}", `{"issuer":"https://x:0/?#"}`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := ParseDocument(body)
		if err != nil {
			if doc != nil {
				t.Fatal("ParseDocument returned a document and an error")
			}
			if !strings.HasPrefix(err.Error(), "discovery document: expected a JSON object, found ") {
				t.Fatalf("error does not say what was expected and found: %v", err)
			}
			return
		}
		if !bytes.Equal(doc.Raw, body) {
			t.Fatal("Raw differs from the body read")
		}

		// The issuer survives being written out and read back unchanged,
		// and so does every other member the document held.
		again, err := ParseDocument(reserialize(t, doc))
		if err != nil {
			t.Fatalf("re-serialized document does not parse: %v", err)
		}
		if again.Issuer != doc.Issuer {
			t.Fatalf("issuer changed on re-serialization: %q became %q", doc.Issuer, again.Issuer)
		}
		again.Raw, again.Malformed = doc.Raw, doc.Malformed
		if !reflect.DeepEqual(again, doc) {
			t.Fatalf("document changed on re-serialization:\n%+v\n%+v", doc, again)
		}

		_, _ = doc.JWKSHost()
		_, _ = doc.IssuerHost()
		v := Check(doc.Issuer, doc, nil, nil)
		if v.AWSCompatible != (len(v.Problems) == 0) {
			t.Fatalf("AWSCompatible = %v with problems %v", v.AWSCompatible, v.Problems)
		}
		for _, fd := range append(v.Problems, v.Warnings...) {
			if fd.Code == "" || fd.Message == "" {
				t.Fatalf("finding without code or message: %+v", fd)
			}
		}
		_ = DocumentURL(doc.Issuer)
	})
}

// reserialize writes the members Document holds back out as JSON.
func reserialize(t *testing.T, d *Document) []byte {
	t.Helper()
	m := map[string]any{}
	put := func(name string, present bool, v any) {
		if present {
			m[name] = v
		}
	}
	put(FieldIssuer, d.Issuer != "", d.Issuer)
	put(FieldJWKSURI, d.JWKSURI != "", d.JWKSURI)
	put(FieldAuthorizationEndpoint, d.AuthorizationEndpoint != "", d.AuthorizationEndpoint)
	put(FieldTokenEndpoint, d.TokenEndpoint != "", d.TokenEndpoint)
	put(FieldClaimsSupported, d.ClaimsSupported != nil, d.ClaimsSupported)
	put(FieldResponseTypesSupported, d.ResponseTypesSupported != nil, d.ResponseTypesSupported)
	put(FieldSubjectTypesSupported, d.SubjectTypesSupported != nil, d.SubjectTypesSupported)
	put(FieldIDTokenSigningAlgValuesSupported, d.IDTokenSigningAlgValuesSupported != nil, d.IDTokenSigningAlgValuesSupported)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

func FuzzParseJWKS(f *testing.F) {
	loadTestKeys(f)
	f.Add(rsaJWKS(f))
	f.Add(jwksJSON(f,
		jwkJSON(f, &testP256.PublicKey, "ec", "ES256", "sig"),
		jwkJSON(f, testEd25519.Public(), "ed", "EdDSA", ""),
		jwkJSON(f, []byte("secretsecretsecretsecret"), "oct", "HS256", ""),
		json.RawMessage(`{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`),
		json.RawMessage(`7`),
	))
	for _, s := range []string{"", "{}", `{"keys":null}`, `{"keys":[]}`, `{"keys":[{}]}`, "<html>", `{"keys":[{"kty":"RSA","n":"","e":""}]}`} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		set, err := ParseJWKS(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedJWKS) {
				t.Fatalf("error does not wrap ErrMalformedJWKS: %v", err)
			}
			v := Check("https://idp.example.com", baseDoc(), nil, err)
			if v.AWSCompatible || len(v.Problems) != 1 || v.Problems[0].Code != CodeJWKSInvalid {
				t.Fatalf("a malformed JWKS gave %+v, want one jwks_invalid problem", v)
			}
			return
		}
		// A map, not a struct: encoding/json matches struct fields without
		// regard to case, and "Keys" is not "keys".
		var outer map[string]json.RawMessage
		var members []json.RawMessage
		if json.Unmarshal(body, &outer) != nil || json.Unmarshal(outer["keys"], &members) != nil {
			t.Fatalf("ParseJWKS accepted a body without a \"keys\" array: %q", body)
		}
		if len(set.Keys) != len(members) {
			t.Fatalf("got %d key summaries for %d members", len(set.Keys), len(members))
		}
		for i, k := range set.Keys {
			if k.UsableByAWS == (k.Reason != "") {
				t.Fatalf("key %d: UsableByAWS %v with reason %q", i, k.UsableByAWS, k.Reason)
			}
			if k.UsableByAWS && k.KeyType != "RSA" && k.KeyType != "EC" {
				t.Fatalf("key %d of type %q judged usable", i, k.KeyType)
			}
		}
		v := Check("https://idp.example.com", baseDoc(), set, nil)
		if v.AWSCompatible != (len(set.Keys) > 0 && set.UsableByAWS()) {
			t.Fatalf("AWSCompatible = %v for keys %+v", v.AWSCompatible, set.Keys)
		}
	})
}
