package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/recipes"
)

// buildProvider builds the provider from this tree into a new directory.
func buildProvider(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-awsoidc"), "../..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return dir
}

// syncBuffer collects the playground's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// printed is what the playground printed up to its ready line.
type printed struct {
	exports map[string]string
	// recipeDirs maps a recipe's name to the directory it was copied to.
	recipeDirs map[string]string
	tokens     map[string]string
	envFile    string
}

var (
	exportLine = regexp.MustCompile(`^export ([A-Z_]+)=(.*)$`)
	recipeLine = regexp.MustCompile(`^# ([a-z0-9-]+): `)
	cdLine     = regexp.MustCompile(`^\(cd (.+) && terraform apply\)$`)
	tokenLine  = regexp.MustCompile(`^ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
	sourceLine = regexp.MustCompile(`source (\S+/env\.sh)`)
)

// readPrinted reads the playground's standard output until the ready line; when the
// output ends first, it fails the test with what run returned.
func readPrinted(t *testing.T, r io.Reader, done <-chan error) printed {
	t.Helper()
	p := printed{exports: map[string]string{}, recipeDirs: map[string]string{}, tokens: map[string]string{}}
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64<<10), 1<<20)
	current := ""
	for scanner.Scan() {
		line := scanner.Text()
		if line == readyLine {
			return p
		}
		if m := exportLine.FindStringSubmatch(line); m != nil {
			p.exports[m[1]] = strings.Trim(m[2], "'")
		}
		if m := sourceLine.FindStringSubmatch(line); m != nil {
			p.envFile = m[1]
		}
		if m := recipeLine.FindStringSubmatch(line); m != nil {
			current = m[1]
		}
		if m := cdLine.FindStringSubmatch(line); m != nil {
			p.recipeDirs[current] = m[1]
		}
		if tokenLine.MatchString(line) {
			p.tokens[current] = line
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the playground returned before it was ready: %v", err)
	case <-time.After(time.Minute):
		t.Fatalf("the playground stopped printing before it was ready: %v", scanner.Err())
	}
	return p
}

// TestPlayground_appliesARecipeThroughItsExportsAndStopsEverything starts the playground
// as make playground does, applies the EKS recipe (which attaches the AWS managed policy
// AmazonEBSCSIDriverPolicy) with the Terraform CLI and nothing but the printed exports,
// then interrupts it and checks that moto, the IdP's proxy and the playground's files
// are gone.
func TestPlayground_appliesARecipeThroughItsExportsAndStopsEverything(t *testing.T) {
	tf := acctest.RequireTerraform(t)
	providerDir := buildProvider(t)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stdout, out := io.Pipe()
	logs := &syncBuffer{}
	logger := hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: logs})
	done := make(chan error, 1)
	go func() {
		err := run(ctx, options{providerDir: providerDir, recipesDir: "../../examples/recipes", out: out, logger: logger})
		_ = out.CloseWithError(errors.New("the playground returned"))
		done <- err
	}()
	p := readPrinted(t, stdout, done)
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	for _, k := range []string{"TF_CLI_CONFIG_FILE", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CA_BUNDLE", "HTTPS_PROXY"} {
		if p.exports[k] == "" {
			t.Errorf("no export of %s; printed exports: %v", k, p.exports)
		}
	}
	if rc, err := os.ReadFile(p.exports["TF_CLI_CONFIG_FILE"]); err != nil || !strings.Contains(string(rc), "dev_overrides") || !strings.Contains(string(rc), providerDir) {
		t.Errorf("the CLI configuration %s has no dev_overrides for %s: %v\n%s", p.exports["TF_CLI_CONFIG_FILE"], providerDir, err, rc)
	}
	all := recipes.All()
	if len(p.recipeDirs) != len(all) || len(p.tokens) != len(all) {
		t.Errorf("printed %d recipe directories and %d tokens for %d recipes", len(p.recipeDirs), len(p.tokens), len(all))
	}
	// Each token carries its recipe's intended identity.
	for _, r := range all {
		claims := tokenClaims(t, p.tokens[r.Name])
		want := r.Allowed[0].Claims
		if claims["iss"] != want["iss"] || claims["sub"] != want["sub"] {
			t.Errorf("%s: the printed token has iss %v sub %v, want %v and %v", r.Name, claims["iss"], claims["sub"], want["iss"], want["sub"])
		}
	}

	// A user's shell: PATH and HOME, and what the playground printed.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range p.exports {
		env = append(env, k+"="+v)
	}
	dir := p.recipeDirs["eks-irsa"]
	terraform := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env = dir, env
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s in %s: %v\n%s\nplayground log:\n%s", args[0], dir, err, b, logs.String())
		}
		return string(b)
	}
	terraform("apply", "-auto-approve", "-input=false", "-no-color")
	if got := strings.TrimSpace(terraform("output", "-raw", "role_arn")); got != "arn:aws:iam::123456789012:role/recipe-eks-irsa" {
		t.Errorf("role_arn = %q", got)
	}
	state := terraform("state", "show", "-no-color", "awsoidc_role.service_account")
	if !strings.Contains(state, "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy") {
		t.Errorf("the role does not have the AWS managed policy attached:\n%s", state)
	}

	motoURL, proxyURL := p.exports["AWS_ENDPOINT_URL_IAM"], p.exports["HTTPS_PROXY"]
	pid := motoPid(t, logs.String())
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the playground returned %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the playground did not stop within a minute of being interrupted")
	}
	for _, u := range []string{motoURL, proxyURL} {
		addr := strings.TrimPrefix(u, "http://")
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the playground stopped", addr)
		}
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("moto (pid %d) is still running after the playground stopped: %v", pid, err)
	}
	for _, f := range []string{p.exports["TF_CLI_CONFIG_FILE"], p.envFile, dir} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left behind: %v", f, err)
		}
	}
}

// motoPid reads moto's process ID from the playground's log.
func motoPid(t *testing.T, log string) int {
	t.Helper()
	m := regexp.MustCompile(`moto\) started: .*pid=(\d+)`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("the playground did not log moto's pid:\n%s", log)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

func tokenClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestPlayground_runsACommandInItsEnvironmentAndReturnsItsStatus is make test-modules'
// path: the command sees the playground's environment, and its exit status comes back.
func TestPlayground_runsACommandInItsEnvironmentAndReturnsItsStatus(t *testing.T) {
	acctest.RequireTerraform(t)
	providerDir := t.TempDir()
	// Only the file's presence is checked before the command runs.
	if err := os.WriteFile(filepath.Join(providerDir, "terraform-provider-awsoidc"), nil, 0o700); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	script := `case "$AWS_ENDPOINT_URL_IAM" in http://127.0.0.1:*) ;; *) exit 1;; esac
grep -q filesystem_mirror "$TF_CLI_CONFIG_FILE" || exit 2
test -z "$AWS_PROFILE" || exit 4
echo "iam at $AWS_ENDPOINT_URL_IAM"
exit 3`
	t.Setenv("AWS_PROFILE", "someone-elses")
	err := run(context.Background(), options{
		providerDir: providerDir, mirror: true, command: []string{"sh", "-c", script},
		out: &out, logger: hclog.NewNullLogger(),
	})
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("run returned %v, want the command's exit status 3; output:\n%s", err, out.String())
	}
	if !strings.HasPrefix(out.String(), "iam at http://127.0.0.1:") {
		t.Errorf("the command's output did not come through: %q", out.String())
	}
}
