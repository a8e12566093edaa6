package acctest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

//go:embed moto_server.py
var motoLauncher []byte

// Values the tests configure the provider with. moto accepts any credentials
// and reports this account for them.
const (
	AccessKey = "test"
	SecretKey = "test"
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// Signing names, as they appear in a SigV4 credential scope and in Request.Service.
const (
	ServiceIAM = "iam"
	ServiceSTS = "sts"
)

const (
	// defaultStartTimeout only guards against a moto that never answers: on a
	// busy machine its first IAM and STS answers have taken over 30s.
	defaultStartTimeout = 2 * time.Minute
	readyPollInterval   = 100 * time.Millisecond
	stopGrace           = 5 * time.Second
	stderrTail          = 64 << 10
	maxQueryResponse    = 16 << 20
	// launcherImportFailed is the launcher's exit status when moto cannot be imported.
	launcherImportFailed = 3
)

// MotoOptions adjust how StartMotoWith runs moto. The zero value is what
// StartMoto uses.
type MotoOptions struct {
	// PathEnv is the PATH searched for Python; empty means this process's PATH.
	// It is also the PATH moto runs with.
	PathEnv string
	// Python is the interpreter's name or path; empty means "python3".
	Python string
	// StartTimeout bounds the time until moto answers IAM and STS; zero means 2m.
	StartTimeout time.Duration
	// Env adds environment variables for moto, for example
	// "MOTO_IAM_LOAD_MANAGED_POLICIES=true" to have AWS managed policies such
	// as arn:aws:iam::aws:policy/ReadOnlyAccess exist (it adds about 2.5s to
	// the start). MOTO_* variables of this process are not passed on.
	Env []string
	// Verbose makes moto log every request to its stderr (see Moto.Stderr).
	Verbose bool
}

// Moto is a moto_server process serving IAM and STS on a loopback port, with
// the IAM client ID actions moto 5.2 lacks added by the launcher script.
type Moto struct {
	// URL is the server's base URL, http://127.0.0.1:<port>.
	URL string
	// Version is the moto version the server reported.
	Version string
	// StartupTime is how long StartMoto took until IAM and STS answered.
	StartupTime time.Duration

	cmd    *exec.Cmd
	stdin  io.Closer
	stderr *tailBuffer
	dir    string
	exited chan struct{}
	// waitErr is written before exited is closed.
	waitErr error
	client  *http.Client

	closeOnce sync.Once
	closeErr  error
}

// StartMoto starts moto with the default options; see StartMotoWith.
func StartMoto(ctx context.Context) (*Moto, error) {
	return StartMotoWith(ctx, MotoOptions{})
}

// StartMotoWith writes the embedded launcher to a temporary directory, runs it
// with Python in its own process group on a free loopback port, and returns
// once moto answers an STS and an IAM call. A missing Python or moto is a
// *ToolMissingError that says how to install it. Close stops the server; if
// this process dies first, the launcher sees its stdin close and exits too.
func StartMotoWith(ctx context.Context, opts MotoOptions) (*Moto, error) {
	started := time.Now()
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = defaultStartTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	pathEnv := opts.PathEnv
	if pathEnv == "" {
		pathEnv = os.Getenv("PATH")
	}
	pythonName := opts.Python
	if pythonName == "" {
		pythonName = "python3"
	}
	python, err := lookPathIn(pythonName, pathEnv)
	if err != nil {
		return nil, &ToolMissingError{Tool: "python3", Problem: err.Error(), Install: installPython}
	}

	dir, err := os.MkdirTemp("", "awsoidc-moto-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for the moto launcher: %w", err)
	}
	script := filepath.Join(dir, "moto_server.py")
	if err := os.WriteFile(script, motoLauncher, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the moto launcher: %w", err)
	}

	args := []string{script, "--host", "127.0.0.1", "--port", "0"}
	if opts.Verbose {
		args = append(args, "--verbose")
	}
	// Not CommandContext: ctx bounds the start, not the server's life.
	cmd := exec.Command(python, args...)
	cmd.Dir = dir
	cmd.Env = motoEnv(os.Environ(), pathEnv, opts.Env)
	// Its own process group, so Close can signal everything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ready := newReadyWriter()
	cmd.Stdout = ready
	m := &Moto{
		cmd:    cmd,
		stderr: &tailBuffer{max: stderrTail},
		dir:    dir,
		exited: make(chan struct{}),
		client: &http.Client{
			// Never through a proxy from the environment: moto is on loopback.
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4},
			Timeout:   30 * time.Second,
		},
	}
	cmd.Stderr = m.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("creating the moto launcher's stdin: %w", err)
	}
	m.stdin = stdin
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, &ToolMissingError{Tool: "python3", Problem: fmt.Sprintf("%s could not be started: %v", python, err), Install: installPython}
	}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()

	fail := func(err error) (*Moto, error) {
		_ = m.Close()
		return nil, err
	}

	var port string
	select {
	case line := <-ready.line:
		fields := parseReadyLine(line)
		port, m.Version = fields["port"], fields["version"]
		if _, err := strconv.Atoi(port); err != nil {
			return fail(fmt.Errorf("moto launcher announced %q, expected \"moto-ready port=<number> version=<v>\"", line))
		}
	case <-m.exited:
		return fail(m.startError(python))
	case <-ctx.Done():
		return fail(fmt.Errorf("moto did not start listening within %s: %w; its stderr:\n%s", time.Since(started).Round(time.Millisecond), ctx.Err(), m.Stderr()))
	}
	m.URL = "http://127.0.0.1:" + port

	if err := m.waitUntilServing(ctx); err != nil {
		return fail(fmt.Errorf("moto at %s did not answer IAM and STS within %s: %w; its stderr:\n%s", m.URL, time.Since(started).Round(time.Millisecond), err, m.Stderr()))
	}
	m.StartupTime = time.Since(started)
	return m, nil
}

