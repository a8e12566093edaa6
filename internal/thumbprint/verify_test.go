package thumbprint

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

// verifyAt verifies served the way a TLS client does, at testNow.
func verifyAt(served []*x509.Certificate, host string, roots *x509.CertPool) error {
	inter := x509.NewCertPool()
	for _, c := range served[1:] {
		inter.AddCert(c)
	}
	_, err := served[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: testNow})
	return err
}

func TestVerificationFinding_reportsWhatAnalyzeCannotSee(t *testing.T) {
	pki := newTestPKI(t)
	roots := x509.NewCertPool()
	roots.AddCert(pki.root.cert)
	expiredLeaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}, notAfter: testNow.Add(-24 * time.Hour)}, pki.inter)

	cases := []struct {
		name     string
		served   []*x509.Certificate
		host     string
		roots    *x509.CertPool
		wantCode Code // "" for no finding
		wantText string
	}{
		{name: "verified chain", served: certs(pki.leaf, pki.inter), host: "idp.test", roots: roots},
		{name: "private CA", served: certs(pki.leaf, pki.inter), host: "idp.test", roots: x509.NewCertPool(),
			wantCode: CodeUntrusted, wantText: "does not lead to a trusted root CA"},
		{name: "intermediate left out", served: certs(pki.leaf), host: "idp.test", roots: roots,
			wantCode: CodeUntrusted, wantText: "leaves out an intermediate"},
		{name: "expired leaf, already reported by Analyze", served: []*x509.Certificate{expiredLeaf.cert, pki.inter.cert}, host: "idp.test", roots: roots},
		{name: "other host, already reported by Analyze", served: certs(pki.leaf, pki.inter), host: "other.test", roots: roots},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Analyze(tc.host, tc.served, testNow, Options{})
			if err != nil {
				t.Fatal(err)
			}
			f, ok := VerificationFinding(tc.host, verifyAt(tc.served, tc.host, tc.roots), res.Problems)
			if tc.wantCode == "" {
				if ok {
					t.Fatalf("unexpected finding %v; Analyze found %v", f, res.Problems)
				}
				return
			}
			if !ok || f.Code != tc.wantCode || f.Position != -1 {
				t.Fatalf("finding %v (ok %v), want code %s at position -1", f, ok, tc.wantCode)
			}
			if !strings.Contains(f.Message, tc.wantText) || !strings.Contains(f.Message, tc.host) {
				t.Errorf("message %q should name %s and say %q", f.Message, tc.host, tc.wantText)
			}
		})
	}
}

func TestVerificationFinding_faultAnalyzeMissedIsStillReported(t *testing.T) {
	pki := newTestPKI(t)
	roots := x509.NewCertPool()
	roots.AddCert(pki.root.cert)
	expiredLeaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}, notAfter: testNow.Add(-24 * time.Hour)}, pki.inter)
	err := verifyAt([]*x509.Certificate{expiredLeaf.cert, pki.inter.cert}, "idp.test", roots)
	f, ok := VerificationFinding("idp.test", err, nil)
	if !ok || f.Code != CodeNotVerified || !strings.Contains(f.Message, "expired") {
		t.Errorf("finding %v (ok %v), want %s naming the expiry", f, ok, CodeNotVerified)
	}
}
