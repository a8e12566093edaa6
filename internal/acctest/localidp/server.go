package localidp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config describes what a Server serves. The zero Config serves DefaultIssuer with the
// default document and keys on host idp.test, chained to the trusted DefaultCA.
type Config struct {
	// CAs declares certificate authorities. DefaultCA and any CA a host names are
	// created trusted with one intermediate unless declared here.
	CAs []CAConfig
	// Hosts declares host names with their certificates and route overrides. Hosts
	// named by an issuer URL or a jwks_uri are added with defaults when not declared.
	Hosts []HostConfig
	// Issuers are the IdPs served: each gets its discovery document and JWKS routes.
	// When empty, DefaultIssuer is served.
	Issuers []IssuerConfig
	// ProxyUser and ProxyPassword, when set, make the proxy demand Basic
	// Proxy-Authorization and answer 407 without it.
	ProxyUser, ProxyPassword string
	// Logf receives the servers' internal errors (TLS handshakes refused by clients,
	// proxy failures); they are dropped when nil.
	Logf func(format string, args ...any)
}

// HostConfig declares one TLS host name.
type HostConfig struct {
	// Name is the DNS name served, without port. Required.
	Name string
	// CA names the authority that signs the leaf; DefaultCA when empty. Hosts under
	// one CA share its root and intermediates; give a host its own CA name for a
	// separate chain.
	CA string
	// Chain picks which certificates the host sends, and in which order.
	Chain ChainLayout
	// Serve, when not empty, overrides Chain with explicit indices into
	// Host.FullChain (0 is the leaf, then intermediates from the issuing one up,
	// then the root); it must start with 0.
	Serve []int
	// ExpiredLeaf issues a leaf that expired a day ago.
	ExpiredLeaf bool
	// LeafNotBefore and LeafNotAfter, when set, override the leaf's validity.
	LeafNotBefore, LeafNotAfter time.Time
	// MinTLSVersion and MaxTLSVersion bound the TLS versions the host accepts;
	// zero means crypto/tls defaults.
	MinTLSVersion, MaxTLSVersion uint16
	// Routes maps URL paths to answers; they win over the routes issuers add.
	Routes map[string]Route
}

// IssuerConfig declares one IdP.
type IssuerConfig struct {
	// URL is the issuer as published, for example https://idp.test,
	// https://tenant.test/ (trailing slash) or https://idp.test/org/abc (path). It
	// must be https with no port, query or fragment. Required.
	URL string
	// JWKSURI is where the keys are served; DefaultJWKSURI(URL) when empty. A
	// different host gives a JWKS on another host.
	JWKSURI string
	// Document, when not nil, is served instead of DefaultDocument(URL, JWKSURI).
	Document map[string]any
}

// Server is a running local IdP: a TLS listener serving every configured host name by
// SNI, and a CONNECT proxy that reaches it as <host>:443.
type Server struct {
	cfg     Config
	keys    *signingKeys
	cas     map[string]*CA
	hosts   map[string]*Host
	issuers []string

	tlsLn   net.Listener
	httpSrv *http.Server
	proxy   *proxy
	done    chan struct{}
	serveWG sync.WaitGroup
	closeMu sync.Once

	mu         sync.Mutex
	routes     map[string]map[string]Route // host -> path -> route
	requests   map[string]int              // host + " " + path
	handshakes map[string]int              // SNI name
}

