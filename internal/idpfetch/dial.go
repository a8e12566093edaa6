package idpfetch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// spareMaxAge bounds how long a connection kept from ServedChain waits for an HTTP
// request before it is no longer handed out; servers close idle connections.
const spareMaxAge = 60 * time.Second

// hostState is what the Client knows about one host:port.
type hostState struct {
	// chain is the chain from the first successful handshake: what ServedChain
	// returns for the rest of the run.
	chain *Chain
	// err is the failure of the first handshake when none has succeeded; it is
	// returned to later callers instead of trying again.
	err error
	// spare is a verified connection nobody uses yet, kept so the next HTTP request
	// to the host needs no new handshake.
	spare   *tls.Conn
	spareAt time.Time
}

func (c *Client) state(addr string) *hostState {
	st, ok := c.hosts[addr]
	if !ok {
		st = &hostState{}
		c.hosts[addr] = st
	}
	return st
}

// Chain is a certificate chain exactly as a server sent it in its TLS handshake.
type Chain struct {
	// Address is the host:port connected to.
	Address string
	// ServerName is the host name sent as SNI and verified against.
	ServerName string
	// Certificates are in the order served; Certificates[0] is the certificate
	// the server proved it holds the key of.
	Certificates []*x509.Certificate
	// VerifyErr is nil when the chain verifies against the Client's roots for
	// ServerName; otherwise the crypto/x509 error (expired, unknown authority,
	// wrong host name, ...). The chain is returned either way.
	VerifyErr error
	// TLSVersion is the negotiated protocol, for example "TLS 1.3".
	TLSVersion string
	// Proxy is the proxy the connection went through (password redacted), or ""
	// for a direct connection.
	Proxy string
}

func (ch *Chain) clone() *Chain {
	out := *ch
	out.Certificates = append([]*x509.Certificate(nil), ch.Certificates...)
	return &out
}

// ServedChain returns the certificate chain a host serves, read from a TLS handshake
// with SNI, through the proxy that applies to the host. No HTTP request is made, so no
// redirect can lead elsewhere. target is a host, host:port or https URL (port 443 by
// default).
//
// The first handshake with a host on this Client, whether made here or by Get, is the
// one reported for the rest of the run; a host already fetched with Get costs no new
// handshake, and a connection opened here is kept for the next Get to that host. A
// chain that does not verify is still returned, with Chain.VerifyErr set; the error
// result is for connections that failed (dial, proxy, handshake), and it too is
// remembered for the run.
func (c *Client) ServedChain(ctx context.Context, target string) (*Chain, error) {
	addr, host, err := chainTarget(target)
	if err != nil {
		return nil, err
	}
	if c.isClosed() {
		return nil, ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	c.mu.Lock()
	st := c.state(addr)
	chain, herr := st.chain, st.err
	c.mu.Unlock()
	switch {
	case chain != nil:
		c.log(ctx, "served chain taken from this run's earlier handshake", map[string]any{"address": addr})
		return chain.clone(), nil
	case herr != nil:
		return nil, herr
	}
	if _, err := c.handshakeShared(ctx, addr, host); err != nil {
		return nil, err
	}
	c.mu.Lock()
	chain = st.chain
	c.mu.Unlock()
	if chain == nil {
		// Unreachable: a successful handshake records the first chain.
		return nil, fmt.Errorf("idpfetch: no chain recorded for %s after a successful handshake", addr)
	}
	return chain.clone(), nil
}

// chainTarget reads a ServedChain target into host:port and host.
func chainTarget(target string) (addr, host string, err error) {
	hostport := target
	if strings.Contains(target, "://") {
		u, err := url.Parse(target)
		if err != nil {
			return "", "", fmt.Errorf("target %q does not parse: %w", target, err)
		}
		if u.Scheme != "https" {
			return "", "", fmt.Errorf("target %q: want an https URL, a host or host:port, the scheme is %q", target, u.Scheme)
		}
		hostport = u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), "443"
	}
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return "", "", fmt.Errorf("target %q: want an https URL, a host or host:port", target)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("target %q: port %q is not a number between 1 and 65535", target, port)
	}
	host = strings.ToLower(host)
	return net.JoinHostPort(host, port), host, nil
}

