package localidp

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // SHA-1 is what AWS uses for OIDC thumbprints.
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// DefaultCA is the name of the certificate authority used by hosts that name none.
const DefaultCA = "default"

// maxIntermediates bounds CAConfig.Intermediates; deeper chains add nothing to the tests.
const maxIntermediates = 3

// CAConfig declares a certificate authority: a root and one or more intermediates.
// A CA named by a HostConfig but not declared is created with the defaults (trusted, one
// intermediate).
type CAConfig struct {
	// Name identifies the CA; hosts refer to it by this name. Required.
	Name string
	// Untrusted keeps the root out of Server.CABundlePEM and Server.RootPool, so
	// clients configured with them reject the hosts this CA signs.
	Untrusted bool
	// Intermediates is the number of intermediate CAs between the root and the leaves:
	// 1 when zero, at most 3.
	Intermediates int
	// IntermediateNotAfter, when set, ends the validity of every intermediate at that
	// time (an expired or soon-expiring top intermediate).
	IntermediateNotAfter time.Time
}

// CA is a generated certificate authority: a self-signed root and its intermediates.
type CA struct {
	name    string
	trusted bool
	root    *x509.Certificate
	// intermediates are ordered from the one that signs leaves (index 0) up to the
	// one the root signed (last), the order a server sends them in.
	intermediates []*x509.Certificate
	issuingKey    crypto.Signer
}

// Name returns the CA's name.
func (ca *CA) Name() string { return ca.name }

// Trusted reports whether the root is in Server.CABundlePEM.
func (ca *CA) Trusted() bool { return ca.trusted }

// Root returns the self-signed root certificate.
func (ca *CA) Root() *x509.Certificate { return ca.root }

// RootPEM returns the root certificate in PEM form.
func (ca *CA) RootPEM() []byte { return CertificatesPEM(ca.root) }

// Intermediates returns the intermediates from the one that signs leaves up to the one
// the root signed.
func (ca *CA) Intermediates() []*x509.Certificate {
	return append([]*x509.Certificate(nil), ca.intermediates...)
}

// TopIntermediate returns the intermediate the root signed: the certificate whose
// thumbprint AWS takes when a server sends its chain in the standard order.
func (ca *CA) TopIntermediate() *x509.Certificate {
	return ca.intermediates[len(ca.intermediates)-1]
}

func newCA(cfg CAConfig, now time.Time) (*CA, error) {
	n := cfg.Intermediates
	if n == 0 {
		n = 1
	}
	if n < 1 || n > maxIntermediates {
		return nil, fmt.Errorf("CA %q: intermediates must be between 1 and %d, got %d", cfg.Name, maxIntermediates, cfg.Intermediates)
	}
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("CA %q: generating root key: %w", cfg.Name, err)
	}
	rootTmpl := &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"localidp"}, CommonName: fmt.Sprintf("localidp %s Root CA", cfg.Name)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	root, err := issue(rootTmpl, nil, rootKey, rootKey)
	if err != nil {
		return nil, fmt.Errorf("CA %q: root: %w", cfg.Name, err)
	}

	ca := &CA{name: cfg.Name, trusted: !cfg.Untrusted, root: root}
	parent, parentKey := root, crypto.Signer(rootKey)
	// Built from the top down, stored issuing-first.
	for i := n; i >= 1; i-- {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("CA %q: generating intermediate key: %w", cfg.Name, err)
		}
		notAfter := now.AddDate(5, 0, 0)
		if !cfg.IntermediateNotAfter.IsZero() {
			notAfter = cfg.IntermediateNotAfter
		}
		tmpl := &x509.Certificate{
			Subject:               pkix.Name{Organization: []string{"localidp"}, CommonName: fmt.Sprintf("localidp %s Intermediate CA %d", cfg.Name, i)},
			NotBefore:             now.Add(-2*time.Hour).AddDate(0, 0, -30),
			NotAfter:              notAfter,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		cert, err := issue(tmpl, parent, key, parentKey)
		if err != nil {
			return nil, fmt.Errorf("CA %q: intermediate %d: %w", cfg.Name, i, err)
		}
		ca.intermediates = append([]*x509.Certificate{cert}, ca.intermediates...)
		parent, parentKey = cert, key
	}
	ca.issuingKey = parentKey
	return ca, nil
}