// startError explains why the launcher exited before it was ready.
func (m *Moto) startError(python string) error {
	stderr := m.Stderr()
	var exitErr *exec.ExitError
	importFailed := errors.As(m.waitErr, &exitErr) && exitErr.ExitCode() == launcherImportFailed
	if importFailed || strings.Contains(stderr, "cannot import moto") {
		return &ToolMissingError{
			Tool:    "moto",
			Problem: fmt.Sprintf("%s cannot import it (%s)", python, strings.TrimSpace(lastLine(stderr))),
			Install: installMoto,
		}
	}
	return fmt.Errorf("moto launcher %s exited before it was ready (%v); its stderr:\n%s", python, m.waitErr, stderr)
}

// waitUntilServing polls until moto answers both services: the launcher
// reports readiness once the socket is bound, and the first call of each
// service also builds moto's handlers for it, which is better paid here than
// in the first test.
func (m *Moto) waitUntilServing(ctx context.Context) error {
	probes := []struct{ service, action string }{
		{ServiceSTS, "GetCallerIdentity"},
		{ServiceIAM, "ListOpenIDConnectProviders"},
	}
	ticker := time.NewTicker(readyPollInterval)
	defer ticker.Stop()
	var lastErr error
	for len(probes) > 0 {
		probeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := m.Query(probeCtx, probes[0].service, probes[0].action, nil)
		cancel()
		if err == nil {
			probes = probes[1:]
			continue
		}
		lastErr = err
		select {
		case <-ticker.C:
		case <-m.exited:
			return fmt.Errorf("moto exited (%v)", m.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("%w; last attempt: %v", ctx.Err(), lastErr)
		}
	}
	return nil
}

// Alive returns nil while the server process runs, and otherwise how it ended.
func (m *Moto) Alive() error {
	select {
	case <-m.exited:
		return fmt.Errorf("moto at %s exited (%v); its stderr:\n%s", m.URL, m.waitErr, m.Stderr())
	default:
		return nil
	}
}

// Pid is the server's process ID, which is also its process group ID.
func (m *Moto) Pid() int { return m.cmd.Process.Pid }

// Stderr returns the last 64 KiB moto wrote to its standard error.
func (m *Moto) Stderr() string { return m.stderr.String() }

// Close stops the server and its process group, waits for it to exit (forcing
// it after 5 seconds) and removes the launcher's directory. It is safe to call
// more than once.
func (m *Moto) Close() error {
	m.closeOnce.Do(func() {
		m.closeErr = m.stop()
		if err := os.RemoveAll(m.dir); err != nil && m.closeErr == nil {
			m.closeErr = fmt.Errorf("removing the moto launcher directory: %w", err)
		}
		m.client.CloseIdleConnections()
	})
	return m.closeErr
}

func (m *Moto) stop() error {
	_ = m.stdin.Close()
	pgid := m.cmd.Process.Pid
	select {
	case <-m.exited:
		return nil
	default:
	}
	// Signals go to the group while its leader is unreaped, so the group ID
	// cannot have been reused by an unrelated process.
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-m.exited:
		return nil
	case <-time.After(stopGrace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-m.exited:
		return nil
	case <-time.After(stopGrace):
		return fmt.Errorf("moto (pid %d) still running %s after SIGKILL", pgid, stopGrace)
	}
}

// QueryError is an AWS Query protocol error answer.
type QueryError struct {
	Status  int
	Code    string
	Message string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// Query calls an IAM or STS action on moto directly, bypassing every Endpoint,
// so tests can change things "outside Terraform" without it being recorded or
// faulted. service is ServiceIAM or ServiceSTS. It returns the response body,
// or a *QueryError for an AWS error answer.
func (m *Moto) Query(ctx context.Context, service, action string, params url.Values) ([]byte, error) {
	return query(ctx, m.client, m.URL, service, action, params)
}

var apiVersions = map[string]string{ServiceIAM: "2010-05-08", ServiceSTS: "2011-06-15"}

// query posts an AWS Query protocol form. moto does not check signatures but
// routes by the SigV4 credential scope, so the Authorization header has the
// right shape and a dummy signature.
func query(ctx context.Context, client *http.Client, base, service, action string, params url.Values) ([]byte, error) {
	apiVersion, ok := apiVersions[service]
	if !ok {
		return nil, fmt.Errorf("service %q: expected %q or %q", service, ServiceIAM, ServiceSTS)
	}
	form := url.Values{}
	for key, values := range params {
		form[key] = append([]string(nil), values...)
	}
	form.Set("Action", action)
	form.Set("Version", apiVersion)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", fmt.Sprintf(
		"AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=content-type;host, Signature=%s",
		AccessKey, time.Now().UTC().Format("20060102"), Region, service, strings.Repeat("0", 64)))
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxQueryResponse))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", service, action, err)
	}
	if resp.StatusCode/100 != 2 {
		var doc struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(body, &doc) != nil || doc.Code == "" {
			return body, &QueryError{Status: resp.StatusCode, Code: "Unknown", Message: string(body)}
		}
		return body, &QueryError{Status: resp.StatusCode, Code: doc.Code, Message: doc.Message}
	}
	return body, nil
}