// dialForHTTP is the Transport's TLS dialer: it hands out the connection a handshake
// left behind, so the HTTP request and the chain read share it.
func (c *Client) dialForHTTP(ctx context.Context, _, addr string) (net.Conn, error) {
	addr, host, err := chainTarget(addr)
	if err != nil {
		return nil, err
	}
	if conn := c.takeSpare(addr); conn != nil {
		return conn, nil
	}
	c.mu.Lock()
	first, herr := c.state(addr).chain, c.state(addr).err
	c.mu.Unlock()
	switch {
	case herr != nil:
		return nil, herr
	case first != nil && first.VerifyErr != nil:
		// The same roots would reject the same chain again: no second handshake.
		return nil, &CertificateError{Address: addr, Certificates: first.Certificates, Err: first.VerifyErr}
	}
	// The Transport dials one connection per host at a time (MaxConnsPerHost), so
	// the connection a handshake leaves is normally this dial's; the second attempt
	// covers a connection that closed before it could be taken.
	for range 2 {
		chain, err := c.handshakeShared(ctx, addr, host)
		if err != nil {
			return nil, err
		}
		if chain.VerifyErr != nil {
			return nil, &CertificateError{Address: addr, Certificates: chain.Certificates, Err: chain.VerifyErr}
		}
		if conn := c.takeSpare(addr); conn != nil {
			return conn, nil
		}
	}
	return nil, fmt.Errorf("the connection to %s closed right after its TLS handshake, twice", addr)
}

// takeSpare returns the host's kept connection if it is recent and still open.
func (c *Client) takeSpare(addr string) *tls.Conn {
	c.mu.Lock()
	st := c.state(addr)
	conn, at := st.spare, st.spareAt
	st.spare = nil
	c.mu.Unlock()
	if conn == nil {
		return nil
	}
	if time.Since(at) > spareMaxAge || !stillOpen(conn) {
		conn.Close()
		return nil
	}
	return conn
}

// stillOpen reports whether an idle connection has not been closed by the server: a
// read that times out means nothing arrived, which is what an open HTTP/1.1
// connection with no request on it looks like.
func stillOpen(conn *tls.Conn) bool {
	_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	n, err := conn.Read(b[:])
	_ = conn.SetReadDeadline(time.Time{})
	var ne net.Error
	return n == 0 && errors.As(err, &ne) && ne.Timeout()
}

// handshakeShared runs one handshake per host at a time, shared by every concurrent
// caller, and returns its chain. A verified connection is left as the host's spare.
func (c *Client) handshakeShared(ctx context.Context, addr, host string) (*Chain, error) {
	ch := c.hsGroup.DoChan(addr, func() (any, error) {
		conn, chain, err := c.handshake(context.WithoutCancel(ctx), addr, host)
		c.mu.Lock()
		defer c.mu.Unlock()
		st := c.state(addr)
		if err != nil {
			if st.chain == nil && st.err == nil {
				st.err = err
			}
			return nil, err
		}
		if st.chain == nil {
			st.chain = chain
		}
		if chain.VerifyErr != nil || st.spare != nil || c.closed {
			conn.Close()
		} else {
			st.spare, st.spareAt = conn, time.Now()
		}
		return chain, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Chain), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("TLS connection to %s: %w", addr, context.Cause(ctx))
	}
}

// handshake connects to addr (through the proxy that applies) and completes a TLS
// handshake without letting verification stop it; the verification outcome goes into
// the Chain.
func (c *Client) handshake(ctx context.Context, addr, host string) (*tls.Conn, *Chain, error) {
	start := time.Now()
	roots, err := c.roots()
	if err != nil {
		return nil, nil, err
	}
	raw, proxy, err := c.dialVia(ctx, addr)
	if err != nil {
		return nil, nil, err
	}
	via := ""
	if proxy != "" {
		via = " through proxy " + proxy
	}
	tc := tls.Client(raw, &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		// Verification is done below, so that a chain that fails it can still
		// be returned and explained; the handshake itself still proves the
		// server holds the key of the first certificate.
		InsecureSkipVerify: true, //nolint:gosec // verified right after the handshake.
	})
	hctx, cancel := context.WithTimeout(ctx, c.cfg.HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		raw.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("TLS handshake with %s%s: no answer within %s: %w", addr, via, c.cfg.HandshakeTimeout, err)
		}
		return nil, nil, fmt.Errorf("TLS handshake with %s%s: %w", addr, via, err)
	}
	state := tc.ConnectionState()
	chain := &Chain{
		Address:      addr,
		ServerName:   host,
		Certificates: state.PeerCertificates,
		VerifyErr:    verify(roots, host, state.PeerCertificates),
		TLSVersion:   tls.VersionName(state.Version),
		Proxy:        proxy,
	}
	c.log(ctx, "TLS handshake with IdP host", map[string]any{
		"address": addr, "proxy": proxy, "tls_version": chain.TLSVersion,
		"certificates": len(chain.Certificates), "verified": chain.VerifyErr == nil,
		"verify_error": errString(chain.VerifyErr), "duration_ms": time.Since(start).Milliseconds(),
	})
	return tc, chain, nil
}

