package acctest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// maxRequestBody bounds what the endpoint reads; IAM's largest documents
	// (policies) are far below it.
	maxRequestBody = 8 << 20
	// maxFaultDelay bounds Fault.Delay so a mistaken plan cannot hang a test.
	maxFaultDelay = 10 * time.Minute
)

// AnyAction makes Fail match every action.
const AnyAction = "*"

// Request is one call an Endpoint received.
type Request struct {
	Service string     // ServiceIAM or ServiceSTS
	Action  string     // the Query API action, e.g. "CreateOpenIDConnectProvider"
	Params  url.Values // the form and query parameters, Action and Version included
	// Faulted is true when a Fault answered the call instead of moto (a
	// delay-only fault also sets it, although the call then reaches moto, as
	// does a lost answer, which moto acted on).
	Faulted bool
	// Fault is the kind of fault the call met; "" when Faulted is false.
	Fault FaultKind
	// Status is the HTTP status the client got; 0 for a dropped connection or
	// a call still in flight.
	Status int
	// AccessKeyID signed the call ("" when unsigned): tests use it to see which
	// credentials a provider really used.
	AccessKeyID string
	// Response is the start of moto's answer (up to maxRecordedResponse bytes),
	// so a test can learn values moto made up, such as temporary credentials.
	Response []byte
}

// maxRecordedResponse bounds how much of each answer is kept.
const maxRecordedResponse = 64 << 10

// Fault is what an Endpoint does instead of (or before) forwarding a call.
// Delay is applied first; then Drop closes the connection, Reset resets it,
// LoseAnswer forwards the call and closes the connection instead of passing
// moto's answer on, or a non-empty Code answers with an AWS Query error; with
// none of them, the call goes on to moto.
type Fault struct {
	Delay time.Duration
	Drop  bool
	// Reset closes the connection with a TCP reset instead of answering; the
	// call does not reach moto.
	Reset bool
	// LoseAnswer forwards the call, lets moto act on it, then closes the
	// connection before the answer: the client cannot tell whether it took
	// effect.
	LoseAnswer bool
	Status     int    // HTTP status of the error answer; 400 when zero
	Code       string // AWS error code, e.g. "Throttling"
	Message    string
}

// FaultKind names a kind of fault, for counting them.
type FaultKind string

// The kinds of fault an Endpoint counts.
const (
	FaultThrottle    FaultKind = "throttle"    // an AWS throttling error
	FaultServerError FaultKind = "5xx"         // an AWS error with a 5xx status
	FaultError       FaultKind = "error"       // any other AWS error
	FaultDrop        FaultKind = "drop"        // connection closed, call not forwarded
	FaultReset       FaultKind = "reset"       // connection reset, call not forwarded
	FaultLostAnswer  FaultKind = "lost-answer" // call forwarded, answer lost
	FaultSlow        FaultKind = "slow"        // call delayed, then forwarded
)

// Kind classifies the fault.
func (f Fault) Kind() FaultKind {
	switch {
	case f.Drop:
		return FaultDrop
	case f.Reset:
		return FaultReset
	case f.LoseAnswer:
		return FaultLostAnswer
	case f.Code == "":
		return FaultSlow
	case f.Status >= 500:
		return FaultServerError
	case f.Code == "Throttling" || f.Code == "ThrottlingException" || f.Code == "RequestLimitExceeded":
		return FaultThrottle
	default:
		return FaultError
	}
}

// AWSError answers with an AWS Query error document:
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>,
// in the namespace of the service called, with Type "Sender" for 4xx and
// "Receiver" for 5xx, as IAM and STS do.
func AWSError(status int, code, message string) Fault {
	return Fault{Status: status, Code: code, Message: message}
}

// Throttling is IAM's and STS's answer to a caller over its rate.
func Throttling() Fault { return AWSError(http.StatusBadRequest, "Throttling", "Rate exceeded") }

// InvalidPrincipal is IAM's answer to a trust policy naming an OIDC provider
// it does not see yet, as happens for seconds after the provider is created.
func InvalidPrincipal(providerARN string) Fault {
	return AWSError(http.StatusBadRequest, "MalformedPolicyDocument",
		fmt.Sprintf(`Invalid principal in policy: "Federated":"%s"`, providerARN))
}

