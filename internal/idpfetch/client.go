package idpfetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// ErrClosed is returned by calls on a Client after Close.
var ErrClosed = errors.New("idpfetch: client is closed")

// Response is a successful (2xx) answer to Get.
type Response struct {
	// URL is the URL fetched. Redirects are never followed, so it is the URL asked
	// for (with the host in lower case and any fragment dropped).
	URL         string
	StatusCode  int
	ContentType string
	// Body is at most Config.MaxBodyBytes long.
	Body []byte
	// PeerCertificates is the chain the server sent, in the order sent.
	PeerCertificates []*x509.Certificate
}

func (r *Response) clone() *Response {
	if r == nil {
		return nil
	}
	out := *r
	out.Body = bytes.Clone(r.Body)
	out.PeerCertificates = append([]*x509.Certificate(nil), r.PeerCertificates...)
	return &out
}

// Client fetches documents from IdPs and reads their certificate chains. It is meant to
// live for one Terraform run: every URL is fetched once and every host gets one TLS
// handshake, whatever the number of concurrent callers, and failures are remembered as
// well as successes. Its methods are safe for concurrent use.
type Client struct {
	cfg Config
	// roots returns the trusted roots, built at the first handshake that needs them:
	// reading the system roots takes tens of milliseconds, which a run that reads no
	// IdP should not pay. Every later call returns the same pool.
	roots func() (*x509.CertPool, error)
	proxy func(*url.URL) (*url.URL, error)
	http  *http.Client
	tr    *http.Transport

	fetchGroup singleflight.Group
	hsGroup    singleflight.Group

	mu      sync.Mutex
	closed  bool
	fetches map[string]fetchResult
	hosts   map[string]*hostState
	derived map[[sha256.Size]byte]*Client
}

type fetchResult struct {
	resp *Response
	err  error
}

// New returns a Client for cfg. It fails on an unreadable CA bundle or proxy setting.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	extra, err := parseBundle(cfg.CABundlePEM)
	if err != nil {
		return nil, err
	}
	pc, err := cfg.proxySettings()
	if err != nil {
		return nil, err
	}
	base := cfg.RootCAs
	roots := sync.OnceValues(func() (*x509.CertPool, error) { return rootPool(base, extra) })
	return newClient(cfg, roots, pc.ProxyFunc()), nil
}

func newClient(cfg Config, roots func() (*x509.CertPool, error), proxy func(*url.URL) (*url.URL, error)) *Client {
	c := &Client{
		cfg:     cfg,
		roots:   roots,
		proxy:   proxy,
		fetches: map[string]fetchResult{},
		hosts:   map[string]*hostState{},
		derived: map[[sha256.Size]byte]*Client{},
	}
	c.tr = &http.Transport{
		// Proxies are handled by the TLS dialer so that the chain of every
		// connection, proxied or not, is captured from the handshake.
		Proxy:          nil,
		DialTLSContext: c.dialForHTTP,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("idpfetch: plain-text connections are not made")
		},
		// One connection per host: concurrent requests queue for it instead of
		// opening (and handshaking) a second one.
		MaxConnsPerHost:        1,
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: cfg.MaxHeaderBytes,
		// HTTP/1.1 only: a non-nil empty map turns HTTP/2 off.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	c.http = &http.Client{
		Transport:     c.tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// WithCABundle returns a Client that also trusts the roots in bundle (for a data
// source's own ca_bundle). It shares the configuration (proxy, timeouts, limits,
// logger) but no cache or connection, since its answers depend on other roots; the
// same bundle always yields the same Client, so data sources using one bundle still
// share one fetch per URL. An empty bundle returns c itself.
func (c *Client) WithCABundle(bundle []byte) (*Client, error) {
	if len(bytes.TrimSpace(bundle)) == 0 {
		return c, nil
	}
	key := sha256.Sum256(bundle)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if d, ok := c.derived[key]; ok {
		return d, nil
	}
	extra, err := parseBundle(bundle)
	if err != nil {
		return nil, err
	}
	parent := c.roots
	roots := sync.OnceValues(func() (*x509.CertPool, error) {
		base, err := parent()
		if err != nil {
			return nil, err
		}
		return rootPool(base, extra)
	})
	cfg := c.cfg
	cfg.CABundlePEM = nil
	d := newClient(cfg, roots, c.proxy)
	c.derived[key] = d
	return d, nil
}

// Close drops idle connections, including those kept from ServedChain, and closes
// every Client made by WithCABundle. Later calls return ErrClosed. Closing is
// optional: the connections also end with the process.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	derived := make([]*Client, 0, len(c.derived))
	for _, d := range c.derived {
		derived = append(derived, d)
	}
	for _, st := range c.hosts {
		if st.spare != nil {
			st.spare.Close()
			st.spare = nil
		}
	}
	c.mu.Unlock()
	c.tr.CloseIdleConnections()
	for _, d := range derived {
		_ = d.Close()
	}
	return nil
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.cfg.Logger != nil {
		c.cfg.Logger(ctx, msg, fields)
	}
}