// verify checks the chain as a TLS client would: the first certificate for host, the
// others as intermediates, against roots.
func verify(roots *x509.CertPool, host string, certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return errors.New("the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, cert := range certs[1:] {
		inter.AddCert(cert)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter})
	return err
}

// dialTCP opens a TCP connection within DialTimeout.
func (c *Client) dialTCP(ctx context.Context, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	if c.cfg.DialContext != nil {
		return c.cfg.DialContext(ctx, "tcp", addr)
	}
	d := net.Dialer{KeepAlive: 30 * time.Second}
	return d.DialContext(ctx, "tcp", addr)
}

// dialVia connects to addr directly or through an HTTP CONNECT tunnel, as the proxy
// settings say for that host. It returns the proxy used, redacted.
func (c *Client) dialVia(ctx context.Context, addr string) (net.Conn, string, error) {
	proxyURL, err := c.proxy(&url.URL{Scheme: "https", Host: addr})
	if err != nil {
		return nil, "", fmt.Errorf("choosing a proxy for %s: %w", addr, err)
	}
	if proxyURL == nil {
		conn, err := c.dialTCP(ctx, addr)
		if err != nil {
			return nil, "", fmt.Errorf("connecting to %s: %w", addr, err)
		}
		return conn, "", nil
	}
	pu, err := parseProxyURL(proxyURL.String())
	if err != nil {
		return nil, "", fmt.Errorf("proxy %s: %w", proxyURL.Redacted(), err)
	}
	name := pu.Redacted()
	conn, err := c.connect(ctx, pu, addr)
	if err != nil {
		return nil, name, err
	}
	return conn, name, nil
}

// connect opens a tunnel to target through the proxy pu.
func (c *Client) connect(ctx context.Context, pu *url.URL, target string) (net.Conn, error) {
	name := pu.Redacted()
	port := pu.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[pu.Scheme]
	}
	conn, err := c.dialTCP(ctx, net.JoinHostPort(pu.Hostname(), port))
	if err != nil {
		return nil, fmt.Errorf("connecting to proxy %s: %w", name, err)
	}
	ok := false
	defer func() {
		if !ok {
			conn.Close()
		}
	}()
	deadline := time.Now().Add(c.cfg.HandshakeTimeout)
	if d, has := ctx.Deadline(); has && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)

	if pu.Scheme == "https" {
		roots, err := c.roots()
		if err != nil {
			return nil, err
		}
		tc := tls.Client(conn, &tls.Config{ServerName: pu.Hostname(), RootCAs: roots, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("TLS handshake with proxy %s: %w", name, err)
		}
		conn = tc
	}

	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{"User-Agent": []string{c.cfg.UserAgent}},
	}
	if pu.User != nil {
		pass, _ := pu.User.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(pu.User.Username() + ":" + pass))
		req.Header.Set("Proxy-Authorization", "Basic "+cred)
	}
	if err := req.Write(conn); err != nil {
		return nil, fmt.Errorf("sending CONNECT %s to proxy %s: %w", target, name, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("reading the answer of proxy %s to CONNECT %s: %w", name, target, err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return nil, &ProxyError{Proxy: name, Target: target, StatusCode: resp.StatusCode, Status: resp.Status,
			Body: describeProxyBody(body)}
	}
	_ = conn.SetDeadline(time.Time{})
	ok = true
	if br.Buffered() > 0 {
		// The proxy sent bytes past its answer; they belong to the tunnel.
		return &bufferedConn{Conn: conn, r: io.MultiReader(br, conn)}, nil
	}
	return conn, nil
}

// bufferedConn reads what a bufio.Reader already holds before the connection itself.
type bufferedConn struct {
	net.Conn
	r io.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func describeProxyBody(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "an empty body"
	}
	return strconv.Quote(excerpt(body))
}
