package localidp_test

import (
	"bufio"
	"bytes"
	"crypto/sha1" //nolint:gosec // recomputing AWS thumbprints.
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// connectTLS opens a tunnel through the proxy to host:443 and completes a TLS handshake
// without verifying, returning the certificates exactly as served.
func connectTLS(t *testing.T, s *localidp.Server, host string) []*x509.Certificate {
	t.Helper()
	conn := connectTunnel(t, s, host+":443", "", http.StatusOK)
	tc := tls.Client(conn, &tls.Config{ServerName: host, InsecureSkipVerify: true}) //nolint:gosec // reading the chain as served.
	_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake with %s through the proxy: %v", host, err)
	}
	defer tc.Close()
	return tc.ConnectionState().PeerCertificates
}

// connectTunnel sends CONNECT target to the proxy and checks the status it answers.
func connectTunnel(t *testing.T, s *localidp.Server, target, auth string, wantStatus int) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.ProxyURL(), "http://"), 5*time.Second)
	if err != nil {
		t.Fatalf("dialing proxy: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
	if auth != "" {
		req += "Proxy-Authorization: " + auth + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatalf("writing CONNECT: %v", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		t.Fatalf("reading CONNECT response: %v", err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("CONNECT %s: status %d, want %d", target, resp.StatusCode, wantStatus)
	}
	_ = conn.SetDeadline(time.Time{})
	return conn
}

func sha1Hex(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw) //nolint:gosec // the AWS thumbprint is SHA-1.
	return hex.EncodeToString(sum[:])
}

func get(t *testing.T, s *localidp.Server, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.HTTPClient().Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return resp, body
}

func TestStart_leafChainVerifiesAgainstRoot(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "deep", Intermediates: 3}},
		Hosts: []localidp.HostConfig{
			{Name: "idp.test"},
			{Name: "deep.test", CA: "deep"},
		},
	})
	for _, name := range []string{"idp.test", "deep.test"} {
		h := s.Host(name)
		served := h.Served()
		inter := x509.NewCertPool()
		for _, c := range served[1:] {
			inter.AddCert(c)
		}
		chains, err := served[0].Verify(x509.VerifyOptions{DNSName: name, Roots: s.RootPool(), Intermediates: inter})
		if err != nil {
			t.Fatalf("%s: leaf does not verify against the bundle roots: %v", name, err)
		}
		if got, want := len(chains[0]), len(h.FullChain()); got != want {
			t.Errorf("%s: verified path has %d certificates, want %d (leaf, intermediates, root)", name, got, want)
		}
		if h.LastServed() != h.CA().TopIntermediate() {
			t.Errorf("%s: standard chain should end with the top intermediate, ends with %q", name, h.LastServed().Subject)
		}
		if got, want := localidp.Thumbprint(h.LastServed()), sha1Hex(h.CA().TopIntermediate()); got != want {
			t.Errorf("%s: Thumbprint = %s, want %s", name, got, want)
		}
	}
	if !bytes.Contains(s.CABundlePEM(), s.CA("deep").RootPEM()) || !bytes.Contains(s.CABundlePEM(), s.CA(localidp.DefaultCA).RootPEM()) {
		t.Error("CABundlePEM lacks a trusted root")
	}
}