// issue signs tmpl with signerKey under parent (self-signed when parent is nil).
func issue(tmpl, parent *x509.Certificate, key, signerKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signerKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// ChainLayout says which certificates a host sends in its TLS handshake, and in what
// order.
type ChainLayout int

const (
	// ChainStandard sends the leaf, then the intermediates from the one that signed the
	// leaf up to the one the root signed. The last certificate is the top intermediate.
	ChainStandard ChainLayout = iota
	// ChainWithRoot sends the standard chain followed by the root.
	ChainWithRoot
	// ChainWrongOrder sends the leaf first (TLS clients need that to complete the
	// handshake), then the intermediates top first. With a single intermediate, where
	// there is nothing to reorder, it sends leaf, root, intermediate.
	ChainWrongOrder
	// ChainLeafOnly sends the leaf alone.
	ChainLeafOnly
	// ChainDuplicate sends the standard chain with the top intermediate twice.
	ChainDuplicate
)

// Host is a TLS host name served by the Server, with its certificates.
type Host struct {
	name    string
	ca      *CA
	leaf    *x509.Certificate
	served  []*x509.Certificate
	tlsCert tls.Certificate
	minTLS  uint16
	maxTLS  uint16
}

// Name returns the host name (lower case).
func (h *Host) Name() string { return h.name }

// CA returns the authority that signed the host's leaf.
func (h *Host) CA() *CA { return h.ca }

// Leaf returns the host's leaf certificate.
func (h *Host) Leaf() *x509.Certificate { return h.leaf }

// FullChain returns leaf, intermediates (issuing first) and root: the complete path,
// whatever the host sends. HostConfig.Serve indexes into it.
func (h *Host) FullChain() []*x509.Certificate {
	out := []*x509.Certificate{h.leaf}
	out = append(out, h.ca.intermediates...)
	return append(out, h.ca.root)
}

// Served returns the certificates the host sends in its handshake, in that order.
func (h *Host) Served() []*x509.Certificate {
	return append([]*x509.Certificate(nil), h.served...)
}

// ServedPEM returns Served in PEM form, in the same order.
func (h *Host) ServedPEM() []byte { return CertificatesPEM(h.served...) }

// LastServed returns the last certificate the host sends: the one AWS takes the
// thumbprint of.
func (h *Host) LastServed() *x509.Certificate { return h.served[len(h.served)-1] }

func newHost(cfg HostConfig, ca *CA, now time.Time) (*Host, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host %q: generating leaf key: %w", cfg.Name, err)
	}
	notBefore, notAfter := now.Add(-time.Hour), now.AddDate(0, 0, 90)
	if cfg.ExpiredLeaf {
		notBefore, notAfter = now.AddDate(0, 0, -90), now.AddDate(0, 0, -1)
	}
	if !cfg.LeafNotBefore.IsZero() {
		notBefore = cfg.LeafNotBefore
	}
	if !cfg.LeafNotAfter.IsZero() {
		notAfter = cfg.LeafNotAfter
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: cfg.Name},
		DNSNames:    []string{cfg.Name},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leaf, err := issue(tmpl, ca.intermediates[0], key, ca.issuingKey)
	if err != nil {
		return nil, fmt.Errorf("host %q: leaf: %w", cfg.Name, err)
	}
	h := &Host{name: cfg.Name, ca: ca, leaf: leaf, minTLS: cfg.MinTLSVersion, maxTLS: cfg.MaxTLSVersion}

	full := h.FullChain()
	idx := cfg.Serve
	if len(idx) == 0 {
		idx = layoutIndices(cfg.Chain, len(ca.intermediates))
	}
	if idx == nil {
		return nil, fmt.Errorf("host %q: unknown chain layout %d", cfg.Name, cfg.Chain)
	}
	for _, i := range idx {
		if i < 0 || i >= len(full) {
			return nil, fmt.Errorf("host %q: Serve index %d is outside the full chain of %d certificates (leaf, intermediates, root)", cfg.Name, i, len(full))
		}
		h.served = append(h.served, full[i])
	}
	if h.served[0] != leaf {
		// Every TLS client checks the handshake signature against the first
		// certificate, so a chain that does not start with the leaf cannot be read.
		return nil, fmt.Errorf("host %q: the served chain must start with the leaf (index 0), got index %d", cfg.Name, idx[0])
	}
	h.tlsCert = tls.Certificate{PrivateKey: key, Leaf: leaf}
	for _, c := range h.served {
		h.tlsCert.Certificate = append(h.tlsCert.Certificate, c.Raw)
	}
	return h, nil
}

// layoutIndices maps a layout onto indices into FullChain for a CA with n intermediates.
func layoutIndices(l ChainLayout, n int) []int {
	standard := []int{0}
	for i := 1; i <= n; i++ {
		standard = append(standard, i)
	}
	root := n + 1
	switch l {
	case ChainStandard:
		return standard
	case ChainWithRoot:
		return append(standard, root)
	case ChainWrongOrder:
		if n == 1 {
			return []int{0, root, 1}
		}
		out := []int{0}
		for i := n; i >= 1; i-- {
			out = append(out, i)
		}
		return out
	case ChainLeafOnly:
		return []int{0}
	case ChainDuplicate:
		return append(standard, n)
	}
	return nil
}

// Thumbprint returns the lower-case hex SHA-1 of the certificate's DER encoding, the
// form IAM stores for an OIDC provider.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw) //nolint:gosec // the AWS thumbprint is defined as SHA-1.
	return hex.EncodeToString(sum[:])
}

// CertificatesPEM encodes certificates as consecutive PEM blocks, in the order given.
func CertificatesPEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}