// ServiceFailure is IAM's answer to an internal error.
func ServiceFailure() Fault {
	return AWSError(http.StatusInternalServerError, "ServiceFailure",
		"The request processing has failed because of an unknown error, exception or failure.")
}

// Delay holds the call for d, then forwards it.
func Delay(d time.Duration) Fault { return Fault{Delay: d} }

// DropConnection closes the connection without answering.
func DropConnection() Fault { return Fault{Drop: true} }

// ResetConnection resets the connection (TCP RST) without answering.
func ResetConnection() Fault { return Fault{Reset: true} }

// LoseAnswer forwards the call to moto, which acts on it, and then closes the
// connection instead of answering: "the write happened but the answer was
// lost".
func LoseAnswer() Fault { return Fault{LoseAnswer: true} }

func (f Fault) validate() error {
	outcomes := 0
	for _, set := range []bool{f.Drop, f.Reset, f.LoseAnswer, f.Code != ""} {
		if set {
			outcomes++
		}
	}
	switch {
	case f.Delay < 0 || f.Delay > maxFaultDelay:
		return fmt.Errorf("fault delay %s: expected between 0 and %s", f.Delay, maxFaultDelay)
	case outcomes > 1:
		return fmt.Errorf("fault %+v has more than one outcome (drop, reset, lost answer, error %q): expected one of them", f, f.Code)
	case f.Code == "" && (f.Status != 0 || f.Message != ""):
		return fmt.Errorf("fault with status %d and message %q has no error code: expected a Code", f.Status, f.Message)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("fault status %d: expected an HTTP error status (400-599)", f.Status)
	}
	return nil
}

type faultPlan struct {
	action string
	left   int
	fault  Fault
}

// Endpoint is a loopback reverse proxy in front of moto for one test: it
// records every call and can fail, delay or drop chosen calls. Point the
// provider's IAM and STS endpoints at URL.
type Endpoint struct {
	// URL is the endpoint's base URL, http://127.0.0.1:<port>.
	URL string

	srv       *http.Server
	proxy     *httputil.ReverseProxy
	transport *http.Transport
	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	requests []Request
	plans    []*faultPlan
	random   *randomFaults
	counts   map[FaultKind]int
	watches  []*callWatch
	// generation changes on Reset, so a call in flight across a Reset does
	// not write its status into someone else's log entry.
	generation int
}

// NewEndpoint starts an endpoint for this test in front of m, closed when the
// test ends; if the test fails, the calls it saw are logged.
func (m *Moto) NewEndpoint(tb testing.TB) *Endpoint {
	tb.Helper()
	ep, err := m.OpenEndpoint()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("calls received by %s: %s", ep.URL, strings.Join(ep.Actions(), ", "))
		}
		if err := ep.Close(); err != nil {
			tb.Errorf("closing endpoint %s: %v", ep.URL, err)
		}
	})
	return ep
}

// OpenEndpoint starts an endpoint in front of m; the caller must Close it.
func (m *Moto) OpenEndpoint() (*Endpoint, error) {
	upstream, err := url.Parse(m.URL)
	if err != nil {
		return nil, fmt.Errorf("moto URL %q: %w", m.URL, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback for an endpoint: %w", err)
	}
	ep := &Endpoint{
		URL:     "http://" + ln.Addr().String(),
		closing: make(chan struct{}),
		transport: &http.Transport{
			Proxy:                 nil, // moto is on loopback; ignore HTTP(S)_PROXY
			MaxIdleConnsPerHost:   16,
			ResponseHeaderTimeout: 5 * time.Minute,
		},
	}
	ep.proxy = &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(upstream) },
		Transport: ep.transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, fmt.Sprintf("endpoint %s could not reach moto at %s: %v", ep.URL, m.URL, err), http.StatusBadGateway)
		},
	}
	ep.srv = &http.Server{Handler: ep, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = ep.srv.Serve(ln) }()
	return ep, nil
}

