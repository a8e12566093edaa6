package acctest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
)

const (
	// providerStartTimeout bounds the time until a provider process announces
	// where Terraform can reach it; a race-instrumented build starts slower.
	providerStartTimeout = time.Minute
	// providerBuildTimeout bounds `go build` of the provider.
	providerBuildTimeout = 10 * time.Minute
	// providerLogTail is how much of a provider's log a failed test shows.
	providerLogTail = 8 << 10
)

// Shared builds: one per package and test binary, removed by RunMain.
var builds struct {
	sync.Mutex
	dir  string
	done map[string]*buildResult
}

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// BuildProvider compiles the provider's main package pkg (an import path, such
// as the module path) with `go build`, once per test binary, and returns the
// binary's path. Under the race detector (go test -race) the binary is built
// with -race too, so the provider process is checked for races as the tests
// run; StartProvider reports any it finds.
func BuildProvider(tb testing.TB, pkg string) string {
	tb.Helper()
	builds.Lock()
	if builds.done == nil {
		builds.done = map[string]*buildResult{}
	}
	b, ok := builds.done[pkg]
	if !ok {
		b = &buildResult{}
		builds.done[pkg] = b
	}
	builds.Unlock()
	b.once.Do(func() { b.path, b.err = buildProvider(pkg) })
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.path
}

func buildProvider(pkg string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", &ToolMissingError{Tool: "go", Problem: err.Error(), Install: "install Go from https://go.dev/dl/ and put its bin directory on PATH"}
	}
	builds.Lock()
	if builds.dir == "" {
		if builds.dir, err = os.MkdirTemp("", "awsoidc-provider-build-"); err != nil {
			builds.Unlock()
			return "", fmt.Errorf("creating a directory for the provider binary: %w", err)
		}
	}
	out := filepath.Join(builds.dir, fmt.Sprintf("terraform-provider-%d", len(builds.done)))
	builds.Unlock()

	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, pkg)
	ctx, cancel := context.WithTimeout(context.Background(), providerBuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, args...)
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, output)
	}
	return out, nil
}

// removeBuilds deletes the binaries BuildProvider made.
func removeBuilds() error {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir == "" {
		return nil
	}
	err := os.RemoveAll(builds.dir)
	builds.dir, builds.done = "", nil
	return err
}

// providerLogEnv sets the log levels of a provider process. The provider's own
// logs (and the AWS SDK's request and response logging under them) stay at
// trace, as for a provider Terraform starts, whatever TF_LOG says: the code
// that runs for every user runs here. The plugin framework's and protocol's
// trace logs, three quarters of the volume and none of the provider's code,
// are turned down.
var providerLogEnv = []string{"TF_LOG_PROVIDER=TRACE", "TF_LOG_SDK_FRAMEWORK=INFO", "TF_LOG_SDK_PROTO=INFO"}

// ProviderProcess is a provider binary running on its own, in debug mode, so
// that Terraform attaches to it (TF_REATTACH_PROVIDERS) instead of starting
// it: the test knows its process and can kill it in the middle of an apply.
// Its log goes to a file; a data race or panic in it fails the test.
type ProviderProcess struct {
	cmd      *exec.Cmd
	reattach tfexec.ReattachInfo
	logPath  string
	exited   chan struct{}
	waitErr  error // written before exited is closed
}

// StartProvider runs binary -debug and waits until it says where Terraform
// can reach it. The process is stopped when the test ends.
func StartProvider(tb testing.TB, binary string) *ProviderProcess {
	tb.Helper()
	p, err := startProvider(binary, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = p.stop()
		if problem := p.logProblem(); problem != "" {
			tb.Errorf("provider process %d: %s", p.Pid(), problem)
		}
		if tb.Failed() {
			tb.Logf("end of the log of provider process %d (%s):\n%s", p.Pid(), p.logPath, p.logTail())
		}
	})
	return p
}

func startProvider(binary, dir string) (*ProviderProcess, error) {
	logFile, err := os.CreateTemp(dir, "provider-*.log")
	if err != nil {
		return nil, fmt.Errorf("creating the provider log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(binary, "-debug")
	cmd.Env = append(os.Environ(), providerLogEnv...)
	cmd.Stderr = logFile
	cmd.SysProcAttr = providerProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting provider %s: %w", binary, err)
	}
	p := &ProviderProcess{cmd: cmd, logPath: logFile.Name(), exited: make(chan struct{})}

	announced := make(chan string, 1)
	go func() {
		// The first line naming TF_REATTACH_PROVIDERS says where it listens;
		// the rest of its standard output joins the log.
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for scanner.Scan() {
			line := scanner.Text()
			if !sent && strings.Contains(line, "TF_REATTACH_PROVIDERS='") {
				announced <- line
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()

	select {
	case line := <-announced:
		_, value, _ := strings.Cut(line, "TF_REATTACH_PROVIDERS='")
		value, _, _ = strings.Cut(value, "'")
		if err := json.Unmarshal([]byte(value), &p.reattach); err != nil || len(p.reattach) == 0 {
			_ = p.stop()
			return nil, fmt.Errorf("provider %s announced %q: expected TF_REATTACH_PROVIDERS='<JSON object>' (%v)", binary, line, err)
		}
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("provider %s exited before it was ready (%v); its log:\n%s", binary, p.waitErr, p.logTail())
	case <-time.After(providerStartTimeout):
		_ = p.stop()
		return nil, fmt.Errorf("provider %s did not say where it listens within %s; its log:\n%s", binary, providerStartTimeout, p.logTail())
	}
}

// Reattach is what Terraform needs to attach to the process.
func (p *ProviderProcess) Reattach() tfexec.ReattachInfo { return p.reattach }

// Pid is the process ID.
func (p *ProviderProcess) Pid() int { return p.cmd.Process.Pid }

// Kill ends the process with SIGKILL, as an OOM killer or a lost machine
// would: it gets no chance to finish anything. It returns once the process is
// gone.
func (p *ProviderProcess) Kill() error {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopGrace):
		return fmt.Errorf("provider process %d still running %s after SIGKILL", p.Pid(), stopGrace)
	}
}

// stop asks the process to end (debug mode ends on SIGINT) and kills it if it
// does not.
func (p *ProviderProcess) stop() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopGrace):
	}
	return p.Kill()
}

// logProblem names a data race or panic the provider logged, or "".
func (p *ProviderProcess) logProblem() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("reading its log: %v", err)
	}
	for _, marker := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
		if i := bytes.Index(data, []byte(marker)); i >= 0 {
			end := min(len(data), i+providerLogTail)
			return fmt.Sprintf("its log reports %q:\n%s", marker, data[i:end])
		}
	}
	return ""
}

func (p *ProviderProcess) logTail() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", p.logPath, err)
	}
	if len(data) > providerLogTail {
		data = data[len(data)-providerLogTail:]
	}
	return string(data)
}