func TestServer_sendsTheConfiguredChainInOrder(t *testing.T) {
	cases := []struct {
		name          string
		intermediates int
		host          localidp.HostConfig
		want          []int // indices into FullChain
	}{
		{"standard", 1, localidp.HostConfig{}, []int{0, 1}},
		{"standard two intermediates", 2, localidp.HostConfig{}, []int{0, 1, 2}},
		{"with root", 1, localidp.HostConfig{Chain: localidp.ChainWithRoot}, []int{0, 1, 2}},
		{"wrong order one intermediate", 1, localidp.HostConfig{Chain: localidp.ChainWrongOrder}, []int{0, 2, 1}},
		{"wrong order two intermediates", 2, localidp.HostConfig{Chain: localidp.ChainWrongOrder}, []int{0, 2, 1}},
		{"wrong order three intermediates", 3, localidp.HostConfig{Chain: localidp.ChainWrongOrder}, []int{0, 3, 2, 1}},
		{"leaf only", 1, localidp.HostConfig{Chain: localidp.ChainLeafOnly}, []int{0}},
		{"duplicate", 1, localidp.HostConfig{Chain: localidp.ChainDuplicate}, []int{0, 1, 1}},
		{"explicit", 2, localidp.HostConfig{Serve: []int{0, 3, 1}}, []int{0, 3, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hc := tc.host
			hc.Name = "idp.test"
			hc.CA = "ca"
			s := localidp.StartForTest(t, localidp.Config{
				CAs:   []localidp.CAConfig{{Name: "ca", Intermediates: tc.intermediates}},
				Hosts: []localidp.HostConfig{hc},
			})
			h := s.Host("idp.test")
			full := h.FullChain()
			got := connectTLS(t, s, "idp.test")
			if len(got) != len(tc.want) {
				t.Fatalf("served %d certificates, want %d", len(got), len(tc.want))
			}
			for i, idx := range tc.want {
				if !got[i].Equal(full[idx]) {
					t.Errorf("position %d: served %q, want %q (FullChain[%d])", i, got[i].Subject, full[idx].Subject, idx)
				}
				if !got[i].Equal(h.Served()[i]) {
					t.Errorf("position %d: Served() says %q, the handshake sent %q", i, h.Served()[i].Subject, got[i].Subject)
				}
			}
		})
	}
}

func TestProxy_tunnelsOnlyConfiguredHostsOnPort443(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	connectTLS(t, s, "idp.test")
	connectTLS(t, s, "IDP.test")
	for _, target := range []string{"other.test:443", "idp.test:8443", s.Addr(), "127.0.0.1:443"} {
		connectTunnel(t, s, target, "", http.StatusForbidden)
	}
	if got := s.Connects("idp.test"); got != 2 {
		t.Errorf("Connects(idp.test) = %d, want 2", got)
	}
	want := []string{"other.test:443", "idp.test:8443", s.Addr(), "127.0.0.1:443"}
	if got := s.RefusedConnects(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("RefusedConnects() = %v, want %v", got, want)
	}
}

func TestProxy_demandsCredentialsWhenConfigured(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{ProxyUser: "u", ProxyPassword: "p"})
	connectTunnel(t, s, "idp.test:443", "", http.StatusProxyAuthRequired)
	connectTunnel(t, s, "idp.test:443", "Basic dTp3cm9uZw==", http.StatusProxyAuthRequired) // u:wrong
	connectTunnel(t, s, "idp.test:443", "Basic dTpw", http.StatusOK)                        // u:p
}

func TestServer_servesDiscoveryAndJWKSForEachIssuerShape(t *testing.T) {
	issuers := []localidp.IssuerConfig{
		{URL: "https://idp.test"},
		{URL: "https://tenant.test/"},
		{URL: "https://paths.test/org/abc"},
		{URL: "https://accounts.test", JWKSURI: "https://keys.test/oauth2/v3/certs"},
	}
	s := localidp.StartForTest(t, localidp.Config{Issuers: issuers})
	wantDiscovery := map[string]string{
		"https://idp.test":           "https://idp.test/.well-known/openid-configuration",
		"https://tenant.test/":       "https://tenant.test/.well-known/openid-configuration",
		"https://paths.test/org/abc": "https://paths.test/org/abc/.well-known/openid-configuration",
		"https://accounts.test":      "https://accounts.test/.well-known/openid-configuration",
	}
	for _, is := range issuers {
		if got := localidp.DiscoveryURL(is.URL); got != wantDiscovery[is.URL] {
			t.Errorf("DiscoveryURL(%q) = %q, want %q", is.URL, got, wantDiscovery[is.URL])
		}
		resp, body := get(t, s, localidp.DiscoveryURL(is.URL))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: status %d, content type %q", is.URL, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var doc struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: discovery document is not JSON: %v", is.URL, err)
		}
		wantJWKS := is.JWKSURI
		if wantJWKS == "" {
			wantJWKS = localidp.DefaultJWKSURI(is.URL)
		}
		if doc.Issuer != is.URL || doc.JWKSURI != wantJWKS {
			t.Errorf("document says issuer %q jwks_uri %q, want %q and %q", doc.Issuer, doc.JWKSURI, is.URL, wantJWKS)
		}
		_, body = get(t, s, doc.JWKSURI)
		keys := fetchJWKSBody(t, body)
		if len(keys.Keys) != 2 || len(keys.Key(localidp.RSAKeyID)) != 1 || len(keys.Key(localidp.ECKeyID)) != 1 {
			t.Errorf("JWKS at %s: %d keys, want the RS256 and ES256 keys", doc.JWKSURI, len(keys.Keys))
		}
	}
	if s.Host("keys.test") == nil {
		t.Error("the jwks_uri host keys.test was not added")
	}
}