// Start generates the PKI and keys, and starts the TLS server and the proxy on
// 127.0.0.1 with ports chosen by the system. Close stops everything it started.
func Start(cfg Config) (*Server, error) {
	now := time.Now()
	s := &Server{
		cfg:        cfg,
		cas:        map[string]*CA{},
		hosts:      map[string]*Host{},
		done:       make(chan struct{}),
		routes:     map[string]map[string]Route{},
		requests:   map[string]int{},
		handshakes: map[string]int{},
	}
	if err := s.build(now); err != nil {
		return nil, err
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) build(now time.Time) error {
	caCfgs := map[string]CAConfig{}
	for _, c := range s.cfg.CAs {
		if c.Name == "" {
			return errors.New("CA config without a name")
		}
		if _, dup := caCfgs[c.Name]; dup {
			return fmt.Errorf("CA %q declared twice", c.Name)
		}
		caCfgs[c.Name] = c
	}

	issuers := s.cfg.Issuers
	if len(issuers) == 0 {
		issuers = []IssuerConfig{{URL: DefaultIssuer}}
	}

	hostCfgs := map[string]HostConfig{}
	var hostOrder []string
	addHost := func(h HostConfig, declared bool) error {
		name := strings.ToLower(h.Name)
		if name == "" || strings.ContainsAny(name, ":/ ") {
			return fmt.Errorf("host name must be a DNS name without port or path, got %q", h.Name)
		}
		if _, seen := hostCfgs[name]; seen {
			if declared {
				return fmt.Errorf("host %q declared twice", name)
			}
			return nil
		}
		h.Name = name
		hostCfgs[name] = h
		hostOrder = append(hostOrder, name)
		return nil
	}
	for _, h := range s.cfg.Hosts {
		if err := addHost(h, true); err != nil {
			return err
		}
	}

	type issuerRoutes struct {
		host, path string
		route      Route
	}
	var generated []issuerRoutes
	for _, is := range issuers {
		iu, err := servedURL("issuer", is.URL)
		if err != nil {
			return err
		}
		jwksURI := is.JWKSURI
		if jwksURI == "" {
			jwksURI = DefaultJWKSURI(is.URL)
		}
		ju, err := servedURL("jwks_uri", jwksURI)
		if err != nil {
			return err
		}
		for _, u := range []*url.URL{iu, ju} {
			if err := addHost(HostConfig{Name: u.Hostname()}, false); err != nil {
				return err
			}
		}
		doc := is.Document
		if doc == nil {
			doc = DefaultDocument(is.URL, jwksURI)
		}
		du, _ := url.Parse(DiscoveryURL(is.URL))
		generated = append(generated,
			issuerRoutes{strings.ToLower(du.Hostname()), du.EscapedPath(), JSON(doc)},
			issuerRoutes{strings.ToLower(ju.Hostname()), ju.EscapedPath(), Raw(http.StatusOK, "application/json", nil)},
		)
		s.issuers = append(s.issuers, is.URL)
	}

	keys, err := newSigningKeys()
	if err != nil {
		return err
	}
	s.keys = keys
	jwks := s.JWKSJSON()

	for _, name := range hostOrder {
		hc := hostCfgs[name]
		caName := hc.CA
		if caName == "" {
			caName = DefaultCA
		}
		ca, ok := s.cas[caName]
		if !ok {
			cc, declared := caCfgs[caName]
			if !declared {
				cc = CAConfig{Name: caName}
			}
			if ca, err = newCA(cc, now); err != nil {
				return err
			}
			s.cas[caName] = ca
		}
		h, err := newHost(hc, ca, now)
		if err != nil {
			return err
		}
		s.hosts[name] = h
		s.routes[name] = map[string]Route{}
	}
	// Declared CAs no host uses still exist, so tests can hand out their roots.
	for name, cc := range caCfgs {
		if _, ok := s.cas[name]; !ok {
			ca, err := newCA(cc, now)
			if err != nil {
				return err
			}
			s.cas[name] = ca
		}
	}

	for _, g := range generated {
		r := g.route
		if r.Body == nil {
			r.Body = jwks
		}
		s.routes[g.host][g.path] = r
	}
	for _, hc := range s.cfg.Hosts {
		for path, r := range hc.Routes {
			if err := r.validate(); err != nil {
				return fmt.Errorf("host %q path %q: %w", hc.Name, path, err)
			}
			s.routes[strings.ToLower(hc.Name)][path] = r
		}
	}
	return nil
}

// servedURL checks that raw is a URL the server can answer on: https, a host, port 443
// at most implicitly.
func servedURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, raw, err)
	}
	if u.Scheme != "https" || u.Hostname() == "" || u.Port() != "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q: want an https URL with a host name and no port, query or fragment", what, raw)
	}
	return u, nil
}

func (s *Server) listen() error {
	errLog := log.New(io.Discard, "", 0)
	if s.cfg.Logf != nil {
		errLog = log.New(logfWriter(s.cfg.Logf), "localidp: ", 0)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening for TLS on 127.0.0.1: %w", err)
	}
	s.tlsLn = ln
	tlsCfg := &tls.Config{
		MinVersion:         tls.VersionTLS10,
		GetConfigForClient: s.configForClient,
	}
	s.httpSrv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          errLog,
	}
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		_ = s.httpSrv.Serve(tls.NewListener(ln, tlsCfg))
	}()

	p, err := startProxy(s, errLog)
	if err != nil {
		_ = s.Close()
		return err
	}
	s.proxy = p
	return nil
}

type logfWriter func(format string, args ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// configForClient picks the host's certificates by SNI and counts the handshake.
func (s *Server) configForClient(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	name := strings.ToLower(hello.ServerName)
	s.mu.Lock()
	s.handshakes[name]++
	s.mu.Unlock()
	h, ok := s.hosts[name]
	if !ok {
		return nil, fmt.Errorf("localidp: no host %q (SNI) is configured", hello.ServerName)
	}
	minTLS := h.minTLS
	if minTLS == 0 && h.maxTLS != 0 && h.maxTLS < tls.VersionTLS12 {
		// An old-protocol host needs its floor lowered below the TLS 1.2 default.
		minTLS = tls.VersionTLS10
	}
	return &tls.Config{
		Certificates: []tls.Certificate{h.tlsCert},
		MinVersion:   minTLS,
		MaxVersion:   h.maxTLS,
	}, nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	s.mu.Lock()
	s.requests[host+" "+r.URL.Path]++
	paths, knownHost := s.routes[host]
	route, ok := paths[r.URL.Path]
	s.mu.Unlock()

	switch {
	case !knownHost:
		http.Error(w, "localidp: no host "+strconv.Quote(host)+" is configured", http.StatusMisdirectedRequest)
		return
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		http.Error(w, "localidp: only GET and HEAD are served", http.StatusMethodNotAllowed)
		return
	case !ok:
		route = NotFound()
	}

	if route.Delay > 0 {
		t := time.NewTimer(route.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.done:
			// Returning would make net/http complete the response with an empty
			// 200; aborting closes the connection, so the client sees no answer.
			panic(http.ErrAbortHandler)
		}
	}
	for k, vs := range route.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if route.ContentType != "" {
		w.Header().Set("Content-Type", route.ContentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(route.Body)))
	status := route.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(route.Body)
	}
}