// Close stops the endpoint, ending calls held by a delay. Safe to call twice.
func (e *Endpoint) Close() error {
	var err error
	e.closeOnce.Do(func() {
		close(e.closing)
		err = e.srv.Close()
		e.transport.CloseIdleConnections()
	})
	return err
}

// Fail makes the next times calls of action (AnyAction for all) meet fault;
// later calls pass through. Plans for the same action apply in the order they
// were added. A nonsensical plan panics, as it is a mistake in the test.
func (e *Endpoint) Fail(action string, times int, fault Fault) {
	if action == "" || times < 1 {
		panic(fmt.Sprintf("acctest: Fail(%q, %d, …): expected an action and times >= 1", action, times))
	}
	if err := fault.validate(); err != nil {
		panic("acctest: Fail: " + err.Error())
	}
	if fault.Code != "" && fault.Status == 0 {
		fault.Status = http.StatusBadRequest
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.plans = append(e.plans, &faultPlan{action: action, left: times, fault: fault})
}

// FaultsLeft is how many planned faults for action (AnyAction: for any plan)
// have not been used yet.
func (e *Endpoint) FaultsLeft(action string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, p := range e.plans {
		if action == AnyAction || p.action == action {
			n += p.left
		}
	}
	return n
}

// Requests returns a copy of the calls received so far, in arrival order.
func (e *Endpoint) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, len(e.requests))
	for i, r := range e.requests {
		r.Params = cloneValues(r.Params)
		r.Response = bytes.Clone(r.Response)
		out[i] = r
	}
	return out
}

// Count is how many calls of action were received, faulted ones included.
func (e *Endpoint) Count(action string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, r := range e.requests {
		if r.Action == action {
			n++
		}
	}
	return n
}

// ServiceCount is how many calls to service (ServiceIAM or ServiceSTS) were received.
func (e *Endpoint) ServiceCount(service string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, r := range e.requests {
		if r.Service == service {
			n++
		}
	}
	return n
}

// Actions lists the actions received, in arrival order, repeats included.
func (e *Endpoint) Actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, len(e.requests))
	for i, r := range e.requests {
		out[i] = r.Action
	}
	return out
}

// Reset forgets the calls received, the faults not yet used, random faults
// and the fault counts.
func (e *Endpoint) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests, e.plans, e.random, e.counts = nil, nil, nil, nil
	e.generation++
}

// ServeHTTP records the call, then applies the first planned fault that
// matches it or forwards it to moto.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > maxRequestBody {
		http.Error(w, fmt.Sprintf("request body over %d bytes", maxRequestBody), http.StatusRequestEntityTooLarge)
		return
	}
	// Forward exactly what was received.
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))

	params := requestParams(r, body)
	action := params.Get("Action")
	service := serviceOf(r.Header.Get("Authorization"), action)

	generation, index, fault, faulted := e.record(service, action, params, accessKeyOf(r.Header.Get("Authorization")))
	status := 0
	var answer []byte
	defer func() { e.setResult(generation, index, status, answer) }()

	if faulted && fault.Delay > 0 {
		timer := time.NewTimer(fault.Delay)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		case <-e.closing:
			timer.Stop()
			// Returning would let net/http answer an empty 200.
			dropConnection(w)
			return
		}
	}
	switch {
	case faulted && fault.Drop:
		dropConnection(w)
	case faulted && fault.Reset:
		resetConnection(w)
	case faulted && fault.LoseAnswer:
		// moto acts on the call; its answer is kept in the log but never sent.
		rec := httptest.NewRecorder()
		e.proxy.ServeHTTP(rec, r)
		answer = rec.Body.Bytes()[:min(rec.Body.Len(), maxRecordedResponse)]
		dropConnection(w)
	case faulted && fault.Code != "":
		status = fault.Status
		writeAWSError(w, service, fault)
	default:
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		e.proxy.ServeHTTP(rec, r)
		status, answer = rec.status, rec.body.Bytes()
	}
}