func TestServer_separateJWKSHostHasItsOwnChain(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{
		Hosts:   []localidp.HostConfig{{Name: "keys.test", CA: "keys"}},
		Issuers: []localidp.IssuerConfig{{URL: "https://idp.test", JWKSURI: "https://keys.test/jwks"}},
	})
	idp, keys := s.Host("idp.test"), s.Host("keys.test")
	if localidp.Thumbprint(idp.LastServed()) == localidp.Thumbprint(keys.LastServed()) {
		t.Error("issuer and JWKS hosts serve the same top intermediate; want separate chains")
	}
	if got := connectTLS(t, s, "keys.test"); !got[len(got)-1].Equal(keys.CA().TopIntermediate()) {
		t.Errorf("keys.test serves %q last, want its own CA's top intermediate", got[len(got)-1].Subject)
	}
	if resp, _ := get(t, s, "https://keys.test/jwks"); resp.StatusCode != http.StatusOK {
		t.Errorf("JWKS on keys.test: status %d", resp.StatusCode)
	}
}

func TestRoutes_variantsAnswerAsConfigured(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{Hosts: []localidp.HostConfig{{
		Name: "idp.test",
		Routes: map[string]localidp.Route{
			"/redirect":  localidp.Redirect("https://other.test/.well-known/openid-configuration"),
			"/html":      localidp.HTMLPage(http.StatusBadGateway, "502 Bad Gateway"),
			"/invalid":   localidp.InvalidJSON(),
			"/big":       localidp.Oversized(5000),
			"/raw":       localidp.Raw(http.StatusOK, "application/json; charset=utf-8", []byte(`{"issuer":"https://login.test/{tenantid}/v2.0"}`)),
			"/not-found": localidp.NotFound(),
		},
	}}})
	cases := []struct {
		path, wantType string
		wantStatus     int
		check          func(resp *http.Response, body []byte) error
	}{
		{"/redirect", "text/html; charset=utf-8", http.StatusFound, func(r *http.Response, _ []byte) error {
			if l := r.Header.Get("Location"); l != "https://other.test/.well-known/openid-configuration" {
				return fmt.Errorf("Location %q", l)
			}
			return nil
		}},
		{"/html", "text/html; charset=utf-8", http.StatusBadGateway, func(_ *http.Response, b []byte) error {
			if !bytes.Contains(b, []byte("<title>502 Bad Gateway</title>")) {
				return fmt.Errorf("body lacks the title: %s", b)
			}
			return nil
		}},
		{"/invalid", "application/json", http.StatusOK, func(_ *http.Response, b []byte) error {
			if json.Valid(b) {
				return errors.New("body is valid JSON")
			}
			return nil
		}},
		{"/big", "application/json", http.StatusOK, func(_ *http.Response, b []byte) error {
			if len(b) != 5000 || !json.Valid(b) {
				return fmt.Errorf("body is %d bytes (valid JSON: %t), want 5000 bytes of JSON", len(b), json.Valid(b))
			}
			return nil
		}},
		{"/raw", "application/json; charset=utf-8", http.StatusOK, func(_ *http.Response, b []byte) error {
			if !bytes.Contains(b, []byte("{tenantid}")) {
				return fmt.Errorf("body %s", b)
			}
			return nil
		}},
		{"/not-found", "text/plain; charset=utf-8", http.StatusNotFound, nil},
		{"/unconfigured", "text/plain; charset=utf-8", http.StatusNotFound, nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, s, "https://idp.test"+tc.path)
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("Content-Type") != tc.wantType {
				t.Fatalf("status %d content type %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tc.wantStatus, tc.wantType)
			}
			if tc.check != nil {
				if err := tc.check(resp, body); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestRoutes_slowRouteHoldsTheAnswerBack(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	for path, d := range map[string]time.Duration{"/slow": 300 * time.Millisecond, "/slower": 3 * time.Second} {
		if err := s.SetRoute("idp.test", path, localidp.JSON(map[string]any{"ok": true}).WithDelay(d)); err != nil {
			t.Fatal(err)
		}
	}
	c := s.HTTPClient()
	c.Timeout = 100 * time.Millisecond
	if _, err := c.Get("https://idp.test/slower"); err == nil {
		t.Fatal("a client with a 100ms timeout got an answer from a route delayed 3s")
	}
	c.Timeout = 5 * time.Second
	start := time.Now()
	resp, err := c.Get("https://idp.test/slow")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond {
		t.Errorf("answer arrived after %s, want at least the 300ms delay", elapsed)
	}
}

func TestCounters_countRequestsHandshakesConnectsAndReset(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	c := s.HTTPClient()
	for range 3 {
		resp, err := c.Get(localidp.DiscoveryURL(s.Issuer()))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if got := s.Requests("idp.test", "/.well-known/openid-configuration"); got != 3 {
		t.Errorf("Requests = %d, want 3", got)
	}
	if got := s.Requests("idp.test", "/.well-known/jwks.json"); got != 0 {
		t.Errorf("Requests(jwks) = %d, want 0", got)
	}
	// Keep-alive: one tunnel, one handshake for the three requests.
	if h, cn := s.Handshakes("idp.test"), s.Connects("idp.test"); h != 1 || cn != 1 {
		t.Errorf("Handshakes = %d, Connects = %d, want 1 and 1", h, cn)
	}
	s.ResetCounters()
	if s.Requests("idp.test", "/.well-known/openid-configuration") != 0 || s.Handshakes("idp.test") != 0 || s.Connects("idp.test") != 0 {
		t.Error("ResetCounters left a count above zero")
	}
}

func TestHosts_expiredLeafAndUntrustedCAFailVerification(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{
			{Name: "expired.test", ExpiredLeaf: true},
			{Name: "rogue.test", CA: "rogue"},
		},
	})
	exp := s.Host("expired.test").Leaf()
	if !exp.NotAfter.Before(time.Now()) {
		t.Fatalf("expired leaf is valid until %s", exp.NotAfter)
	}
	_, err := s.HTTPClient().Get("https://expired.test/")
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("GET on the expired host: %v, want an expired-certificate error", err)
	}

	if bytes.Contains(s.CABundlePEM(), s.CA("rogue").RootPEM()) {
		t.Error("the untrusted root is in CABundlePEM")
	}
	_, err = s.HTTPClient().Get("https://rogue.test/")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("GET on the untrusted host: %v, want an unknown-authority error", err)
	}
	// The chain itself is sound: it verifies against its own root.
	pool := x509.NewCertPool()
	pool.AddCert(s.CA("rogue").Root())
	inter := x509.NewCertPool()
	inter.AddCert(s.CA("rogue").TopIntermediate())
	if _, err := s.Host("rogue.test").Leaf().Verify(x509.VerifyOptions{DNSName: "rogue.test", Roots: pool, Intermediates: inter}); err != nil {
		t.Errorf("untrusted chain does not verify against its own root: %v", err)
	}
}

