package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// latencyProxy forwards TCP connections to an upstream address and delays every byte
// by half the round-trip time in each direction, as a distant server would: a request
// and its answer cost one RTT, a TLS 1.3 handshake one more. Put in front of the local IdP's CONNECT proxy, it makes the IdP remote.
type latencyProxy struct {
	addr     string
	upstream string
	oneWay   time.Duration
	ln       net.Listener

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func startLatencyProxy(upstream string, rtt time.Duration) (*latencyProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &latencyProxy{addr: ln.Addr().String(), upstream: upstream, oneWay: rtt / 2, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

func (p *latencyProxy) URL() string { return "http://" + p.addr }

func (p *latencyProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		// Connection set-up itself is not delayed (the kernel accepts at once), so
		// a new connection costs one RTT less than across a real network; the floor
		// goes through the same proxy and pays the same.
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(client)
		}()
	}
}

func (p *latencyProxy) serve(client net.Conn) {
	upstream, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, upstream) {
		client.Close()
		upstream.Close()
		return
	}
	defer p.untrack(client, upstream)
	var both sync.WaitGroup
	both.Add(2)
	go func() { defer both.Done(); p.pump(client, upstream) }()
	go func() { defer both.Done(); p.pump(upstream, client) }()
	both.Wait()
}

