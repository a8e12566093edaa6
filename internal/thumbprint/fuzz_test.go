package thumbprint

import (
	"crypto/x509"
	"testing"
	"time"
)

// fuzzSeeds returns served chains worth starting from: well ordered,
// reversed, with the root, and a lone leaf.
func fuzzSeeds(f *testing.F) [][]*x509.Certificate {
	p := newTestPKI(f)
	return [][]*x509.Certificate{
		certs(p.leaf, p.inter),
		certs(p.inter, p.leaf),
		certs(p.leaf, p.inter, p.root),
		certs(p.leaf),
		certs(p.leaf, p.otherInter, p.otherInter),
	}
}

func FuzzParsePEMChain(f *testing.F) {
	for _, chain := range fuzzSeeds(f) {
		f.Add(pemOf(chain...))
	}
	f.Add([]byte(""))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN X-----\nProc-Type: 4\n\nAAAA\n-----END X-----\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		chain, err := ParsePEMChain(data)
		if err != nil {
			if chain != nil {
				t.Fatal("ParsePEMChain returned certificates and an error")
			}
			return
		}
		if len(chain) == 0 {
			t.Fatal("ParsePEMChain succeeded with no certificates")
		}
		checkAnalysis(t, "idp.test", chain, testNow)
	})
}

func FuzzAnalyze(f *testing.F) {
	for _, chain := range fuzzSeeds(f) {
		var der []byte
		for _, c := range chain {
			der = append(der, c.Raw...)
		}
		f.Add(der, "idp.test", int64(0))
		f.Add(pemOf(chain...), "keys.idp.test:443", int64(400*24*3600))
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00}, "", int64(-1))

	f.Fuzz(func(t *testing.T, data []byte, host string, offsetSeconds int64) {
		chain, err := x509.ParseCertificates(data)
		if err != nil || len(chain) == 0 {
			if chain, err = ParsePEMChain(data); err != nil {
				return
			}
		}
		checkAnalysis(t, host, chain, testNow.Add(time.Duration(offsetSeconds)*time.Second))
	})
}

// checkAnalysis runs Analyze and checks what must hold for any chain.
func checkAnalysis(t *testing.T, host string, chain []*x509.Certificate, now time.Time) {
	t.Helper()
	r, err := Analyze(host, chain, now, Options{})
	if err != nil {
		t.Fatalf("Analyze of %d parsed certificates failed: %v", len(chain), err)
	}
	if len(r.Certificates) != len(chain) {
		t.Fatalf("%d certificates described for %d served", len(r.Certificates), len(chain))
	}
	for i, c := range r.Certificates {
		if c.Position != i || c.SHA1 != sha1Hex(chain[i]) {
			t.Fatalf("certificate %d described as position %d, sha1 %s", i, c.Position, c.SHA1)
		}
	}
	if r.Thumbprint != sha1Hex(chain[len(chain)-1]) {
		t.Fatalf("Thumbprint %s is not the last certificate's", r.Thumbprint)
	}
	for _, p := range r.Problems {
		if p.Code == "" || p.Message == "" || p.Position < -1 || p.Position >= len(chain) {
			t.Fatalf("malformed finding %+v", p)
		}
	}
}
