package idpfetch_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

const discoveryPath = "/.well-known/openid-configuration"

// clearProxyEnv keeps proxy variables of the machine running the tests out of them.
func clearProxyEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
}

// localClient starts a local IdP and a client that reaches it through its proxy and
// trusts its trusted roots only.
func localClient(t *testing.T, idp localidp.Config, cfg idpfetch.Config) (*localidp.Server, *idpfetch.Client) {
	t.Helper()
	clearProxyEnv(t)
	s := localidp.StartForTest(t, idp)
	if cfg.RootCAs == nil {
		cfg.RootCAs = s.RootPool()
	}
	if cfg.HTTPSProxy == "" && cfg.HTTPProxy == "" {
		cfg.HTTPSProxy = s.ProxyURL()
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := idpfetch.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return s, c
}

func sameCerts(a, b []*x509.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestGet_returnsBodyTypeStatusAndServedChain(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	resp, err := c.Get(context.Background(), "https://IDP.test/.well-known/openid-configuration#frag")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(resp.Body, &doc); err != nil || doc["issuer"] != "https://idp.test" {
		t.Errorf("body %s (err %v), want the discovery document of https://idp.test", resp.Body, err)
	}
	if resp.URL != "https://idp.test/.well-known/openid-configuration" || resp.StatusCode != http.StatusOK || resp.ContentType != "application/json" {
		t.Errorf("URL %q status %d type %q", resp.URL, resp.StatusCode, resp.ContentType)
	}
	if !sameCerts(resp.PeerCertificates, s.Host("idp.test").Served()) {
		t.Errorf("PeerCertificates differ from the chain the host serves")
	}
	// Callers get their own copy of the body.
	resp.Body[0] = 'X'
	again, err := c.Get(context.Background(), "https://idp.test/.well-known/openid-configuration")
	if err != nil || again.Body[0] != '{' {
		t.Errorf("a caller's change to the body leaked into the cache (err %v)", err)
	}
}

func TestGet_refusesRedirectsAndNamesTheTarget(t *testing.T) {
	s, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{
		{Name: "idp.test", Routes: map[string]localidp.Route{
			discoveryPath: localidp.Redirect("https://other.test/.well-known/openid-configuration"),
			"/relative":   localidp.Redirect("/moved/here"),
			"/bare":       {Status: http.StatusMovedPermanently},
		}},
		{Name: "other.test"},
	}}, idpfetch.Config{})
	cases := []struct{ path, wantLocation, wantStatus string }{
		{discoveryPath, "https://other.test/.well-known/openid-configuration", "302 Found"},
		{"/relative", "https://idp.test/moved/here", "302 Found"},
		{"/bare", "", "301 Moved Permanently"},
	}
	for _, tc := range cases {
		_, err := c.Get(context.Background(), "https://idp.test"+tc.path)
		var re *idpfetch.RedirectError
		if !errors.As(err, &re) {
			t.Fatalf("%s: error %v, want a RedirectError", tc.path, err)
		}
		if re.Location != tc.wantLocation || re.Status != tc.wantStatus {
			t.Errorf("%s: Location %q status %q, want %q %q", tc.path, re.Location, re.Status, tc.wantLocation, tc.wantStatus)
		}
		if !strings.Contains(err.Error(), tc.wantStatus) || !strings.Contains(err.Error(), "not followed") {
			t.Errorf("%s: message %q should name the status and say redirects are not followed", tc.path, err)
		}
	}
	if n := s.Requests("other.test", discoveryPath) + s.Connects("other.test"); n != 0 {
		t.Errorf("the redirect target was contacted %d times", n)
	}
}

