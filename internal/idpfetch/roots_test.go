package idpfetch

import (
	"context"
	"crypto/x509"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// The system roots are read at the first handshake, not by New, and once for a Client
// and every Client derived from it: a run that reads no IdP never reads them, and a run
// that reads many reads them once. Not parallel: it replaces systemRoots.
func TestRoots_readAtTheFirstHandshakeAndOnce(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(k, "")
	}
	s := localidp.StartForTest(t, localidp.Config{
		Issuers: []localidp.IssuerConfig{{URL: "https://idp.test"}, {URL: "https://other.test"}},
	})
	var reads atomic.Int32
	saved := systemRoots
	t.Cleanup(func() { systemRoots = saved })
	// The local IdP's CA stands in for the system roots, so a verified chain proves
	// these roots were the ones used.
	systemRoots = func() (*x509.CertPool, error) {
		reads.Add(1)
		return s.RootPool(), nil
	}

	extra := localidp.CertificatesPEM(s.Host("idp.test").Leaf())
	c, err := New(Config{HTTPSProxy: s.ProxyURL(), CABundlePEM: extra, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := New(Config{CABundlePEM: []byte("not PEM")}); err == nil {
		t.Error("New accepted a CA bundle without a certificate; it must still check the bundle at once")
	}
	derived, err := c.WithCABundle(localidp.CertificatesPEM(s.Host("other.test").Leaf()))
	if err != nil {
		t.Fatal(err)
	}
	if n := reads.Load(); n != 0 {
		t.Fatalf("New and WithCABundle read the system roots %d time(s) before any handshake, want 0", n)
	}

	ctx := context.Background()
	for _, u := range []string{"https://idp.test/.well-known/openid-configuration", "https://other.test/.well-known/openid-configuration"} {
		if _, err := c.Get(ctx, u); err != nil {
			t.Fatalf("Get %s with the lazily read roots: %v", u, err)
		}
	}
	if _, err := derived.Get(ctx, "https://other.test/.well-known/openid-configuration"); err != nil {
		t.Fatalf("Get through the derived Client: %v", err)
	}
	chain, err := c.ServedChain(ctx, "other.test:443")
	if err != nil {
		t.Fatal(err)
	}
	if chain.VerifyErr != nil {
		t.Errorf("the chain of other.test did not verify against the roots read: %v", chain.VerifyErr)
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("the system roots were read %d times for two hosts, a derived Client and a served chain, want 1", n)
	}
}
