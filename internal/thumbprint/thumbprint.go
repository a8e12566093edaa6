// Package thumbprint derives the certificate thumbprint AWS IAM computes for
// an OpenID Connect provider and diagnoses the certificate chain a host
// serves.
//
// AWS takes the SHA-1 of the last certificate the jwks_uri host sends in
// its TLS handshake ("if you see more than one certificate, find the last
// certificate displayed"). The package does no network I/O: callers hand in
// the chain exactly as it was served.
package thumbprint

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// DefaultExpiryWarning is how close to its expiry a certificate is reported
// when Options.ExpiryWarning is zero.
const DefaultExpiryWarning = 30 * 24 * time.Hour

// Code identifies a finding. Codes are stable; messages may be reworded.
type Code string

// Problems a served chain can have. Each Finding's message says what the
// problem means for AWS.
const (
	CodeLeafNotFirst Code = "leaf_not_first"
	CodeHostMismatch Code = "host_mismatch"
	CodeLeafOnly     Code = "leaf_only"
	CodeOutOfOrder   Code = "out_of_order"
	CodeDuplicate    Code = "duplicate"
	CodeRootIncluded Code = "root_included"
	CodeExpired      Code = "expired"
	CodeNotYetValid  Code = "not_yet_valid"
	CodeExpiringSoon Code = "expiring_soon"
)

// Finding is one problem with a served chain.
type Finding struct {
	Code    Code
	Message string
	// Position is the index, as served, of the certificate the finding is
	// about, or -1 when it is about the chain as a whole.
	Position int
}

func (f Finding) String() string { return string(f.Code) + ": " + f.Message }

// Certificate describes one served certificate.
type Certificate struct {
	Position     int    // index in the chain as served, from 0
	Subject      string // RFC 2253 form
	Issuer       string // RFC 2253 form
	SerialNumber string // lower-case hex, an even number of digits
	NotBefore    string // RFC 3339, UTC
	NotAfter     string // RFC 3339, UTC
	SHA1         string // lower-case hex SHA-1 of the DER
	IsCA         bool
	SelfSigned   bool
}

// Options tune Analyze.
type Options struct {
	// ExpiryWarning reports certificates that expire within this long of
	// now. Zero means DefaultExpiryWarning; a negative value turns the
	// check off.
	ExpiryWarning time.Duration
}

// Result is what Analyze makes of a served chain.
type Result struct {
	// Host is the host name the chain was judged for, without a port.
	Host string
	// Thumbprint is what AWS computes: the SHA-1 of the last certificate
	// served, in lower-case hex.
	Thumbprint   string
	Certificates []Certificate
	Problems     []Finding
}

