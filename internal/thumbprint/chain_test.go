package thumbprint

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// testNow is the instant every test judges chains at.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type issued struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

type certSpec struct {
	cn        string
	ca        bool
	dnsNames  []string
	notBefore time.Time
	notAfter  time.Time
	serial    int64
	sigAlg    x509.SignatureAlgorithm
}

// issue creates a certificate from spec, signed by parent, or self-signed
// when parent is nil.
func issue(t testing.TB, spec certSpec, parent *issued) *issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	if spec.notBefore.IsZero() {
		spec.notBefore = testNow.Add(-90 * 24 * time.Hour)
	}
	if spec.notAfter.IsZero() {
		spec.notAfter = testNow.Add(365 * 24 * time.Hour)
	}
	if spec.serial == 0 {
		spec.serial = 0x1001
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(spec.serial),
		Subject:               pkix.Name{CommonName: spec.cn, Organization: []string{"Test IdP"}},
		NotBefore:             spec.notBefore,
		NotAfter:              spec.notAfter,
		DNSNames:              spec.dnsNames,
		BasicConstraintsValid: true,
		IsCA:                  spec.ca,
		SignatureAlgorithm:    spec.sigAlg,
	}
	if spec.ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatalf("create certificate %q: %v", spec.cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate %q: %v", spec.cn, err)
	}
	return &issued{cert: cert, key: key}
}

// testPKI is a root → intermediate → leaf hierarchy for idp.test, plus an
// unrelated intermediate to break chains with.
type testPKI struct {
	root, inter, leaf, otherInter *issued
}

func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	root := issue(t, certSpec{cn: "Test Root CA", ca: true, serial: 1}, nil)
	inter := issue(t, certSpec{cn: "Test Intermediate CA", ca: true, serial: 2}, root)
	leaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test", "*.idp.test"}, serial: 0x0abc}, inter)
	otherRoot := issue(t, certSpec{cn: "Other Root CA", ca: true, serial: 3}, nil)
	otherInter := issue(t, certSpec{cn: "Other Intermediate CA", ca: true, serial: 4}, otherRoot)
	return testPKI{root: root, inter: inter, leaf: leaf, otherInter: otherInter}
}

// sha1Hex computes a thumbprint independently of the code under test.
func sha1Hex(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return hex.EncodeToString(sum[:])
}

func certs(is ...*issued) []*x509.Certificate {
	out := make([]*x509.Certificate, len(is))
	for i, c := range is {
		out[i] = c.cert
	}
	return out
}

func pemOf(cs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range cs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