// Close stops the proxy and the TLS server, ends slow responses and waits for their
// goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeMu.Do(func() {
		close(s.done)
		if s.proxy != nil {
			s.proxy.close()
		}
		if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.httpSrv.Shutdown(ctx)
			cancel()
			_ = s.httpSrv.Close()
		}
		s.serveWG.Wait()
	})
	return nil
}

// SetRoute replaces what host answers on path (an exact URL path, for example
// /.well-known/openid-configuration). The host must be configured.
func (s *Server) SetRoute(host, path string, r Route) error {
	if err := r.validate(); err != nil {
		return fmt.Errorf("host %q path %q: %w", host, path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	paths, ok := s.routes[strings.ToLower(host)]
	if !ok {
		return fmt.Errorf("host %q is not configured; configured hosts: %s", host, strings.Join(s.hostNames(), ", "))
	}
	paths[path] = r
	return nil
}

func (s *Server) hostNames() []string {
	names := make([]string, 0, len(s.hosts))
	for n := range s.hosts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Issuer returns the first configured issuer URL.
func (s *Server) Issuer() string { return s.issuers[0] }

// Issuers returns every configured issuer URL, in configuration order.
func (s *Server) Issuers() []string { return slices.Clone(s.issuers) }

// Host returns the named host, or nil when it is not configured.
func (s *Server) Host(name string) *Host { return s.hosts[strings.ToLower(name)] }

// Hosts returns every configured host, sorted by name.
func (s *Server) Hosts() []*Host {
	out := make([]*Host, 0, len(s.hosts))
	for _, n := range s.hostNames() {
		out = append(out, s.hosts[n])
	}
	return out
}

// CA returns the named certificate authority, or nil.
func (s *Server) CA(name string) *CA { return s.cas[name] }

// trustedRoots returns the roots of trusted CAs, sorted by CA name for a stable bundle.
func (s *Server) trustedRoots() []*x509.Certificate {
	names := make([]string, 0, len(s.cas))
	for n, ca := range s.cas {
		if ca.trusted {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := make([]*x509.Certificate, 0, len(names))
	for _, n := range names {
		out = append(out, s.cas[n].root)
	}
	return out
}

// CABundlePEM returns the roots of every trusted CA in PEM form: what a client needs as
// its CA bundle. Untrusted CAs are left out.
func (s *Server) CABundlePEM() []byte { return CertificatesPEM(s.trustedRoots()...) }

// RootPool returns a new pool holding the roots of every trusted CA.
func (s *Server) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range s.trustedRoots() {
		pool.AddCert(c)
	}
	return pool
}

// Addr returns the TLS listener's address (127.0.0.1:port). Clients normally reach it
// through the proxy under a host name; this is for dialers that map names themselves.
func (s *Server) Addr() string { return s.tlsLn.Addr().String() }

// ProxyURL returns the proxy's URL, http://127.0.0.1:port, ready for HTTPS_PROXY.
func (s *Server) ProxyURL() string { return "http://" + s.proxy.ln.Addr().String() }

// HTTPClient returns a new client that reaches the configured hosts through the proxy
// and trusts the trusted CAs. It follows no redirects, so tests see them.
func (s *Server) HTTPClient() *http.Client {
	proxyURL, _ := url.Parse(s.ProxyURL())
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:             http.ProxyURL(proxyURL),
			TLSClientConfig:   &tls.Config{RootCAs: s.RootPool(), MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2: false,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Requests returns how many requests host received for path (query excluded).
func (s *Server) Requests(host, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[strings.ToLower(host)+" "+path]
}

// Handshakes returns how many TLS handshakes clients started with SNI host.
func (s *Server) Handshakes(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handshakes[strings.ToLower(host)]
}

// Connects returns how many CONNECT tunnels the proxy opened to host.
func (s *Server) Connects(host string) int { return s.proxy.connects(host) }

// RefusedConnects returns the targets of the CONNECT requests the proxy refused, in
// order.
func (s *Server) RefusedConnects() []string { return s.proxy.refusedTargets() }

// ResetCounters sets every request, handshake and CONNECT count to zero.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	clear(s.requests)
	clear(s.handshakes)
	s.mu.Unlock()
	s.proxy.reset()
}