// record logs the call and takes the first matching fault, if any; it
// returns the call's index in the log.
func (e *Endpoint) record(service, action string, params url.Values, accessKeyID string) (generation, index int, fault Fault, faulted bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.plans {
		if p.left > 0 && (p.action == AnyAction || p.action == action) {
			p.left--
			fault, faulted = p.fault, true
			break
		}
	}
	if !faulted && e.random != nil {
		fault, faulted = e.random.draw(action)
	}
	var kind FaultKind
	if faulted {
		kind = fault.Kind()
		if e.counts == nil {
			e.counts = map[FaultKind]int{}
		}
		e.counts[kind]++
	}
	e.requests = append(e.requests, Request{Service: service, Action: action, Params: params, Faulted: faulted, Fault: kind, AccessKeyID: accessKeyID})
	e.notifyWatches(action)
	return e.generation, len(e.requests) - 1, fault, faulted
}

func (e *Endpoint) setResult(generation, index, status int, answer []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if generation == e.generation && index < len(e.requests) {
		e.requests[index].Status = status
		e.requests[index].Response = answer
	}
}

// requestParams merges the URL query with a form-encoded body, which is how
// the Query protocol carries Action and its parameters.
func requestParams(r *http.Request, body []byte) url.Values {
	params := cloneValues(r.URL.Query())
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for key, values := range form {
				params[key] = append(params[key], values...)
			}
		}
	}
	return params
}

var (
	credentialScope = regexp.MustCompile(`Credential=[^/,\s]*/\d{8}/[^/,\s]+/([a-z0-9-]+)/aws4_request`)
	credentialKey   = regexp.MustCompile(`Credential=([^/,\s]+)/`)
)

// accessKeyOf reads the access key ID from a SigV4 Authorization header.
func accessKeyOf(authorization string) string {
	if m := credentialKey.FindStringSubmatch(authorization); m != nil {
		return m[1]
	}
	return ""
}

// stsActions are the STS Query actions; anything else unsigned is IAM.
var stsActions = map[string]bool{
	"AssumeRole": true, "AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true,
	"AssumeRoot": true, "DecodeAuthorizationMessage": true, "GetAccessKeyInfo": true,
	"GetCallerIdentity": true, "GetFederationToken": true, "GetSessionToken": true,
	"GetWebIdentityToken": true,
}

// serviceOf names the service called: the SigV4 credential scope says it for
// signed calls; unsigned ones (AssumeRoleWithWebIdentity) are known by action.
func serviceOf(authorization, action string) string {
	if m := credentialScope.FindStringSubmatch(authorization); m != nil {
		return m[1]
	}
	if stsActions[action] {
		return ServiceSTS
	}
	return ServiceIAM
}

var xmlNamespaces = map[string]string{
	ServiceIAM: "https://iam.amazonaws.com/doc/2010-05-08/",
	ServiceSTS: "https://sts.amazonaws.com/doc/2011-06-15/",
}

type awsErrorDocument struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Namespace string   `xml:"xmlns,attr"`
	Error     struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func writeAWSError(w http.ResponseWriter, service string, f Fault) {
	doc := awsErrorDocument{Namespace: xmlNamespaces[service], RequestID: newRequestID()}
	if doc.Namespace == "" {
		doc.Namespace = xmlNamespaces[ServiceIAM]
	}
	doc.Error.Type = "Sender"
	if f.Status >= 500 {
		doc.Error.Type = "Receiver"
	}
	doc.Error.Code, doc.Error.Message = f.Code, f.Message
	body, err := xml.Marshal(doc)
	if err != nil {
		http.Error(w, "encoding the fault: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", doc.RequestID)
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

// newRequestID returns a random ID shaped like IAM's (a UUID).
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// resetConnection closes the connection with a TCP reset (SO_LINGER 0), as a
// peer or middlebox that gives up on it does.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot happen on HTTP/1.1; abort the handler, which also drops it.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if room := maxRecordedResponse - s.body.Len(); room > 0 {
		s.body.Write(p[:min(len(p), room)])
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for key, values := range v {
		out[key] = append([]string(nil), values...)
	}
	return out
}