func TestGet_refusesBodiesOverTheLimit(t *testing.T) {
	s, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "idp.test", Routes: map[string]localidp.Route{
		"/big":   localidp.Oversized(4096),
		"/exact": localidp.Oversized(1024),
	}}}}, idpfetch.Config{MaxBodyBytes: 1024})
	_, err := c.Get(context.Background(), "https://idp.test/big")
	var tl *idpfetch.BodyTooLargeError
	if !errors.As(err, &tl) || tl.Limit != 1024 || tl.Size != 4096 {
		t.Fatalf("error %v, want a BodyTooLargeError with limit 1024 and size 4096", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "1024") || !strings.Contains(msg, "https://idp.test/big") {
		t.Errorf("message %q should name the limit and the URL", msg)
	}
	if resp, err := c.Get(context.Background(), "https://idp.test/exact"); err != nil || len(resp.Body) != 1024 {
		t.Errorf("a body of exactly the limit: err %v", err)
	}
	_ = s

	// A body without Content-Length is cut at the limit too.
	clearProxyEnv(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 8 {
			_, _ = w.Write([]byte(strings.Repeat("x", 512)))
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	hc := httptestClient(t, srv, idpfetch.Config{MaxBodyBytes: 1024})
	_, err = hc.Get(context.Background(), srv.URL+"/chunked")
	if !errors.As(err, &tl) || tl.Size != -1 {
		t.Errorf("chunked oversized body: %v, want a BodyTooLargeError without a size", err)
	}
}

// TestGet_refusesHeadersOverTheLimit: an answer whose headers alone are megabytes is
// refused after the limit is read, by default and with a configured limit, naming the
// host and the limit; the host can still be read afterwards.
func TestGet_refusesHeadersOverTheLimit(t *testing.T) {
	padded := func(n int) localidp.Route {
		r := localidp.JSON(map[string]any{"ok": true})
		r.Header = http.Header{"X-Padding": []string{strings.Repeat("a", n)}}
		return r
	}
	s, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "idp.test", Routes: map[string]localidp.Route{
		"/huge":  padded(5 << 20),
		"/small": padded(2000),
	}}}}, idpfetch.Config{})
	_, err := c.Get(context.Background(), "https://idp.test/huge")
	var hl *idpfetch.HeadersTooLargeError
	if !errors.As(err, &hl) || hl.Limit != idpfetch.DefaultMaxHeaderBytes || hl.Host != "idp.test" {
		t.Fatalf("error %v, want a HeadersTooLargeError for idp.test with the default limit", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "idp.test answered with response headers over the limit of 65536 bytes") {
		t.Errorf("message %q should name the host and the limit", msg)
	}
	if resp, err := c.Get(context.Background(), "https://idp.test/small"); err != nil || !strings.Contains(string(resp.Body), "ok") {
		t.Errorf("headers under the limit after a refused answer: %v", err)
	}
	_ = s

	_, small := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "idp.test", Routes: map[string]localidp.Route{
		"/small": padded(2000),
		"/over":  padded(5000),
	}}}}, idpfetch.Config{MaxHeaderBytes: 4096})
	if _, err := small.Get(context.Background(), "https://idp.test/small"); err != nil {
		t.Errorf("2000 bytes of headers under a 4096-byte limit: %v", err)
	}
	if _, err := small.Get(context.Background(), "https://idp.test/over"); !errors.As(err, &hl) || hl.Limit != 4096 {
		t.Errorf("5000 bytes of headers over a 4096-byte limit: %v", err)
	}
}