// Get fetches an https URL with certificate verification. The first call for a URL
// does the request; every other call for it on this Client, concurrent or later,
// gets the same outcome (the body is copied for each caller). A caller whose ctx ends
// first gets ctx's error without disturbing the others.
//
// Errors: *RedirectError for 3xx, *StatusError for other non-2xx answers,
// *BodyTooLargeError, *HeadersTooLargeError, *CertificateError when the chain does not
// verify, *ProxyError
// when a proxy refuses the tunnel; a timeout wraps context.DeadlineExceeded.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	u, err := fetchURL(rawURL)
	if err != nil {
		return nil, err
	}
	if c.isClosed() {
		return nil, ErrClosed
	}
	key := u.String()
	c.mu.Lock()
	r, done := c.fetches[key]
	c.mu.Unlock()
	if done {
		c.log(ctx, "IdP fetch served from this run's cache", map[string]any{"url": key, "error": errString(r.err)})
		return r.resp.clone(), r.err
	}

	// The fetch runs detached from the first caller's cancellation so that one
	// impatient caller cannot fail it for all; it keeps ctx's values for logging.
	ch := c.fetchGroup.DoChan(key, func() (any, error) {
		resp, err := c.fetch(context.WithoutCancel(ctx), u)
		c.mu.Lock()
		c.fetches[key] = fetchResult{resp, err}
		c.mu.Unlock()
		return resp, err
	})
	select {
	case res := <-ch:
		resp, _ := res.Val.(*Response)
		return resp.clone(), res.Err
	case <-ctx.Done():
		return nil, fmt.Errorf("GET %s: %w", key, context.Cause(ctx))
	}
}

// fetchURL checks and normalizes a URL for Get.
func fetchURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL %q does not parse: %w", raw, err)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q: only https URLs are fetched, the scheme is %q", raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("URL %q has no host", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("URL %q: user information in an IdP URL is not supported", u.Redacted())
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

func (c *Client) fetch(ctx context.Context, u *url.URL) (*Response, error) {
	key := u.String()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, key, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", key, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json, application/jwk-set+json;q=0.9, */*;q=0.1")

	start := time.Now()
	c.log(ctx, "fetching IdP URL", map[string]any{"url": key})
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.transportError(u, err)
		c.log(ctx, "IdP fetch failed", map[string]any{"url": key, "error": err.Error(), "duration_ms": time.Since(start).Milliseconds()})
		return nil, err
	}
	defer resp.Body.Close()

	limit := c.cfg.MaxBodyBytes
	if resp.StatusCode/100 == 2 && resp.ContentLength > limit {
		return nil, &BodyTooLargeError{URL: key, Limit: limit, Size: resp.ContentLength}
	}
	// Read up to the limit whatever the status: a fully read body keeps the
	// connection (and its handshake) for the next URL on the host.
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, c.transportError(u, err)
	}
	ctype := resp.Header.Get("Content-Type")
	c.log(ctx, "fetched IdP URL", map[string]any{
		"url": key, "status": resp.StatusCode, "content_type": ctype,
		"bytes": len(body), "duration_ms": time.Since(start).Milliseconds(),
	})

	switch {
	case resp.StatusCode/100 == 3:
		loc := ""
		if l, err := resp.Location(); err == nil {
			loc = l.String()
		} else if raw := resp.Header.Get("Location"); raw != "" {
			loc = raw
		}
		return nil, &RedirectError{URL: key, StatusCode: resp.StatusCode, Status: resp.Status, Location: loc}
	case resp.StatusCode/100 != 2:
		return nil, &StatusError{URL: key, StatusCode: resp.StatusCode, Status: resp.Status, ContentType: ctype, Body: DescribeBody(ctype, body)}
	case int64(len(body)) > limit:
		return nil, &BodyTooLargeError{URL: key, Limit: limit, Size: resp.ContentLength}
	}
	var peers []*x509.Certificate
	if resp.TLS != nil {
		peers = resp.TLS.PeerCertificates
	}
	return &Response{URL: key, StatusCode: resp.StatusCode, ContentType: ctype, Body: body, PeerCertificates: peers}, nil
}

// transportError turns a failed request into an error that names the URL once and
// says what went wrong.
func (c *Client) transportError(u *url.URL, err error) error {
	key := u.String()
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	// net/http reports headers over Transport.MaxResponseHeaderBytes with this
	// message only; it exports no error value for it.
	if strings.Contains(err.Error(), "server response headers exceeded") {
		return &HeadersTooLargeError{URL: key, Host: u.Host, Limit: c.cfg.MaxHeaderBytes}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		}
		return fmt.Errorf("GET %s: no complete answer within %s: %w", key, c.cfg.Timeout, err)
	}
	return fmt.Errorf("GET %s: %w", key, err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