// SharedOptions are the options MotoForTest starts the shared server with; set
// them in TestMain before RunMain if the defaults do not suit.
var SharedOptions MotoOptions

// Shared server: one per test binary, started by the first test that asks.
var shared struct {
	sync.Mutex
	moto *Moto
	err  error
}

// MotoForTest returns this test binary's moto server, starting it on first
// use. A server that cannot start, or has died, fails the test with the reason
// (for a missing moto, how to install it). Stop it with RunMain.
func MotoForTest(tb testing.TB) *Moto {
	tb.Helper()
	m, err := sharedMoto()
	if err != nil {
		tb.Fatal(err)
	}
	if err := m.Alive(); err != nil {
		tb.Fatal(err)
	}
	return m
}

// EndpointForTest is MotoForTest(tb).NewEndpoint(tb): a recording,
// fault-injecting endpoint of its own for one test.
func EndpointForTest(tb testing.TB) *Endpoint {
	tb.Helper()
	return MotoForTest(tb).NewEndpoint(tb)
}

func sharedMoto() (*Moto, error) {
	shared.Lock()
	defer shared.Unlock()
	// A failed start is remembered, so every test reports it at once instead
	// of each waiting for its own timeout.
	if shared.moto == nil && shared.err == nil {
		shared.moto, shared.err = StartMotoWith(context.Background(), SharedOptions)
	}
	return shared.moto, shared.err
}

// StopSharedMoto stops the server MotoForTest started, if any.
func StopSharedMoto() error {
	shared.Lock()
	defer shared.Unlock()
	if shared.moto == nil {
		return nil
	}
	err := shared.moto.Close()
	shared.moto, shared.err = nil, nil
	return err
}

// RunMain runs the tests, then stops the shared moto server and removes the
// provider binaries BuildProvider made. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(acctest.RunMain(m)) }
func RunMain(m *testing.M) int {
	code := m.Run()
	if err := StopSharedMoto(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping moto:", err)
		if code == 0 {
			code = 1
		}
	}
	if err := removeBuilds(); err != nil {
		fmt.Fprintln(os.Stderr, "removing provider builds:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// motoEnv is the environment moto runs with: this process's, with PATH set to
// pathEnv and without inherited moto settings (MOTO_ACCOUNT_ID,
// INITIAL_NO_AUTH_ACTION_COUNT, …) that would make results depend on the
// developer's shell; extra comes last and wins.
func motoEnv(base []string, pathEnv string, extra []string) []string {
	out := make([]string, 0, len(base)+len(extra)+1)
	for _, kv := range base {
		key, _, _ := strings.Cut(kv, "=")
		if key == "PATH" || strings.HasPrefix(key, "MOTO_") || key == "INITIAL_NO_AUTH_ACTION_COUNT" {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "PATH="+pathEnv)
	return append(out, extra...)
}

func parseReadyLine(line string) map[string]string {
	fields := map[string]string{}
	rest, ok := strings.CutPrefix(line, "moto-ready ")
	if !ok {
		return fields
	}
	for _, field := range strings.Fields(rest) {
		if key, value, ok := strings.Cut(field, "="); ok {
			fields[key] = value
		}
	}
	return fields
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// readyWriter receives the launcher's stdout and hands over its first
// "moto-ready" line.
type readyWriter struct {
	mu      sync.Mutex
	partial []byte
	sent    bool
	line    chan string
}

func newReadyWriter() *readyWriter { return &readyWriter{line: make(chan string, 1)} }

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
		if strings.HasPrefix(line, "moto-ready ") {
			w.line <- line
			w.sent, w.partial = true, nil
			break
		}
	}
	if len(w.partial) > stderrTail {
		// A runaway line without a newline is not the ready line.
		w.partial = nil
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