// Thumbprint returns the lower-case hex SHA-1 of the certificate's DER, the
// form IAM stores and compares thumbprints in.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// Distinct returns the thumbprints in the order first given, each trimmed
// and lower-cased, without duplicates or empty strings. It combines the
// thumbprints of the issuer host and the jwks_uri host, which are often the
// same.
func Distinct(thumbprints ...string) []string {
	out := make([]string, 0, len(thumbprints))
	seen := make(map[string]bool, len(thumbprints))
	for _, t := range thumbprints {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Analyze derives AWS's thumbprint from the chain host served, in the order
// it was served, and lists what is wrong with that chain. An empty host
// skips the host name check. An empty chain, or a nil certificate in it, is
// an error: there is nothing to take a thumbprint of.
func Analyze(host string, served []*x509.Certificate, now time.Time, opts Options) (Result, error) {
	if len(served) == 0 {
		return Result{}, fmt.Errorf("no certificates were served by %q: expected at least the server's own certificate", host)
	}
	for i, c := range served {
		if c == nil {
			return Result{}, fmt.Errorf("certificate %d of %d served by %q is missing", i, len(served), host)
		}
	}
	a := analysis{
		host:   hostname(host),
		served: served,
		now:    now,
		window: opts.ExpiryWarning,
	}
	if a.window == 0 {
		a.window = DefaultExpiryWarning
	}
	a.describe()
	a.checkLeaf()
	a.checkLinks()
	a.checkRoot()
	a.checkValidity()
	return Result{
		Host:         a.host,
		Thumbprint:   a.certs[len(a.certs)-1].SHA1,
		Certificates: a.certs,
		Problems:     a.problems,
	}, nil
}

// hostname drops a port, so "idp.test:443" is judged as "idp.test".
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

type analysis struct {
	host     string
	served   []*x509.Certificate
	now      time.Time
	window   time.Duration
	certs    []Certificate
	leaf     int // position of the server's own certificate, -1 if none
	problems []Finding
}

func (a *analysis) add(c Code, pos int, format string, args ...any) {
	a.problems = append(a.problems, Finding{Code: c, Position: pos, Message: fmt.Sprintf(format, args...)})
}

// name identifies a served certificate in messages.
func (a *analysis) name(i int) string {
	return fmt.Sprintf("certificate %d (%q)", i, a.certs[i].Subject)
}

func (a *analysis) describe() {
	a.certs = make([]Certificate, len(a.served))
	for i, c := range a.served {
		a.certs[i] = Certificate{
			Position:     i,
			Subject:      c.Subject.String(),
			Issuer:       c.Issuer.String(),
			SerialNumber: serialHex(c.SerialNumber),
			NotBefore:    c.NotBefore.UTC().Format(time.RFC3339),
			NotAfter:     c.NotAfter.UTC().Format(time.RFC3339),
			SHA1:         Thumbprint(c),
			IsCA:         c.IsCA,
			SelfSigned:   selfSigned(c),
		}
	}
}

// serialHex writes a serial number the way certificate tools show it,
// without the colons: whole bytes, lower case.
func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	s := fmt.Sprintf("%x", new(big.Int).Abs(n))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	if n.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// selfSigned reports whether c names itself as issuer and its signature
// verifies with its own key. CheckSignature, unlike CheckSignatureFrom,
// ignores CA constraints, so a self-signed leaf counts too.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// checkLeaf finds the server's own certificate (not a CA, and valid for the
// host when one is given) and checks it comes first, matches the host and
// is not all that was served.
func (a *analysis) checkLeaf() {
	a.leaf = -1
	if a.host != "" {
		for i, c := range a.served {
			if !c.IsCA && c.VerifyHostname(a.host) == nil {
				a.leaf = i
				break
			}
		}
	}
	if a.leaf < 0 {
		for i, c := range a.served {
			if !c.IsCA {
				a.leaf = i
				break
			}
		}
	}

	last := len(a.served) - 1
	switch {
	case a.leaf < 0:
		a.add(CodeLeafNotFirst, 0, "every certificate served is a CA certificate; the server's own certificate must come first, so TLS clients, AWS among them, may reject the chain")
	case a.leaf > 0:
		consequence := ""
		if a.leaf == last {
			consequence = "; as AWS takes the last certificate served, the thumbprint would be the leaf's, which changes every time the certificate is renewed"
		}
		a.add(CodeLeafNotFirst, a.leaf, "the server's own %s is served at position %d instead of first; TLS clients, AWS among them, may reject the chain%s", a.name(a.leaf), a.leaf, consequence)
	}

	if a.host != "" && a.leaf >= 0 {
		if err := a.served[a.leaf].VerifyHostname(a.host); err != nil {
			a.add(CodeHostMismatch, a.leaf, "the server's own %s is not valid for %q (%v); TLS clients, AWS among them, will reject the connection", a.name(a.leaf), a.host, err)
		}
	}

	distinct := map[string]bool{}
	for _, c := range a.certs {
		distinct[c.SHA1] = true
	}
	if len(distinct) == 1 && a.leaf >= 0 {
		a.add(CodeLeafOnly, -1, "only the server's own certificate %q is served, with no intermediate; AWS takes the last certificate served, so the thumbprint is this leaf's, which changes every time the certificate is renewed", a.certs[a.leaf].Subject)
	}
}

// checkLinks checks that each certificate is signed by the one served after
// it, and that none is served twice.
func (a *analysis) checkLinks() {
	first := map[string]int{}
	for i, c := range a.certs {
		if j, ok := first[c.SHA1]; ok {
			a.add(CodeDuplicate, i, "%s is served again at position %d after position %d; servers should send each certificate once", a.name(i), i, j)
			continue
		}
		first[c.SHA1] = i
	}
	for i := 1; i < len(a.served); i++ {
		if a.certs[i].SHA1 == a.certs[i-1].SHA1 {
			continue // already reported as a duplicate
		}
		if err := a.served[i-1].CheckSignatureFrom(a.served[i]); err != nil && !insecureButLinked(a.served[i-1], a.served[i], err) {
			a.add(CodeOutOfOrder, i, "%s does not sign %s served before it (%v); each certificate should be followed by the one that issued it", a.name(i), a.name(i-1), err)
		}
	}
}

// insecureButLinked tells a certificate whose issuer uses a signature
// algorithm Go refuses (SHA-1, for one) from a chain out of order: the names
// link, so the order is right even though the signature is not checked.
func insecureButLinked(child, parent *x509.Certificate, err error) bool {
	var insecure x509.InsecureAlgorithmError
	return errors.As(err, &insecure) && bytes.Equal(child.RawIssuer, parent.RawSubject)
}

// checkRoot reports a self-signed certificate at the end of a longer chain:
// servers need not send it, and AWS then takes its thumbprint.
func (a *analysis) checkRoot() {
	last := len(a.certs) - 1
	if last == 0 || !a.certs[last].SelfSigned {
		return
	}
	a.add(CodeRootIncluded, last, "the chain ends with the self-signed root %s; servers need not send the root, and since AWS takes the last certificate served, the thumbprint (%s) is this root's rather than the top intermediate's", a.name(last), a.certs[last].SHA1)
}

func (a *analysis) checkValidity() {
	last := len(a.served) - 1
	for i, c := range a.served {
		switch {
		case a.now.After(c.NotAfter):
			a.add(CodeExpired, i, "%s expired on %s; TLS clients, AWS among them, reject an expired certificate", a.name(i), a.certs[i].NotAfter)
		case a.now.Before(c.NotBefore):
			a.add(CodeNotYetValid, i, "%s is not valid until %s; TLS clients, AWS among them, reject it until then", a.name(i), a.certs[i].NotBefore)
		case a.window > 0 && c.NotAfter.Sub(a.now) <= a.window:
			note := ""
			if i == last {
				note = "; it is the certificate AWS takes the thumbprint from, so expect the thumbprint to change when it is replaced"
			}
			a.add(CodeExpiringSoon, i, "%s expires on %s, in %s%s", a.name(i), a.certs[i].NotAfter, roundDays(c.NotAfter.Sub(a.now)), note)
		}
	}
}

// roundDays phrases a remaining validity for people.
func roundDays(d time.Duration) string {
	days := int(d.Hours() / 24)
	switch {
	case days >= 2:
		return fmt.Sprintf("%d days", days)
	case d >= time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return "less than an hour"
}
