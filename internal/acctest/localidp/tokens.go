package localidp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Key IDs of the signing keys every JWKS route of a Server publishes.
const (
	RSAKeyID = "localidp-rs256"
	ECKeyID  = "localidp-es256"
)

// Defaults applied by MintToken.
const (
	DefaultAudience = "sts.amazonaws.com"
	DefaultSubject  = "localidp-user"
	DefaultTokenTTL = time.Hour
)

// TokenOptions shapes a token minted by Server.MintToken. The zero value mints a valid
// RS256 token for the first issuer.
type TokenOptions struct {
	// Issuer is the default iss claim; the Server's first issuer when empty.
	Issuer string
	// Audience is the default aud claim; DefaultAudience when empty. Put a list in
	// the claims map to send several audiences.
	Audience string
	// Subject is the default sub claim; DefaultSubject when empty.
	Subject string
	// Algorithm is "RS256" (when empty) or "ES256".
	Algorithm string
	// KeyID replaces the kid header, for example with one the JWKS does not publish.
	KeyID string
	// OmitKeyID sends no kid header at all.
	OmitKeyID bool
	// WrongKey signs with a key of the same type that the JWKS does not publish while
	// keeping the published kid, so the signature does not verify.
	WrongKey bool
	// IssuedAt is the default iat claim; now when zero.
	IssuedAt time.Time
	// NotBefore is the default nbf claim; IssuedAt when zero.
	NotBefore time.Time
	// Expiry is the default exp claim; IssuedAt plus DefaultTokenTTL when zero.
	Expiry time.Time
}

// signingKeys holds the published keys and, created on first use, the unpublished
// ones WrongKey signs with.
type signingKeys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey

	wrongOnce sync.Once
	wrongRSA  *rsa.PrivateKey
	wrongEC   *ecdsa.PrivateKey
	wrongErr  error
}

func newSigningKeys() (*signingKeys, error) {
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generating RSA signing key: %w", err)
	}
	e, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating EC signing key: %w", err)
	}
	return &signingKeys{rsa: r, ec: e}, nil
}

func (k *signingKeys) wrong() error {
	k.wrongOnce.Do(func() {
		if k.wrongRSA, k.wrongErr = rsa.GenerateKey(rand.Reader, 2048); k.wrongErr != nil {
			return
		}
		k.wrongEC, k.wrongErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
	return k.wrongErr
}

// jwks returns the public key set, RSA key first.
func (k *signingKeys) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.rsa.PublicKey, KeyID: RSAKeyID, Algorithm: string(jose.RS256), Use: "sig"},
		{Key: &k.ec.PublicKey, KeyID: ECKeyID, Algorithm: string(jose.ES256), Use: "sig"},
	}}
}

// JWKS returns the public keys every JWKS route of the Server publishes (unless a route
// override serves something else).
func (s *Server) JWKS() jose.JSONWebKeySet { return s.keys.jwks() }

// JWKSJSON returns JWKS encoded as served.
func (s *Server) JWKSJSON() []byte {
	b, err := json.Marshal(s.keys.jwks())
	if err != nil {
		// Encoding generated RSA and EC public keys cannot fail.
		panic("localidp: encoding JWKS: " + err.Error())
	}
	return b
}

// MintToken signs an ID token. Claims in the map override the defaults (iss, aud, sub,
// iat, nbf, exp from opts); a claim set to nil is left out of the token.
func (s *Server) MintToken(claims map[string]any, opts TokenOptions) (string, error) {
	now := time.Now()
	iat := opts.IssuedAt
	if iat.IsZero() {
		iat = now
	}
	nbf := opts.NotBefore
	if nbf.IsZero() {
		nbf = iat
	}
	exp := opts.Expiry
	if exp.IsZero() {
		exp = iat.Add(DefaultTokenTTL)
	}
	body := map[string]any{
		"iss": firstNonEmpty(opts.Issuer, s.Issuer()),
		"aud": firstNonEmpty(opts.Audience, DefaultAudience),
		"sub": firstNonEmpty(opts.Subject, DefaultSubject),
		"iat": iat.Unix(),
		"nbf": nbf.Unix(),
		"exp": exp.Unix(),
	}
	for k, v := range claims {
		if v == nil {
			delete(body, k)
			continue
		}
		body[k] = v
	}

	var (
		alg jose.SignatureAlgorithm
		key crypto.Signer
		kid string
	)
	switch opts.Algorithm {
	case "", string(jose.RS256):
		alg, key, kid = jose.RS256, s.keys.rsa, RSAKeyID
	case string(jose.ES256):
		alg, key, kid = jose.ES256, s.keys.ec, ECKeyID
	default:
		return "", fmt.Errorf("token algorithm must be RS256 or ES256, got %q", opts.Algorithm)
	}
	if opts.WrongKey {
		if err := s.keys.wrong(); err != nil {
			return "", fmt.Errorf("generating unpublished signing key: %w", err)
		}
		key = s.keys.wrongRSA
		if alg == jose.ES256 {
			key = s.keys.wrongEC
		}
	}
	if opts.KeyID != "" {
		kid = opts.KeyID
	}
	signingKey := jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}
	if opts.OmitKeyID {
		signingKey.Key = key
	}
	signer, err := jose.NewSigner(signingKey, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("creating %s signer: %w", alg, err)
	}
	token, err := jwt.Signed(signer).Claims(body).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return token, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