// httptestClient returns a client trusting only srv's certificate.
func httptestClient(t *testing.T, srv *httptest.Server, cfg idpfetch.Config) *idpfetch.Client {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	cfg.RootCAs = pool
	c, err := idpfetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestGet_timesOutOnASlowServer(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{Timeout: 200 * time.Millisecond})
	if err := s.SetRoute("idp.test", "/slow", localidp.JSON(map[string]any{}).WithDelay(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.Get(context.Background(), "https://idp.test/slow")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "200ms") {
		t.Errorf("error %v, want a timeout that names 200ms", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Get returned after %s, want about 200ms", d)
	}
}

func TestGet_describesNonSuccessAnswers(t *testing.T) {
	_, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "idp.test", Routes: map[string]localidp.Route{
		"/html":  localidp.HTMLPage(http.StatusBadGateway, "502 Bad Gateway"),
		"/json":  localidp.Raw(http.StatusInternalServerError, "application/json", []byte(`{"error":"server_error"}`)),
		"/empty": {Status: http.StatusServiceUnavailable},
	}}}}, idpfetch.Config{})
	cases := []struct {
		path       string
		wantStatus int
		wantText   []string
	}{
		{"/missing", 404, []string{"404 Not Found", `"404 page not found"`}},
		{"/html", 502, []string{"502 Bad Gateway", `an HTML page titled "502 Bad Gateway", not JSON`}},
		{"/json", 500, []string{"500 Internal Server Error", `a JSON body: "{\"error\":\"server_error\"}"`}},
		{"/empty", 503, []string{"503 Service Unavailable", "an empty body"}},
	}
	for _, tc := range cases {
		_, err := c.Get(context.Background(), "https://idp.test"+tc.path)
		var se *idpfetch.StatusError
		if !errors.As(err, &se) || se.StatusCode != tc.wantStatus {
			t.Errorf("%s: error %v, want a StatusError %d", tc.path, err, tc.wantStatus)
			continue
		}
		for _, want := range tc.wantText {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: message %q lacks %q", tc.path, err, want)
			}
		}
	}
}

func TestGet_untrustedCAFailsButServedChainStillReturnsTheChain(t *testing.T) {
	s, c := localClient(t, localidp.Config{
		CAs:   []localidp.CAConfig{{Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{{Name: "idp.test", CA: "rogue"}},
	}, idpfetch.Config{})
	_, err := c.Get(context.Background(), localidp.DiscoveryURL(s.Issuer()))
	var ce *idpfetch.CertificateError
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ce) || !errors.As(err, &ua) {
		t.Fatalf("Get: %v, want a CertificateError wrapping x509.UnknownAuthorityError", err)
	}
	if !strings.Contains(err.Error(), "CA bundle") {
		t.Errorf("message %q should point at the CA bundle", err)
	}
	chain, err := c.ServedChain(context.Background(), "idp.test")
	if err != nil {
		t.Fatalf("ServedChain: %v", err)
	}
	if !errors.As(chain.VerifyErr, &ua) {
		t.Errorf("VerifyErr %v, want x509.UnknownAuthorityError", chain.VerifyErr)
	}
	if !sameCerts(chain.Certificates, s.Host("idp.test").Served()) {
		t.Error("the returned chain differs from the served one")
	}
	// The JWKS on the same host fails the same way without another handshake.
	if _, err := c.Get(context.Background(), localidp.DefaultJWKSURI(s.Issuer())); !errors.As(err, &ce) {
		t.Errorf("JWKS Get: %v, want a CertificateError", err)
	}
	if n := s.Handshakes("idp.test"); n != 1 {
		t.Errorf("%d handshakes, want 1", n)
	}
}

func TestServedChain_reportsAnExpiredLeafNextToTheChain(t *testing.T) {
	s, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "idp.test", ExpiredLeaf: true}}}, idpfetch.Config{})
	chain, err := c.ServedChain(context.Background(), "idp.test")
	if err != nil {
		t.Fatal(err)
	}
	var inv x509.CertificateInvalidError
	if !errors.As(chain.VerifyErr, &inv) || inv.Reason != x509.Expired {
		t.Errorf("VerifyErr %v, want an expired-certificate error", chain.VerifyErr)
	}
	if !chain.Certificates[0].Equal(s.Host("idp.test").Leaf()) {
		t.Error("first certificate is not the expired leaf")
	}
}

