package localidp_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

func fetchJWKSBody(t *testing.T, body []byte) jose.JSONWebKeySet {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("JWKS does not parse: %v\n%s", err, body)
	}
	return set
}

// verify checks token against the keys the server publishes over HTTPS, the way an
// STS-like verifier would: pick the key by kid, check the signature.
func verify(t *testing.T, s *localidp.Server, token string) (claims map[string]any, kid string, err error) {
	t.Helper()
	_, body := get(t, s, localidp.DefaultJWKSURI(s.Issuer()))
	set := fetchJWKSBody(t, body)
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("token does not parse: %v", err)
	}
	kid = tok.Headers[0].KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		return nil, kid, errNoKey
	}
	err = tok.Claims(keys[0].Key, &claims)
	return claims, kid, err
}

var errNoKey = errors.New("the JWKS publishes no key with this kid")

func TestMintToken_verifiesAgainstTheServedJWKS(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	cases := []struct {
		name    string
		opts    localidp.TokenOptions
		wantKid string
		wantAlg string
	}{
		{"RS256 default", localidp.TokenOptions{}, localidp.RSAKeyID, "RS256"},
		{"ES256", localidp.TokenOptions{Algorithm: "ES256"}, localidp.ECKeyID, "ES256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token, err := s.MintToken(nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			claims, kid, err := verify(t, s, token)
			if err != nil {
				t.Fatalf("signature does not verify: %v", err)
			}
			if kid != tc.wantKid {
				t.Errorf("kid %q, want %q", kid, tc.wantKid)
			}
			if claims["iss"] != s.Issuer() || claims["aud"] != localidp.DefaultAudience || claims["sub"] != localidp.DefaultSubject {
				t.Errorf("default claims iss=%v aud=%v sub=%v", claims["iss"], claims["aud"], claims["sub"])
			}
			exp, iat := claims["exp"].(float64), claims["iat"].(float64)
			if exp-iat != localidp.DefaultTokenTTL.Seconds() || claims["nbf"] != claims["iat"] {
				t.Errorf("exp-iat = %v, nbf = %v, iat = %v", exp-iat, claims["nbf"], claims["iat"])
			}
			tok, _ := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
			if tok.Headers[0].Algorithm != tc.wantAlg {
				t.Errorf("alg %q, want %q", tok.Headers[0].Algorithm, tc.wantAlg)
			}
		})
	}
}

func TestMintToken_claimsOverrideAndRemoveDefaults(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	iat := time.Unix(1_700_000_000, 0)
	token, err := s.MintToken(map[string]any{
		"aud": []string{"a", "b"},
		"nbf": nil,
		"amr": []string{"mfa", "pwd"},
	}, localidp.TokenOptions{Subject: "repo:org/app:ref:refs/heads/main", IssuedAt: iat})
	if err != nil {
		t.Fatal(err)
	}
	claims, _, err := verify(t, s, token)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := claims["nbf"]; ok {
		t.Error("nbf set to nil is still in the token")
	}
	if aud, _ := claims["aud"].([]any); len(aud) != 2 {
		t.Errorf("aud = %v, want the list [a b]", claims["aud"])
	}
	if claims["sub"] != "repo:org/app:ref:refs/heads/main" || claims["iat"] != float64(iat.Unix()) || claims["exp"] != float64(iat.Add(time.Hour).Unix()) {
		t.Errorf("sub=%v iat=%v exp=%v", claims["sub"], claims["iat"], claims["exp"])
	}
}

func TestMintToken_badTokensFailVerification(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	t.Run("unknown kid", func(t *testing.T) {
		token, err := s.MintToken(nil, localidp.TokenOptions{KeyID: "rotated-away"})
		if err != nil {
			t.Fatal(err)
		}
		if _, kid, err := verify(t, s, token); !errors.Is(err, errNoKey) || kid != "rotated-away" {
			t.Errorf("kid %q err %v, want no published key for kid rotated-away", kid, err)
		}
	})
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run("wrong key "+alg, func(t *testing.T) {
			token, err := s.MintToken(nil, localidp.TokenOptions{Algorithm: alg, WrongKey: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := verify(t, s, token); err == nil || errors.Is(err, errNoKey) {
				t.Errorf("a token signed with an unpublished key verified (err %v)", err)
			}
		})
	}
	t.Run("no kid", func(t *testing.T) {
		token, err := s.MintToken(nil, localidp.TokenOptions{OmitKeyID: true})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		if tok.Headers[0].KeyID != "" {
			t.Errorf("kid %q, want none", tok.Headers[0].KeyID)
		}
		var claims map[string]any
		set := s.JWKS()
		if err := tok.Claims(set.Key(localidp.RSAKeyID)[0].Key, &claims); err != nil {
			t.Errorf("token without kid does not verify with the RSA key: %v", err)
		}
	})
	t.Run("unknown algorithm", func(t *testing.T) {
		if _, err := s.MintToken(nil, localidp.TokenOptions{Algorithm: "HS256"}); err == nil {
			t.Error("HS256 accepted")
		}
	})
}
