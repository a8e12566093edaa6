package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// tokenBucket admits calls at rate per second with up to burst at once, as IAM's
// per-account request limit does; a call over the rate is answered with IAM's
// Throttling error at once, never queued. (A dozen lines, so no dependency is added for
// it: golang.org/x/time/rate is not in the module graph.)
type tokenBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func (b *tokenBucket) take(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+b.rate*now.Sub(b.last).Seconds())
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// attempt is one HTTP request the bucket saw. The AWS SDK sends the same
// amz-sdk-invocation-id with every attempt of one call, and amz-sdk-request:
// attempt=N; max=M, so retries are told apart from new calls.
type attempt struct {
	at         time.Time
	invocation string
	number     int
	max        int
	action     string
	throttled  bool
}

// throttlingProxy is a loopback HTTP server that puts a token bucket in front of an
// upstream (the recording endpoint in front of moto).
type throttlingProxy struct {
	URL   string
	srv   *http.Server
	proxy *httputil.ReverseProxy
	fault acctest.Fault

	mu       sync.Mutex
	bucket   tokenBucket
	started  time.Time // of the phase, when the bucket was last refilled
	attempts []attempt
}

func startThrottlingProxy(upstream string, rate, burst float64) (*throttlingProxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &throttlingProxy{
		URL:   "http://" + ln.Addr().String(),
		fault: acctest.Throttling(),
		proxy: &httputil.ReverseProxy{
			Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(u) },
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
		},
	}
	p.reset(rate, burst)
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func (p *throttlingProxy) close() error { return p.srv.Close() }

// reset forgets the attempts seen and refills the bucket at a new rate.
func (p *throttlingProxy) reset(rate, burst float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = time.Now()
	p.bucket = tokenBucket{rate: rate, burst: burst, tokens: burst, last: p.started}
	p.attempts = nil
}

var sdkRequest = regexp.MustCompile(`attempt=(\d+);\s*max=(\d+)`)

func (p *throttlingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	a := attempt{at: time.Now(), invocation: r.Header.Get("Amz-Sdk-Invocation-Id"), action: form.Get("Action")}
	if m := sdkRequest.FindStringSubmatch(r.Header.Get("Amz-Sdk-Request")); m != nil {
		a.number, _ = strconv.Atoi(m[1])
		a.max, _ = strconv.Atoi(m[2])
	}
	p.mu.Lock()
	a.throttled = !p.bucket.take(a.at)
	p.attempts = append(p.attempts, a)
	p.mu.Unlock()
	if a.throttled {
		writeThrottling(w, p.fault)
		return
	}
	p.proxy.ServeHTTP(w, r)
}

// writeThrottling answers as IAM does over its rate:
// <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>…
func writeThrottling(w http.ResponseWriter, f acctest.Fault) {
	type errorDoc struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		XMLNS   string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	doc := errorDoc{XMLNS: "https://iam.amazonaws.com/doc/2010-05-08/", RequestID: hex.EncodeToString(id)}
	doc.Error.Type, doc.Error.Code, doc.Error.Message = "Sender", f.Code, f.Message
	out, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(f.Status)
	_, _ = w.Write(out)
}

// retryStats sums up the attempts of one phase.
type retryStats struct {
	admitted, throttled int
	calls               int // invocations
	retried             int // invocations with more than one attempt
	gaveUp              int // invocations whose last attempt was throttled
	maxAttempts         int // most attempts of one invocation
	allowed             int // the SDK's max from amz-sdk-request
	delays              []time.Duration
	firstDelays         []time.Duration
	actions             map[string]int // admitted calls by action

	// Time the bucket sat full, its tokens going to waste, from the start of the
	// phase to its last call: while some call waited out a retry delay, and while
	// none did (Terraform, the provider or moto busy, or nothing left to do yet).
	idleInBackoff, idleBusy time.Duration
}

func (p *throttlingProxy) stats() retryStats {
	p.mu.Lock()
	attempts := slices.Clone(p.attempts)
	started, rate, burst := p.started, p.bucket.rate, p.bucket.burst
	p.mu.Unlock()
	s := retryStats{actions: map[string]int{}}
	byCall := map[string][]attempt{}
	var order []string
	for _, a := range attempts {
		if a.throttled {
			s.throttled++
		} else {
			s.admitted++
			s.actions[a.action]++
		}
		s.allowed = max(s.allowed, a.max)
		key := a.invocation
		if key == "" {
			key = fmt.Sprintf("anonymous-%d", len(order))
		}
		if _, seen := byCall[key]; !seen {
			order = append(order, key)
		}
		byCall[key] = append(byCall[key], a)
	}
	s.calls = len(order)
	var backoffs []interval
	for _, key := range order {
		as := byCall[key]
		s.maxAttempts = max(s.maxAttempts, len(as))
		if len(as) > 1 {
			s.retried++
		}
		if as[len(as)-1].throttled {
			s.gaveUp++
		}
		for i := 1; i < len(as); i++ {
			if as[i-1].throttled {
				backoffs = append(backoffs, interval{as[i-1].at, as[i].at})
			}
			d := as[i].at.Sub(as[i-1].at)
			s.delays = append(s.delays, d)
			if i == 1 {
				s.firstDelays = append(s.firstDelays, d)
			}
		}
	}
	s.idleInBackoff, s.idleBusy = idleTime(started, attempts, rate, burst, backoffs)
	return s
}