func TestServedChain_keepsTheServedOrder(t *testing.T) {
	s, c := localClient(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "two", Intermediates: 2}},
		Hosts: []localidp.HostConfig{
			{Name: "wrong.test", CA: "two", Chain: localidp.ChainWrongOrder},
			{Name: "rooted.test", Chain: localidp.ChainWithRoot},
			{Name: "leaf.test", Chain: localidp.ChainLeafOnly},
		},
	}, idpfetch.Config{})
	for _, name := range []string{"wrong.test", "rooted.test", "leaf.test"} {
		chain, err := c.ServedChain(context.Background(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !sameCerts(chain.Certificates, s.Host(name).Served()) {
			t.Errorf("%s: chain not returned in the served order", name)
		}
		if chain.Address != name+":443" || chain.ServerName != name || chain.Proxy != s.ProxyURL() || chain.TLSVersion != "TLS 1.3" {
			t.Errorf("%s: Address %q ServerName %q Proxy %q TLSVersion %q", name, chain.Address, chain.ServerName, chain.Proxy, chain.TLSVersion)
		}
	}
	// Out-of-order intermediates still verify (clients sort them out); a leaf alone
	// does not, since the intermediate is missing.
	if chain, _ := c.ServedChain(context.Background(), "wrong.test"); chain.VerifyErr != nil {
		t.Errorf("wrong.test: VerifyErr %v, want nil", chain.VerifyErr)
	}
	if chain, _ := c.ServedChain(context.Background(), "leaf.test"); chain.VerifyErr == nil {
		t.Error("leaf.test: a leaf without its intermediate verified")
	}
}

func TestServedChain_acceptsHostHostPortAndURLAsOneTarget(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	for _, target := range []string{"idp.test", "IDP.test:443", "https://idp.test/.well-known/jwks.json", "https://idp.test:443"} {
		chain, err := c.ServedChain(context.Background(), target)
		if err != nil {
			t.Fatalf("%q: %v", target, err)
		}
		if chain.Address != "idp.test:443" || !sameCerts(chain.Certificates, s.Host("idp.test").Served()) {
			t.Errorf("%q: address %q", target, chain.Address)
		}
	}
	if n := s.Handshakes("idp.test"); n != 1 {
		t.Errorf("%d handshakes for four spellings of one host, want 1", n)
	}
	for _, target := range []string{"http://idp.test", "idp.test:0", "idp.test:https", "", "https://", "idp.test/path"} {
		if _, err := c.ServedChain(context.Background(), target); err == nil {
			t.Errorf("%q accepted", target)
		}
	}
}

func TestServedChain_refusesTLSBelow12(t *testing.T) {
	_, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "old.test", MaxTLSVersion: tls.VersionTLS11}}}, idpfetch.Config{})
	_, err := c.ServedChain(context.Background(), "old.test")
	if err == nil || !strings.Contains(err.Error(), "old.test:443") {
		t.Errorf("error %v, want a handshake failure naming old.test:443", err)
	}
}

func TestProxy_connectTunnelIsUsed(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	if _, err := c.Get(context.Background(), localidp.DiscoveryURL(s.Issuer())); err != nil {
		t.Fatal(err)
	}
	if n := s.Connects("idp.test"); n != 1 {
		t.Errorf("%d CONNECTs to idp.test, want 1", n)
	}
}

func TestProxy_settingsAndFallbacks(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		cfg  func(proxy string) idpfetch.Config
	}{
		{"HTTPS_PROXY from the environment", map[string]string{"HTTPS_PROXY": "{proxy}"}, func(string) idpfetch.Config { return idpfetch.Config{} }},
		{"https_proxy lower case", map[string]string{"https_proxy": "{proxy}"}, func(string) idpfetch.Config { return idpfetch.Config{} }},
		{"configured HTTPS proxy", nil, func(p string) idpfetch.Config { return idpfetch.Config{HTTPSProxy: p} }},
		{"configured HTTPS proxy wins over the environment", map[string]string{"HTTPS_PROXY": "http://127.0.0.1:1"}, func(p string) idpfetch.Config { return idpfetch.Config{HTTPSProxy: p} }},
		{"configured HTTP proxy applies to https", nil, func(p string) idpfetch.Config { return idpfetch.Config{HTTPProxy: p} }},
		{"bare host:port", nil, func(p string) idpfetch.Config { return idpfetch.Config{HTTPSProxy: strings.TrimPrefix(p, "http://")} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearProxyEnv(t)
			s := localidp.StartForTest(t, localidp.Config{})
			for k, v := range tc.env {
				t.Setenv(k, strings.ReplaceAll(v, "{proxy}", s.ProxyURL()))
			}
			cfg := tc.cfg(s.ProxyURL())
			cfg.RootCAs = s.RootPool()
			c, err := idpfetch.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Get(context.Background(), localidp.DiscoveryURL(s.Issuer())); err != nil {
				t.Fatal(err)
			}
			if n := s.Connects("idp.test"); n != 1 {
				t.Errorf("%d CONNECTs, want 1", n)
			}
		})
	}
}

