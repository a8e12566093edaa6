package idpfetch

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultDialTimeout      = 10 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultTimeout          = 30 * time.Second
	DefaultMaxBodyBytes     = 1 << 20
	DefaultMaxHeaderBytes   = 64 << 10
	DefaultUserAgent        = "terraform-provider-awsoidc"
)

// Logger receives the client's debug events. The provider routes them to tflog; fields
// never hold response bodies or credentials.
type Logger func(ctx context.Context, msg string, fields map[string]any)

// Config configures a Client. The zero Config verifies against the system roots, takes
// proxies from the environment and applies the defaults above.
type Config struct {
	// CABundlePEM holds extra trusted roots in PEM form, added to RootCAs (or to the
	// system roots when RootCAs is nil). A bundle with no certificate is an error.
	CABundlePEM []byte
	// RootCAs, when not nil, replaces the system roots: only these roots (plus
	// CABundlePEM) are trusted. Tests use it to trust nothing but a local CA.
	RootCAs *x509.CertPool

	// HTTPProxy, HTTPSProxy and NoProxy come from the provider configuration. Each
	// empty one falls back to its environment variable (HTTP_PROXY, HTTPS_PROXY,
	// NO_PROXY, or their lower-case forms). As in the AWS provider's default proxy
	// mode, HTTPProxy also applies to https URLs when no HTTPS proxy is set anywhere.
	// IdP URLs are always https, so the HTTPS proxy is the one that matters. Loopback
	// hosts are never proxied.
	HTTPProxy, HTTPSProxy, NoProxy string

	// DialTimeout bounds each TCP connect (to the IdP or to the proxy).
	DialTimeout time.Duration
	// HandshakeTimeout bounds the proxy CONNECT exchange, and then the TLS
	// handshake, each.
	HandshakeTimeout time.Duration
	// Timeout bounds a whole Get or ServedChain call, body included.
	Timeout time.Duration
	// MaxBodyBytes caps a response body; a larger body is a *BodyTooLargeError.
	MaxBodyBytes int64
	// MaxHeaderBytes caps the status line and headers of a response; more is a
	// *HeadersTooLargeError. Without it net/http reads up to 10 MiB of headers.
	MaxHeaderBytes int64
	// UserAgent is sent with every request and every CONNECT.
	UserAgent string

	// Logger, when not nil, receives debug events.
	Logger Logger

	// DialContext, when not nil, opens the TCP connections (to IdPs and proxies)
	// instead of a net.Dialer. Tests use it to map host names onto loopback
	// listeners; leave it nil otherwise.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	return c
}

// proxySettings merges the configured proxy strings over the environment.
func (c Config) proxySettings() (*httpproxy.Config, error) {
	pc := httpproxy.FromEnvironment()
	// A CGI process would refuse HTTP_PROXY; IdP traffic is https only, and the
	// provider is never a CGI handler.
	pc.CGI = false
	if c.HTTPProxy != "" {
		pc.HTTPProxy = c.HTTPProxy
		if c.HTTPSProxy == "" && pc.HTTPSProxy == "" {
			pc.HTTPSProxy = c.HTTPProxy
		}
	}
	if c.HTTPSProxy != "" {
		pc.HTTPSProxy = c.HTTPSProxy
	}
	if c.NoProxy != "" {
		pc.NoProxy = c.NoProxy
	}
	for _, p := range []struct{ name, raw string }{{"HTTP proxy", pc.HTTPProxy}, {"HTTPS proxy", pc.HTTPSProxy}} {
		if p.raw == "" {
			continue
		}
		if _, err := parseProxyURL(p.raw); err != nil {
			return nil, fmt.Errorf("%s %q: %w", p.name, redactProxy(p.raw), err)
		}
	}
	return pc, nil
}

// parseProxyURL reads a proxy setting the way httpproxy does (a bare host:port means
// http) and accepts only the schemes this client can tunnel through.
func parseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if u2, err2 := url.Parse("http://" + raw); err2 == nil && u2.Host != "" {
			u, err = u2, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	switch u.Scheme {
	case "http", "https":
	default:
		return nil, fmt.Errorf("proxy scheme %q is not supported: want an http:// or https:// proxy that accepts CONNECT", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("proxy URL has no host")
	}
	return u, nil
}

// redactProxy hides a proxy password in messages and logs.
func redactProxy(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// parseBundle decodes a CA bundle given in the configuration; an empty one is no
// certificate and no error.
func parseBundle(bundle []byte) ([]*x509.Certificate, error) {
	if len(bundle) == 0 {
		return nil, nil
	}
	certs, err := ParseCertificatesPEM(bundle)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	return certs, nil
}

// systemRoots reads the system's trusted roots; a variable so that tests can count the
// reads.
var systemRoots = x509.SystemCertPool

// rootPool builds the trusted roots: a copy of base (or the system roots) plus extra.
func rootPool(base *x509.CertPool, extra []*x509.Certificate) (*x509.CertPool, error) {
	var pool *x509.CertPool
	if base != nil {
		pool = base.Clone()
	} else {
		sys, err := systemRoots()
		if err != nil {
			return nil, fmt.Errorf("loading the system root certificates: %w", err)
		}
		pool = sys
	}
	for _, c := range extra {
		pool.AddCert(c)
	}
	return pool, nil
}

// ParseCertificatesPEM decodes every CERTIFICATE block of a PEM bundle, in order. A
// block that does not parse, a block of another type, or a bundle without any
// certificate is an error naming the block.
func ParseCertificatesPEM(bundle []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := bundle
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %q, want CERTIFICATE", n, block.Type)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block found")
	}
	return certs, nil
}