func TestStart_rejectsInvalidConfig(t *testing.T) {
	cases := map[string]struct {
		cfg  localidp.Config
		want string
	}{
		"issuer with port":   {localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://idp.test:8443"}}}, "no port"},
		"http issuer":        {localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "http://idp.test"}}}, "https"},
		"jwks with query":    {localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://idp.test", JWKSURI: "https://idp.test/k?x=1"}}}, "query"},
		"delay too long":     {localidp.Config{Hosts: []localidp.HostConfig{{Name: "a.test", Routes: map[string]localidp.Route{"/": localidp.NotFound().WithDelay(time.Hour)}}}}, "delay"},
		"serve without leaf": {localidp.Config{Hosts: []localidp.HostConfig{{Name: "a.test", Serve: []int{1, 0}}}}, "start with the leaf"},
		"serve out of range": {localidp.Config{Hosts: []localidp.HostConfig{{Name: "a.test", Serve: []int{0, 7}}}}, "outside the full chain"},
		"deep CA":            {localidp.Config{CAs: []localidp.CAConfig{{Name: "x", Intermediates: 4}}}, "between 1 and 3"},
		"duplicate host":     {localidp.Config{Hosts: []localidp.HostConfig{{Name: "a.test"}, {Name: "A.test"}}}, "declared twice"},
		"host with port":     {localidp.Config{Hosts: []localidp.HostConfig{{Name: "a.test:443"}}}, "without port"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := localidp.Start(tc.cfg)
			if err == nil {
				_ = s.Close()
				t.Fatalf("Start succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestSetRoute_replacesAnswerAndRejectsUnknownHost(t *testing.T) {
	s := localidp.StartForTest(t, localidp.Config{})
	if err := s.SetRoute("nowhere.test", "/", localidp.NotFound()); err == nil || !strings.Contains(err.Error(), "idp.test") {
		t.Errorf("SetRoute on an unknown host: %v, want an error listing idp.test", err)
	}
	if err := s.SetRoute("idp.test", "/.well-known/openid-configuration", localidp.HTMLPage(http.StatusServiceUnavailable, "Down")); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, s, localidp.DiscoveryURL(s.Issuer())); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d after SetRoute, want 503", resp.StatusCode)
	}
}

func TestClose_stopsServersAndGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := localidp.Start(localidp.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoute("idp.test", "/slow", localidp.NotFound().WithDelay(localidp.MaxDelay)); err != nil {
		t.Fatal(err)
	}
	c := s.HTTPClient()
	resp, err := c.Get(localidp.DiscoveryURL(s.Issuer()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	slowDone := make(chan error, 1)
	go func() {
		resp, err := c.Get("https://idp.test/slow")
		if err == nil {
			resp.Body.Close()
		}
		slowDone <- err
	}()
	// Wait (bounded) until the slow request reached the server.
	for i := 0; i < 200 && s.Requests("idp.test", "/slow") == 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	proxyAddr, tlsAddr := strings.TrimPrefix(s.ProxyURL(), "http://"), s.Addr()

	closed := make(chan struct{})
	go func() { _ = s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s")
	}
	select {
	case err := <-slowDone:
		if err == nil {
			t.Error("the slow request got an answer; Close should have cut it off")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slow request was not ended by Close")
	}
	c.CloseIdleConnections()
	for _, addr := range []string{proxyAddr, tlsAddr} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Close", addr)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	_ = s.Close() // a second Close is harmless
}

func TestIssuerConfig_documentOverrideIsServedAsGiven(t *testing.T) {
	// Entra ID's multi-tenant document: the issuer is a template, not a URL.
	doc := localidp.DefaultDocument("https://login.test/{tenantid}/v2.0", "https://login.test/common/discovery/v2.0/keys")
	doc["subject_types_supported"] = []string{"pairwise"}
	delete(doc, "claims_supported")
	s := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{
		URL:      "https://login.test/common/v2.0",
		JWKSURI:  "https://login.test/common/discovery/v2.0/keys",
		Document: doc,
	}}})
	_, body := get(t, s, "https://login.test/common/v2.0/.well-known/openid-configuration")
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got["issuer"] != "https://login.test/{tenantid}/v2.0" || got["claims_supported"] != nil {
		t.Errorf("served document %s", body)
	}
	if resp, _ := get(t, s, "https://login.test/common/discovery/v2.0/keys"); resp.StatusCode != http.StatusOK {
		t.Errorf("JWKS status %d", resp.StatusCode)
	}
}