func TestNoProxy_hostsListedGoDirect(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		t.Run(fmt.Sprintf("env=%t", viaEnv), func(t *testing.T) {
			clearProxyEnv(t)
			s := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://idp.test", JWKSURI: "https://keys.test/jwks"}}})
			proxyAddr := strings.TrimPrefix(s.ProxyURL(), "http://")
			var direct atomic.Int32
			cfg := idpfetch.Config{
				RootCAs:    s.RootPool(),
				HTTPSProxy: s.ProxyURL(),
				// Stands in for DNS: idp.test resolves to the local listener.
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					switch addr {
					case "idp.test:443":
						direct.Add(1)
						addr = s.Addr()
					case proxyAddr:
					default:
						return nil, fmt.Errorf("test dialer: no route to %s", addr)
					}
					var d net.Dialer
					return d.DialContext(ctx, network, addr)
				},
			}
			if viaEnv {
				t.Setenv("NO_PROXY", "example.com,idp.test")
			} else {
				cfg.NoProxy = "example.com,idp.test"
			}
			c, err := idpfetch.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Get(context.Background(), localidp.DiscoveryURL(s.Issuer())); err != nil {
				t.Fatal(err)
			}
			chain, err := c.ServedChain(context.Background(), "keys.test")
			if err != nil {
				t.Fatal(err)
			}
			if s.Connects("idp.test") != 0 || direct.Load() != 1 {
				t.Errorf("idp.test: %d CONNECTs and %d direct dials, want 0 and 1", s.Connects("idp.test"), direct.Load())
			}
			if s.Connects("keys.test") != 1 || chain.Proxy == "" {
				t.Errorf("keys.test (not in NO_PROXY): %d CONNECTs, proxy %q; want 1 through the proxy", s.Connects("keys.test"), chain.Proxy)
			}
		})
	}
}

func TestProxy_refusalAndCredentials(t *testing.T) {
	clearProxyEnv(t)
	s := localidp.StartForTest(t, localidp.Config{ProxyUser: "user", ProxyPassword: "s3cret"})
	withCreds := strings.Replace(s.ProxyURL(), "http://", "http://user:s3cret@", 1)
	wrongCreds := strings.Replace(s.ProxyURL(), "http://", "http://user:hunter2@", 1)
	cases := []struct {
		name, proxy, url string
		wantStatus       int
	}{
		{"credentials accepted", withCreds, localidp.DiscoveryURL(s.Issuer()), 0},
		{"no credentials", s.ProxyURL(), localidp.DiscoveryURL(s.Issuer()), http.StatusProxyAuthRequired},
		{"wrong credentials", wrongCreds, localidp.DiscoveryURL(s.Issuer()), http.StatusProxyAuthRequired},
		{"host the proxy refuses", withCreds, "https://unknown.test/.well-known/openid-configuration", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := idpfetch.New(idpfetch.Config{RootCAs: s.RootPool(), HTTPSProxy: tc.proxy})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.Get(context.Background(), tc.url)
			if tc.wantStatus == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var pe *idpfetch.ProxyError
			if !errors.As(err, &pe) || pe.StatusCode != tc.wantStatus {
				t.Fatalf("error %v, want a ProxyError %d", err, tc.wantStatus)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("message %q shows the proxy password", err)
			}
		})
	}
}