type interval struct{ from, to time.Time }

// idleTime replays the bucket over the attempts and adds up the time it sat full,
// split by whether some call was waiting to retry meanwhile.
func idleTime(started time.Time, attempts []attempt, rate, burst float64, backoffs []interval) (inBackoff, busy time.Duration) {
	if rate <= 0 {
		return 0, 0
	}
	merged := mergeIntervals(backoffs)
	tokens, last := burst, started
	for _, a := range attempts {
		fillTime := time.Duration((burst - tokens) / rate * float64(time.Second))
		if full := last.Add(fillTime); a.at.After(full) {
			covered := overlap(merged, interval{full, a.at})
			inBackoff += covered
			busy += a.at.Sub(full) - covered
		}
		tokens = min(burst, tokens+rate*a.at.Sub(last).Seconds())
		last = a.at
		if !a.throttled {
			tokens--
		}
	}
	return inBackoff, busy
}

func mergeIntervals(in []interval) []interval {
	c := slices.Clone(in)
	slices.SortFunc(c, func(a, b interval) int { return a.from.Compare(b.from) })
	var out []interval
	for _, iv := range c {
		if n := len(out); n > 0 && !iv.from.After(out[n-1].to) {
			if iv.to.After(out[n-1].to) {
				out[n-1].to = iv.to
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// overlap is how much of w the sorted, disjoint intervals cover.
func overlap(merged []interval, w interval) time.Duration {
	var d time.Duration
	for _, iv := range merged {
		from, to := iv.from, iv.to
		if from.Before(w.from) {
			from = w.from
		}
		if to.After(w.to) {
			to = w.to
		}
		if to.After(from) {
			d += to.Sub(from)
		}
	}
	return d
}

// topActions lists the n most frequent actions, most frequent first.
func topActions(actions map[string]int, n int) string {
	type kv struct {
		action string
		count  int
	}
	var all []kv
	for a, c := range actions {
		all = append(all, kv{a, c})
	}
	slices.SortFunc(all, func(x, y kv) int {
		if x.count != y.count {
			return y.count - x.count
		}
		return strings.Compare(x.action, y.action)
	})
	var parts []string
	for i, e := range all {
		if i == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", e.action, e.count))
	}
	return strings.Join(parts, ", ")
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	c := slices.Clone(d)
	slices.Sort(c)
	return c[min(len(c)-1, int(p*float64(len(c))))]
}

func (s retryStats) describe() string {
	if s.throttled == 0 {
		return fmt.Sprintf("%d calls, none throttled; the bucket sat full %s", s.calls, ms(s.idleBusy))
	}
	return fmt.Sprintf("%d calls, %d throttled answers, %d calls retried, at most %d attempts of one call (the SDK allows %d), %d gave up; "+
		"delay before a retry p10/p50/p90/max %s/%s/%s/%s; before the first retry p10/p90 %s/%s; "+
		"the bucket sat full %s while calls waited to retry and %s while none did",
		s.calls, s.throttled, s.retried, s.maxAttempts, s.allowed, s.gaveUp,
		ms(percentile(s.delays, 0.1)), ms(percentile(s.delays, 0.5)), ms(percentile(s.delays, 0.9)), ms(slices.Max(s.delays)),
		ms(percentile(s.firstDelays, 0.1)), ms(percentile(s.firstDelays, 0.9)),
		ms(s.idleInBackoff), ms(s.idleBusy))
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

func (b *bench) rateLimit(ctx context.Context) error {
	if b.o.rateN == 0 {
		return nil
	}
	if err := b.maxRetriesCheck(ctx); err != nil {
		return err
	}
	policyARN, err := b.managedPolicy(ctx)
	if err != nil {
		return err
	}
	n := b.o.rateN
	ep, err := b.moto.OpenEndpoint()
	if err != nil {
		return err
	}
	defer ep.Close()
	burst := max(1, b.o.rate) // one second of calls
	tp, err := startThrottlingProxy(ep.URL, b.o.rate, burst)
	if err != nil {
		return err
	}
	defer tp.close()

	prefix := fmt.Sprintf("rl%d", n)
	section := fmt.Sprintf("2 rate %g/s N=%d", b.o.rate, n)
	// IAM calls go through the bucket; STS has limits of its own and goes straight on.
	w, err := b.newWorkdir(ctx, "ratelimit-"+prefix, map[string]string{
		"main.tf":               scaleConfig,
		"terraform.tfvars.json": scaleVars(n, prefix, tp.URL, ep.URL, policyARN, 25),
	}, b.tfEnv())
	if err != nil {
		return err
	}
	par := fmt.Sprintf("-parallelism=%d", b.o.parallelism)
	phases := []struct {
		name string
		args []string
	}{
		{"apply", []string{"apply", "-auto-approve", "-input=false", "-no-color", par}},
		{"refresh (plan)", []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", par}},
		{"destroy", []string{"destroy", "-auto-approve", "-input=false", "-no-color", par}},
	}
	for _, ph := range phases {
		tp.reset(b.o.rate, burst)
		logf("rate limit N=%d: %s at %g IAM calls/s", n, ph.name, b.o.rate)
		r, runErr := w.run(ctx, nil, ph.args...)
		s := tp.stats()
		failures := 0
		if runErr != nil {
			failures = max(1, strings.Count(r.out, "Error: "))
			b.note("rate limit %s failed: %s", ph.name, firstLines(r.out, "Error: ", 3))
		}
		floor := float64(s.admitted) / b.o.rate
		b.add(row{section: section, figure: ph.name + " wall time", value: seconds(r.wall), floor: floor, unit: "s", target: 1.2,
			note: fmt.Sprintf("floor = %d IAM calls ÷ %g/s", s.admitted, b.o.rate)})
		// What the retry policy costs, apart from the time Terraform, the provider
		// and moto keep the bucket idle with no call waiting on IAM.
		b.add(row{section: section, figure: ph.name + " wall time less the time no call waited on IAM", value: seconds(r.wall - s.idleBusy), floor: floor, unit: "s",
			note: fmt.Sprintf("the bucket sat full %.1f s while calls waited out retry delays, %.1f s while none did", seconds(s.idleInBackoff), seconds(s.idleBusy))})
		b.add(row{section: section, figure: ph.name + " failures", value: float64(failures), unit: "failures", note: fmt.Sprintf("%d calls gave up throttled", s.gaveUp)})
		b.note("rate limit %s: %s. Calls: %s.", ph.name, s.describe(), topActions(s.actions, 12))
		if ph.name == "apply" && runErr != nil {
			continue // the destroy still runs, to leave moto clean
		}
	}
	return nil
}

// firstLines returns up to n lines of out that contain marker.
func firstLines(out, marker string, n int) string {
	var picked []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, marker) {
			picked = append(picked, strings.TrimSpace(l))
			if len(picked) == n {
				break
			}
		}
	}
	return strings.Join(picked, " / ")
}

const oneProviderConfig = `
terraform {
  required_providers {
    awsoidc = { source = "awsoidc/awsoidc" }
  }
}

variable "iam_endpoint" { type = string }
variable "sts_endpoint" { type = string }
variable "max_retries" { type = number }

provider "awsoidc" {
  region      = "us-east-1"
  access_key  = "test"
  secret_key  = "test"
  max_retries = var.max_retries
  endpoints {
    iam = var.iam_endpoint
    sts = var.sts_endpoint
  }
}

resource "awsoidc_provider" "throttled" {
  url        = "https://throttled.idp.test"
  client_ids = ["sts.amazonaws.com"]
}
`

// maxRetriesCheck applies one OIDC provider with max_retries = 2 against an IAM that
// throttles every call: the apply must fail after max_retries retries of the create,
// that is three attempts.
func (b *bench) maxRetriesCheck(ctx context.Context) error {
	const maxRetries = 2
	ep, err := b.moto.OpenEndpoint()
	if err != nil {
		return err
	}
	defer ep.Close()
	tp, err := startThrottlingProxy(ep.URL, 0, 0) // no token ever
	if err != nil {
		return err
	}
	defer tp.close()
	w, err := b.newWorkdir(ctx, "max-retries", map[string]string{
		"main.tf":               oneProviderConfig,
		"terraform.tfvars.json": fmt.Sprintf(`{"iam_endpoint": %q, "sts_endpoint": %q, "max_retries": %d}`, tp.URL, ep.URL, maxRetries),
	}, b.tfEnv())
	if err != nil {
		return err
	}
	start := time.Now()
	r, runErr := w.run(ctx, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	wall := time.Since(start)
	s := tp.stats()
	if runErr == nil {
		return fmt.Errorf("the apply against an IAM that throttles every call succeeded; expected it to fail after %d retries:\n%s", maxRetries, r.out)
	}
	b.add(row{section: "2 max_retries", figure: fmt.Sprintf("attempts of a call always throttled, max_retries = %d", maxRetries),
		value: float64(s.maxAttempts), floor: maxRetries + 1, unit: "attempts", target: 1, exact: true,
		note: fmt.Sprintf("the SDK was told max=%d; the apply failed after %s with: %s", s.allowed, ms(wall), firstLines(r.out, "Error: ", 1))})
	if s.maxAttempts < maxRetries+1 {
		b.note("max_retries = %d made %d attempt(s) of a throttled call: the setting is passed to the SDK as its maximum number of attempts, so one retry fewer than configured is made.", maxRetries, s.maxAttempts)
	}
	return nil
}
