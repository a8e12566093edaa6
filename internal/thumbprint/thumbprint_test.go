package thumbprint

import (
	"crypto/x509"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func codes(fs []Finding) []Code {
	out := []Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestThumbprint_isLowerCaseHexSHA1OfDER(t *testing.T) {
	p := newTestPKI(t)
	for _, c := range certs(p.root, p.inter, p.leaf) {
		got := Thumbprint(c)
		if got != sha1Hex(c) {
			t.Errorf("Thumbprint = %s, want %s", got, sha1Hex(c))
		}
		if len(got) != 40 || strings.ToLower(got) != got {
			t.Errorf("Thumbprint %q is not 40 lower-case hex characters", got)
		}
	}
}

func TestAnalyze_takesTheLastCertificateServed(t *testing.T) {
	p := newTestPKI(t)
	cases := []struct {
		name   string
		served []*issued
		want   *issued
	}{
		{"leaf and intermediate", []*issued{p.leaf, p.inter}, p.inter},
		{"root included", []*issued{p.leaf, p.inter, p.root}, p.root},
		{"leaf only", []*issued{p.leaf}, p.leaf},
		{"reversed", []*issued{p.inter, p.leaf}, p.leaf},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Analyze("idp.test", certs(tc.served...), testNow, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Thumbprint != sha1Hex(tc.want.cert) {
				t.Errorf("Thumbprint = %s, want %s (%s)", r.Thumbprint, sha1Hex(tc.want.cert), tc.want.cert.Subject)
			}
		})
	}
}

func TestAnalyze_describesEachCertificateAsServed(t *testing.T) {
	p := newTestPKI(t)
	r, err := Analyze("idp.test:443", certs(p.leaf, p.inter, p.root), testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Host != "idp.test" {
		t.Errorf("Host = %q, want idp.test", r.Host)
	}
	want := []Certificate{
		{
			Position: 0, Subject: "CN=idp.test,O=Test IdP", Issuer: "CN=Test Intermediate CA,O=Test IdP",
			SerialNumber: "0abc", SHA1: sha1Hex(p.leaf.cert),
			NotBefore: "2025-12-01T12:00:00Z", NotAfter: "2027-03-01T12:00:00Z",
		},
		{
			Position: 1, Subject: "CN=Test Intermediate CA,O=Test IdP", Issuer: "CN=Test Root CA,O=Test IdP",
			SerialNumber: "02", SHA1: sha1Hex(p.inter.cert), IsCA: true,
			NotBefore: "2025-12-01T12:00:00Z", NotAfter: "2027-03-01T12:00:00Z",
		},
		{
			Position: 2, Subject: "CN=Test Root CA,O=Test IdP", Issuer: "CN=Test Root CA,O=Test IdP",
			SerialNumber: "01", SHA1: sha1Hex(p.root.cert), IsCA: true, SelfSigned: true,
			NotBefore: "2025-12-01T12:00:00Z", NotAfter: "2027-03-01T12:00:00Z",
		},
	}
	if !reflect.DeepEqual(r.Certificates, want) {
		t.Errorf("Certificates =\n%+v\nwant\n%+v", r.Certificates, want)
	}
}

func TestAnalyze_diagnosesTheServedChain(t *testing.T) {
	p := newTestPKI(t)
	expiredLeaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}, notAfter: testNow.Add(-time.Hour)}, p.inter)
	futureLeaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}, notBefore: testNow.Add(time.Hour)}, p.inter)
	soonLeaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}, notAfter: testNow.Add(10 * 24 * time.Hour)}, p.inter)
	soonInter := issue(t, certSpec{cn: "Short Intermediate CA", ca: true, notAfter: testNow.Add(20 * 24 * time.Hour)}, p.root)
	leafUnderSoon := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}}, soonInter)
	otherHostLeaf := issue(t, certSpec{cn: "other.test", dnsNames: []string{"other.test"}}, p.inter)
	selfSignedLeaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}}, nil)

	cases := []struct {
		name   string
		host   string
		served []*issued
		opts   Options
		want   []Code
		pos    []int
		msgs   []string
	}{
		{name: "well served chain", host: "idp.test", served: []*issued{p.leaf, p.inter}},
		{name: "wildcard covers a subdomain", host: "keys.idp.test", served: []*issued{p.leaf, p.inter}},
		{name: "no host skips the name check", host: "", served: []*issued{otherHostLeaf, p.inter}},
		{
			name: "intermediate served before the leaf", host: "idp.test", served: []*issued{p.inter, p.leaf},
			want: []Code{CodeLeafNotFirst, CodeOutOfOrder}, pos: []int{1, 1},
			msgs: []string{
				`the server's own certificate 1 ("CN=idp.test,O=Test IdP") is served at position 1 instead of first`,
				"the thumbprint would be the leaf's, which changes every time the certificate is renewed",
				`certificate 1 ("CN=idp.test,O=Test IdP") does not sign certificate 0 ("CN=Test Intermediate CA,O=Test IdP") served before it`,
			},
		},
		{
			name: "leaf only", host: "idp.test", served: []*issued{p.leaf},
			want: []Code{CodeLeafOnly}, pos: []int{-1},
			msgs: []string{`only the server's own certificate "CN=idp.test,O=Test IdP" is served, with no intermediate`},
		},
		{
			name: "root included", host: "idp.test", served: []*issued{p.leaf, p.inter, p.root},
			want: []Code{CodeRootIncluded}, pos: []int{2},
			msgs: []string{fmt.Sprintf(`the chain ends with the self-signed root certificate 2 ("CN=Test Root CA,O=Test IdP"); servers need not send the root, and since AWS takes the last certificate served, the thumbprint (%s) is this root's`, sha1Hex(p.root.cert))},
		},
		{
			name: "intermediate sent twice", host: "idp.test", served: []*issued{p.leaf, p.inter, p.inter},
			want: []Code{CodeDuplicate}, pos: []int{2},
			msgs: []string{`certificate 2 ("CN=Test Intermediate CA,O=Test IdP") is served again at position 2 after position 1`},
		},
		{
			name: "intermediate from another hierarchy", host: "idp.test", served: []*issued{p.leaf, p.otherInter},
			want: []Code{CodeOutOfOrder}, pos: []int{1},
			msgs: []string{`certificate 1 ("CN=Other Intermediate CA,O=Test IdP") does not sign certificate 0`},
		},
		{
			name: "root before intermediate", host: "idp.test", served: []*issued{p.leaf, p.root, p.inter},
			want: []Code{CodeOutOfOrder, CodeOutOfOrder}, pos: []int{1, 2},
		},
		{
			name: "expired leaf", host: "idp.test", served: []*issued{expiredLeaf, p.inter},
			want: []Code{CodeExpired}, pos: []int{0},
			msgs: []string{`certificate 0 ("CN=idp.test,O=Test IdP") expired on 2026-03-01T11:00:00Z`},
		},
		{
			name: "leaf not yet valid", host: "idp.test", served: []*issued{futureLeaf, p.inter},
			want: []Code{CodeNotYetValid}, pos: []int{0},
			msgs: []string{"is not valid until 2026-03-01T13:00:00Z"},
		},
		{
			name: "leaf expiring within 30 days", host: "idp.test", served: []*issued{soonLeaf, p.inter},
			want: []Code{CodeExpiringSoon}, pos: []int{0},
			msgs: []string{`certificate 0 ("CN=idp.test,O=Test IdP") expires on 2026-03-11T12:00:00Z, in 10 days`},
		},
		{
			name: "shorter window ignores it", host: "idp.test", served: []*issued{soonLeaf, p.inter},
			opts: Options{ExpiryWarning: 5 * 24 * time.Hour},
		},
		{
			name: "negative window turns the check off", host: "idp.test", served: []*issued{soonLeaf, p.inter},
			opts: Options{ExpiryWarning: -1},
		},
		{
			name: "thumbprint certificate expiring", host: "idp.test", served: []*issued{leafUnderSoon, soonInter},
			want: []Code{CodeExpiringSoon}, pos: []int{1},
			msgs: []string{"in 20 days; it is the certificate AWS takes the thumbprint from"},
		},
		{
			name: "leaf for another host", host: "idp.test", served: []*issued{otherHostLeaf, p.inter},
			want: []Code{CodeHostMismatch}, pos: []int{0},
			msgs: []string{`the server's own certificate 0 ("CN=other.test,O=Test IdP") is not valid for "idp.test"`},
		},
		{
			name: "only CA certificates", host: "idp.test", served: []*issued{p.inter, p.root},
			want: []Code{CodeLeafNotFirst, CodeRootIncluded}, pos: []int{0, 1},
			msgs: []string{"every certificate served is a CA certificate"},
		},
		{
			name: "self-signed leaf alone", host: "idp.test", served: []*issued{selfSignedLeaf},
			want: []Code{CodeLeafOnly}, pos: []int{-1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Analyze(tc.host, certs(tc.served...), testNow, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]Code{}, tc.want...)
			if got := codes(r.Problems); !reflect.DeepEqual(got, want) {
				t.Fatalf("problems = %v, want %v\n%v", got, want, r.Problems)
			}
			for i, p := range tc.pos {
				if r.Problems[i].Position != p {
					t.Errorf("problem %d (%s) at position %d, want %d", i, r.Problems[i].Code, r.Problems[i].Position, p)
				}
			}
			all := fmt.Sprint(r.Problems)
			for _, m := range tc.msgs {
				if !strings.Contains(all, m) {
					t.Errorf("no problem says %q; problems: %s", m, all)
				}
			}
		})
	}
}