func TestClient_tenConcurrentCallersShareOneFetchAndOneHandshakePerHost(t *testing.T) {
	s, c := localClient(t, localidp.Config{
		Hosts:   []localidp.HostConfig{{Name: "keys.test", CA: "keys"}},
		Issuers: []localidp.IssuerConfig{{URL: "https://idp.test", JWKSURI: "https://keys.test/jwks"}},
	}, idpfetch.Config{})
	ctx := context.Background()
	// Each caller does what a data source does: discovery, JWKS, then the chains of
	// the JWKS host and the issuer host.
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(ctx, localidp.DiscoveryURL(s.Issuer()))
			if err != nil {
				errs <- err
				return
			}
			var doc struct {
				JWKSURI string `json:"jwks_uri"`
			}
			if err := json.Unmarshal(resp.Body, &doc); err != nil {
				errs <- err
				return
			}
			if _, err := c.Get(ctx, doc.JWKSURI); err != nil {
				errs <- err
				return
			}
			for _, host := range []string{doc.JWKSURI, s.Issuer()} {
				if _, err := c.ServedChain(ctx, host); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	counts := map[string]int{
		"discovery requests":   s.Requests("idp.test", discoveryPath),
		"JWKS requests":        s.Requests("keys.test", "/jwks"),
		"idp.test handshakes":  s.Handshakes("idp.test"),
		"keys.test handshakes": s.Handshakes("keys.test"),
		"idp.test CONNECTs":    s.Connects("idp.test"),
		"keys.test CONNECTs":   s.Connects("keys.test"),
	}
	for what, n := range counts {
		if n != 1 {
			t.Errorf("%s: %d, want 1", what, n)
		}
	}
}

func TestClient_chainReadFirstLeavesItsConnectionForGet(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	ctx := context.Background()
	if _, err := c.ServedChain(ctx, "idp.test"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{localidp.DiscoveryURL(s.Issuer()), localidp.DefaultJWKSURI(s.Issuer())} {
		if _, err := c.Get(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if h, n := s.Handshakes("idp.test"), s.Connects("idp.test"); h != 1 || n != 1 {
		t.Errorf("%d handshakes and %d CONNECTs, want 1 and 1", h, n)
	}
}

func TestClient_failuresAreRememberedForTheRun(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	ctx := context.Background()
	var wg sync.WaitGroup
	var statusErrs atomic.Int32
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var se *idpfetch.StatusError
			if _, err := c.Get(ctx, "https://idp.test/missing"); errors.As(err, &se) {
				statusErrs.Add(1)
			}
		}()
	}
	wg.Wait()
	if _, err := c.Get(ctx, "https://idp.test/missing"); err == nil {
		t.Error("a later Get succeeded")
	}
	if n := s.Requests("idp.test", "/missing"); n != 1 || statusErrs.Load() != 10 {
		t.Errorf("%d requests, %d callers with a StatusError; want 1 and 10", n, statusErrs.Load())
	}

	// A host the proxy refuses is asked once.
	for range 3 {
		if _, err := c.ServedChain(ctx, "gone.test"); err == nil {
			t.Fatal("ServedChain through a refusing proxy succeeded")
		}
	}
	if _, err := c.Get(ctx, "https://gone.test/x"); err == nil {
		t.Fatal("Get through a refusing proxy succeeded")
	}
	if got := s.RefusedConnects(); len(got) != 1 {
		t.Errorf("refused CONNECTs %v, want exactly one", got)
	}
}

func TestGet_callerGivingUpDoesNotFailOthers(t *testing.T) {
	s, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	if err := s.SetRoute("idp.test", "/slow", localidp.JSON(map[string]any{"ok": true}).WithDelay(time.Second)); err != nil {
		t.Fatal(err)
	}
	impatient, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Get(impatient, "https://idp.test/slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("impatient caller: %v, want its own deadline", err)
	}
	if _, err := c.Get(context.Background(), "https://idp.test/slow"); err != nil {
		t.Errorf("patient caller: %v", err)
	}
	if n := s.Requests("idp.test", "/slow"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestWithCABundle_addsRootsWithItsOwnCache(t *testing.T) {
	s, base := localClient(t, localidp.Config{}, idpfetch.Config{RootCAs: x509.NewCertPool()})
	ctx := context.Background()
	var ce *idpfetch.CertificateError
	if _, err := base.Get(ctx, localidp.DiscoveryURL(s.Issuer())); !errors.As(err, &ce) {
		t.Fatalf("base client: %v, want a CertificateError", err)
	}
	d1, err := base.WithCABundle(s.CABundlePEM())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d1.Get(ctx, localidp.DiscoveryURL(s.Issuer())); err != nil {
		t.Fatalf("client with the bundle: %v", err)
	}
	if d2, _ := base.WithCABundle(s.CABundlePEM()); d2 != d1 {
		t.Error("the same bundle gave a second client; data sources sharing it would not share fetches")
	}
	if same, _ := base.WithCABundle([]byte("  \n")); same != base {
		t.Error("an empty bundle did not return the client itself")
	}
	if _, err := base.WithCABundle([]byte("not pem")); err == nil || !strings.Contains(err.Error(), "no PEM CERTIFICATE") {
		t.Errorf("garbage bundle: %v", err)
	}
	if n := s.Requests("idp.test", discoveryPath); n != 1 {
		t.Errorf("%d requests, want 1 (the base client failed before sending one)", n)
	}
	_ = base.Close()
	if _, err := d1.Get(ctx, "https://idp.test/other"); !errors.Is(err, idpfetch.ErrClosed) {
		t.Errorf("derived client after Close of its parent: %v, want ErrClosed", err)
	}
}

func TestNew_rejectsUnusableSettings(t *testing.T) {
	clearProxyEnv(t)
	key := "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
	cases := map[string]struct {
		cfg  idpfetch.Config
		want string
	}{
		"bundle without certificates": {idpfetch.Config{CABundlePEM: []byte("hello")}, "no PEM CERTIFICATE"},
		"bundle with a key":           {idpfetch.Config{CABundlePEM: []byte(key)}, `"PRIVATE KEY"`},
		"bad certificate":             {idpfetch.Config{CABundlePEM: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}, "PEM block 1"},
		"socks proxy":                 {idpfetch.Config{HTTPSProxy: "socks5://127.0.0.1:1080"}, "not supported"},
		"proxy password redacted":     {idpfetch.Config{HTTPSProxy: "ftp://u:topsecret@proxy:1"}, "xxxxx"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := idpfetch.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "topsecret") {
				t.Errorf("message %q shows the proxy password", err)
			}
		})
	}
}

func TestGet_refusesURLsItDoesNotFetch(t *testing.T) {
	clearProxyEnv(t)
	c, err := idpfetch.New(idpfetch.Config{RootCAs: x509.NewCertPool()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, u := range []string{"http://idp.test/x", "ftp://idp.test/x", "https:///x", "https://user:pw@idp.test/", "://bad"} {
		if _, err := c.Get(context.Background(), u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

func TestGet_loopbackServerIsReachedDirectly(t *testing.T) {
	clearProxyEnv(t)
	// A proxy in the environment never applies to loopback addresses.
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	var handshakes atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"path":"` + r.URL.Path + `"}`))
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		handshakes.Add(1)
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	c := httptestClient(t, srv, idpfetch.Config{})
	for _, p := range []string{"/a", "/b", "/a"} {
		if _, err := c.Get(context.Background(), srv.URL+p); err != nil {
			t.Fatal(err)
		}
	}
	chain, err := c.ServedChain(context.Background(), srv.URL)
	if err != nil || chain.VerifyErr != nil || chain.Proxy != "" {
		t.Fatalf("ServedChain: %v, verify %v, proxy %q", err, chain.VerifyErr, chain.Proxy)
	}
	if n := handshakes.Load(); n != 1 {
		t.Errorf("%d handshakes, want 1", n)
	}
}

func TestLogger_receivesFetchAndHandshakeEvents(t *testing.T) {
	var mu sync.Mutex
	var events []string
	_, c := localClient(t, localidp.Config{}, idpfetch.Config{Logger: func(_ context.Context, msg string, f map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, fmt.Sprintf("%s %v", msg, f))
	}})
	if _, err := c.Get(context.Background(), "https://idp.test/.well-known/openid-configuration"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(events, "\n")
	for _, want := range []string{
		"fetching IdP URL map[url:https://idp.test/.well-known/openid-configuration]",
		"TLS handshake with IdP host",
		"address:idp.test:443",
		"verified:true",
		"fetched IdP URL",
		"status:200",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("log lacks %q:\n%s", want, all)
		}
	}
}

func TestClose_laterCallsFail(t *testing.T) {
	_, c := localClient(t, localidp.Config{}, idpfetch.Config{})
	if _, err := c.ServedChain(context.Background(), "idp.test"); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if _, err := c.Get(context.Background(), "https://idp.test/"); !errors.Is(err, idpfetch.ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if _, err := c.ServedChain(context.Background(), "idp.test"); !errors.Is(err, idpfetch.ErrClosed) {
		t.Errorf("ServedChain after Close: %v", err)
	}
}

func TestClient_concurrentURLsAndChainReadsOnOneHostShareOneHandshake(t *testing.T) {
	routes := map[string]localidp.Route{}
	for i := range 10 {
		routes[fmt.Sprintf("/doc%d", i)] = localidp.JSON(map[string]any{"n": i})
	}
	s, c := localClient(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "idp.test", Routes: routes}}}, idpfetch.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 10 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := c.Get(context.Background(), fmt.Sprintf("https://idp.test/doc%d", i)); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := c.ServedChain(context.Background(), "idp.test"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range 10 {
		if n := s.Requests("idp.test", fmt.Sprintf("/doc%d", i)); n != 1 {
			t.Errorf("/doc%d: %d requests, want 1", i, n)
		}
	}
	if h := s.Handshakes("idp.test"); h != 1 {
		t.Errorf("%d handshakes, want 1", h)
	}
}

func TestClient_keptConnectionClosedByTheServerIsReplaced(t *testing.T) {
	clearProxyEnv(t)
	var handshakes atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		handshakes.Add(1)
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	c := httptestClient(t, srv, idpfetch.Config{})
	if _, err := c.ServedChain(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	// The server drops the idle connection the chain read left behind.
	srv.CloseClientConnections()
	time.Sleep(100 * time.Millisecond)
	if _, err := c.Get(context.Background(), srv.URL+"/doc"); err != nil {
		t.Fatalf("Get after the server closed the kept connection: %v", err)
	}
	if n := handshakes.Load(); n != 2 {
		t.Errorf("%d handshakes, want 2 (the closed connection replaced once)", n)
	}
}

func TestProxy_httpsProxyIsReachedOverTLS(t *testing.T) {
	clearProxyEnv(t)
	s := localidp.StartForTest(t, localidp.Config{})
	// A TLS front for the local proxy, with httptest's certificate for 127.0.0.1.
	front := httptest.NewUnstartedServer(http.NotFoundHandler())
	front.StartTLS()
	defer front.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", front.TLS.Clone())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		back, err := net.Dial("tcp", strings.TrimPrefix(s.ProxyURL(), "http://"))
		if err != nil {
			return
		}
		defer back.Close()
		done := make(chan struct{}, 2)
		go func() { _, _ = io.Copy(back, conn); done <- struct{}{} }()
		go func() { _, _ = io.Copy(conn, back); done <- struct{}{} }()
		<-done
	}()

	roots := s.RootPool()
	roots.AddCert(front.Certificate())
	c, err := idpfetch.New(idpfetch.Config{RootCAs: roots, HTTPSProxy: "https://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	chain, err := c.ServedChain(context.Background(), "idp.test")
	if err != nil {
		t.Fatal(err)
	}
	if chain.VerifyErr != nil || !strings.HasPrefix(chain.Proxy, "https://127.0.0.1:") || s.Connects("idp.test") != 1 {
		t.Errorf("verify %v, proxy %q, CONNECTs %d", chain.VerifyErr, chain.Proxy, s.Connects("idp.test"))
	}
}