// pump copies src to dst, each chunk written oneWay after it was read, in order.
func (p *latencyProxy) pump(src, dst net.Conn) {
	type chunk struct {
		data []byte
		due  time.Time
	}
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{buf[:n], time.Now().Add(p.oneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range chunks {
		if failed {
			continue
		}
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.data); err != nil {
			failed = true
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}

func (p *latencyProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *latencyProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *latencyProxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// idpConfig reads one issuer with readers discovery and readers thumbprint data
// sources. The AWS side is never called (credential validation and the account lookup
// are skipped), so only the IdP is measured.
const idpConfig = `
terraform {
  required_providers {
    awsoidc = { source = "awsoidc/awsoidc" }
  }
}

variable "issuer" { type = string }
variable "readers" { type = number }
variable "endpoint" { type = string }

provider "awsoidc" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

data "awsoidc_discovery" "idp" {
  count  = var.readers
  issuer = var.issuer
}

data "awsoidc_thumbprint" "idp" {
  count  = var.readers
  issuer = var.issuer
}
`

// idpCoreConfig is Terraform core planning as many objects without a provider.
const idpCoreConfig = `
variable "readers" { type = number }

resource "terraform_data" "reader" {
  count = 2 * var.readers
  input = count.index
}
`

func (b *bench) remoteIdP(ctx context.Context) error {
	idp, err := localidp.Start(localidp.Config{})
	if err != nil {
		return fmt.Errorf("starting the local identity provider: %w", err)
	}
	defer idp.Close()
	lp, err := startLatencyProxy(hostPort(idp.ProxyURL()), b.o.rtt)
	if err != nil {
		return err
	}
	defer lp.close()

	issuer := idp.Issuer()
	host := "idp.test"
	discoveryPath := "/.well-known/openid-configuration"
	jwksPath := "/.well-known/jwks.json"
	bundle := filepath.Join(b.work, "idp-ca.pem")
	if err := os.WriteFile(bundle, idp.CABundlePEM(), 0o600); err != nil {
		return err
	}
	readers := b.o.idpReaders
	vars := fmt.Sprintf(`{"issuer": %q, "readers": %d, "endpoint": %q}`, issuer, readers, b.moto.URL)
	w, err := b.newWorkdir(ctx, "idp", map[string]string{"main.tf": idpConfig, "terraform.tfvars.json": vars},
		b.tfEnv("HTTPS_PROXY="+lp.URL(), "AWS_CA_BUNDLE="+bundle))
	if err != nil {
		return err
	}
	core, err := b.newWorkdir(ctx, "idp-core", map[string]string{"main.tf": idpCoreConfig, "terraform.tfvars.json": fmt.Sprintf(`{"readers": %d}`, readers)}, b.tfEnv())
	if err != nil {
		return err
	}

	plan := []string{"plan", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", b.o.parallelism)}
	var plans, corePlans, fetchFloors samples
	var maxFetches, maxHandshakes, maxConnects int
	for i := range b.o.runs {
		r, err := core.run(ctx, nil, plan...)
		if err != nil {
			return err
		}
		corePlans = append(corePlans, r.wall)

		d, err := fetchFloor(ctx, lp.URL(), idp, localidp.DiscoveryURL(issuer))
		if err != nil {
			return err
		}
		fetchFloors = append(fetchFloors, d)

		idp.ResetCounters()
		r, err = w.run(ctx, nil, plan...)
		if err != nil {
			return err
		}
		plans = append(plans, r.wall)
		fetches := max(idp.Requests(host, discoveryPath), idp.Requests(host, jwksPath))
		if idp.Requests(host, discoveryPath) == 0 || idp.Requests(host, jwksPath) == 0 {
			return fmt.Errorf("the plan fetched the discovery document %d times and the JWKS %d times; expected both",
				idp.Requests(host, discoveryPath), idp.Requests(host, jwksPath))
		}
		maxFetches = max(maxFetches, fetches)
		maxHandshakes = max(maxHandshakes, idp.Handshakes(host))
		maxConnects = max(maxConnects, idp.Connects(host))
		logf("remote IdP run %d/%d: plan %s (core %s, fetch floor %s); %d discovery + %d JWKS fetches, %d handshakes, %d CONNECTs",
			i+1, b.o.runs, ms(r.wall), ms(corePlans[i]), ms(d), idp.Requests(host, discoveryPath), idp.Requests(host, jwksPath),
			idp.Handshakes(host), idp.Connects(host))
	}
	idp.ResetCounters()
	a, err := b.providerPeak(ctx, w, "idp", plan)
	if err != nil {
		return err
	}
	b.note("Remote IdP, one plan against a provider started once (debug mode): CPU of the provider %.2f s, of terraform %.2f s; provider peak %.0f MiB.",
		seconds(a.providerCPU), seconds(a.terraformCPU), float64(a.providerKiB)/1024)
	section := fmt.Sprintf("3 remote IdP, RTT %s", b.o.rtt)
	floor := corePlans.median() + fetchFloors.median()
	b.add(row{section: section, figure: fmt.Sprintf("terraform plan of %d discovery + %d thumbprint", readers, readers), value: seconds(plans.median()),
		floor: seconds(floor), unit: "s", spread: plans.spread(),
		note: fmt.Sprintf("floor = core %.2f s + one connection's CONNECT, handshake and two GETs %.2f s", seconds(corePlans.median()), seconds(fetchFloors.median()))})
	b.add(row{section: section, figure: "fetches per document", value: float64(maxFetches), floor: 1, unit: "fetches", target: 1})
	b.add(row{section: section, figure: "TLS handshakes per host", value: float64(maxHandshakes), floor: 1, unit: "handshakes", target: 1,
		note: fmt.Sprintf("%d CONNECT tunnel(s)", maxConnects)})
	return nil
}

func hostPort(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Host
}

// fetchFloor is the least network work reading the issuer needs: through the same
// proxy, one connection (CONNECT, TLS handshake) carrying the discovery document and
// then the JWKS it names.
func fetchFloor(ctx context.Context, proxyURL string, idp *localidp.Server, discoveryURL string) (time.Duration, error) {
	pu, err := url.Parse(proxyURL)
	if err != nil {
		return 0, err
	}
	tr := &http.Transport{
		Proxy:           http.ProxyURL(pu),
		TLSClientConfig: &tls.Config{RootCAs: idp.RootPool(), MinVersion: tls.VersionTLS12},
		MaxConnsPerHost: 1,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	get := func(u string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return body, err
	}
	start := time.Now()
	body, err := get(discoveryURL)
	if err != nil {
		return 0, err
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.JWKSURI == "" {
		return 0, errors.Join(errors.New("the discovery document names no jwks_uri"), err)
	}
	if _, err := get(doc.JWKSURI); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