// An issuer signing with SHA-1, which crypto/x509 refuses to verify, is
// still in the right place when the names link.
func TestAnalyze_sha1SignatureIsNotReportedOutOfOrder(t *testing.T) {
	p := newTestPKI(t)
	sha1Leaf := issue(t, certSpec{cn: "idp.test", dnsNames: []string{"idp.test"}, sigAlg: x509.ECDSAWithSHA1}, p.inter)
	if err := sha1Leaf.cert.CheckSignatureFrom(p.inter.cert); err == nil {
		t.Fatal("crypto/x509 verified a SHA-1 signature; this test no longer covers what it is meant to")
	}
	r, err := Analyze("idp.test", certs(sha1Leaf, p.inter), testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 0 {
		t.Errorf("problems = %v, want none", r.Problems)
	}
	r, err = Analyze("idp.test", certs(sha1Leaf, p.otherInter), testNow, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(r.Problems); !reflect.DeepEqual(got, []Code{CodeOutOfOrder}) {
		t.Errorf("with an unrelated intermediate, problems = %v, want [out_of_order]", got)
	}
}

func TestAnalyze_emptyChainIsAnError(t *testing.T) {
	if _, err := Analyze("idp.test", nil, testNow, Options{}); err == nil || !strings.Contains(err.Error(), `no certificates were served by "idp.test"`) {
		t.Errorf("Analyze(no certificates) error = %v", err)
	}
	p := newTestPKI(t)
	served := certs(p.leaf, p.inter)
	served[1] = nil
	if _, err := Analyze("idp.test", served, testNow, Options{}); err == nil || !strings.Contains(err.Error(), "certificate 1 of 2") {
		t.Errorf("Analyze(nil certificate) error = %v", err)
	}
}

func TestDistinct_keepsFirstOrderAndDropsRepeats(t *testing.T) {
	a := strings.Repeat("a", 40)
	b := strings.Repeat("b", 40)
	got := Distinct(a, strings.ToUpper(a), "", " "+b+" ", a)
	if want := []string{a, b}; !reflect.DeepEqual(got, want) {
		t.Errorf("Distinct = %v, want %v", got, want)
	}
	if got := Distinct(); got == nil || len(got) != 0 {
		t.Errorf("Distinct() = %#v, want an empty non-nil slice", got)
	}
}

func TestParsePEMChain_readsCertificatesInOrder(t *testing.T) {
	p := newTestPKI(t)
	data := append([]byte("subject=CN=idp.test\nissuer=CN=Test Intermediate CA\n"), pemOf(p.leaf.cert)...)
	data = append(data, []byte("some openssl chatter\r\n")...)
	data = append(data, pemOf(p.inter.cert)...)
	got, err := ParsePEMChain(data)
	if err != nil {
		t.Fatalf("ParsePEMChain: %v", err)
	}
	if len(got) != 2 || !got[0].Equal(p.leaf.cert) || !got[1].Equal(p.inter.cert) {
		t.Fatalf("ParsePEMChain returned %d certificates, not leaf then intermediate", len(got))
	}
}

func TestParsePEMChain_saysWhatIsWrong(t *testing.T) {
	p := newTestPKI(t)
	good := pemOf(p.leaf.cert)
	truncated := good[:len(good)-30]
	badDER := []byte("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n")
	key := []byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "found empty input"},
		{"plain text", []byte("hello"), `found no PEM block in "hello"`},
		{"DER instead of PEM", p.leaf.cert.Raw, "looks like DER; encode it as PEM first"},
		{"private key block", append(append([]byte{}, good...), key...), `PEM block 1 is of type "EC PRIVATE KEY": expected only CERTIFICATE blocks`},
		{"undecodable certificate", append(append([]byte{}, good...), badDER...), "PEM block 1 is not a valid certificate"},
		{"truncated last block", append(append([]byte{}, good...), truncated...), "found 2 PEM BEGIN lines but only 1 well-formed blocks"},
		{"truncated only block", truncated, "found 1 PEM BEGIN lines but only 0 well-formed blocks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePEMChain(tc.data)
			if err == nil {
				t.Fatalf("ParsePEMChain returned %d certificates, want an error", len(got))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
