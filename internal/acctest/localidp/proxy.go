package localidp

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// proxy is an HTTP CONNECT proxy that only ever dials the Server's TLS listener: a
// CONNECT to <configured host>:443 is tunnelled there, anything else is refused.
type proxy struct {
	s   *Server
	ln  net.Listener
	srv *http.Server
	log *log.Logger

	mu      sync.Mutex
	count   map[string]int
	refused []string
	tunnels map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

func startProxy(s *Server, errLog *log.Logger) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the proxy on 127.0.0.1: %w", err)
	}
	p := &proxy{s: s, ln: ln, log: errLog, count: map[string]int{}, tunnels: map[net.Conn]struct{}{}}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          errLog,
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

func (p *proxy) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "localidp proxy: only CONNECT is supported", http.StatusMethodNotAllowed)
		return
	}
	if !p.authorized(r) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="localidp"`)
		http.Error(w, "localidp proxy: proxy authentication required", http.StatusProxyAuthRequired)
		return
	}
	target := r.Host
	host, port, err := net.SplitHostPort(target)
	host = strings.ToLower(host)
	if err != nil || port != "443" || p.s.Host(host) == nil {
		p.mu.Lock()
		p.refused = append(p.refused, target)
		p.mu.Unlock()
		http.Error(w, fmt.Sprintf("localidp proxy: refusing CONNECT to %q: only port 443 of the configured hosts (%s) is reachable",
			target, strings.Join(p.s.hostNames(), ", ")), http.StatusForbidden)
		return
	}

	// The only address ever dialled: the local TLS listener.
	backend, err := net.DialTimeout("tcp", p.s.Addr(), 5*time.Second)
	if err != nil {
		http.Error(w, "localidp proxy: dialing the local TLS listener: "+err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		backend.Close()
		http.Error(w, "localidp proxy: connection cannot be taken over", http.StatusInternalServerError)
		return
	}
	client, rw, err := hj.Hijack()
	if err != nil {
		backend.Close()
		p.log.Printf("proxy: hijacking connection for %s: %v", target, err)
		return
	}
	if !p.track(client, backend) {
		client.Close()
		backend.Close()
		return
	}
	p.mu.Lock()
	p.count[host]++
	p.mu.Unlock()

	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		p.untrack(client, backend)
		p.wg.Done()
		return
	}
	// Bytes the client sent after the CONNECT request may already sit in the buffer.
	if n := rw.Reader.Buffered(); n > 0 {
		buf, _ := rw.Reader.Peek(n)
		if _, err := backend.Write(buf); err != nil {
			p.untrack(client, backend)
			p.wg.Done()
			return
		}
	}
	go func() {
		defer p.wg.Done()
		p.pipe(client, backend)
	}()
}

// pipe copies both ways until either side ends, then closes both.
func (p *proxy) pipe(client, backend net.Conn) {
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(backend, client); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, backend); done <- struct{}{} }()
	<-done
	p.untrack(client, backend)
	<-done
}

func (p *proxy) authorized(r *http.Request) bool {
	if p.s.cfg.ProxyUser == "" && p.s.cfg.ProxyPassword == "" {
		return true
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.s.cfg.ProxyUser+":"+p.s.cfg.ProxyPassword))
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Proxy-Authorization")), []byte(want)) == 1
}

// track registers a tunnel so close can end it and wait for it: the caller owes one
// p.wg.Done. It returns false, owing nothing, once the proxy is closing.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	for _, c := range conns {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.tunnels, c)
	}
}

func (p *proxy) close() {
	_ = p.srv.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) connects(host string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count[strings.ToLower(host)]
}

func (p *proxy) refusedTargets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refused...)
}

func (p *proxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.count)
	p.refused = nil
}
