package acctest

import (
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
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// CLI runs the terraform CLI in a working directory of its own against a
// provider served from the test process, the way terraform-plugin-testing
// does (TF_REATTACH_PROVIDERS), for what that harness does not expose: exit
// codes (plan -detailed-exitcode), -generate-config-out followed by apply,
// destroy after a failed apply, and the text of warnings.
type CLI struct {
	// Dir is the working directory; it is removed when the test ends.
	Dir string

	tb      testing.TB
	bin     string
	name    string
	factory func() (tfprotov6.ProviderServer, error)
	timeout time.Duration
}

// Result is one terraform command's outcome.
type Result struct {
	Args     []string
	ExitCode int
	Stdout   string
	Stderr   string
}

// Output is stdout and stderr together, for matching messages wherever
// Terraform printed them.
func (r Result) Output() string { return r.Stdout + "\n" + r.Stderr }

func (r Result) String() string {
	return fmt.Sprintf("terraform %s: exit %d\n--- stdout\n%s\n--- stderr\n%s", strings.Join(r.Args, " "), r.ExitCode, r.Stdout, r.Stderr)
}

// cliTimeout bounds each command; acceptance commands against moto take
// seconds.
const cliTimeout = 5 * time.Minute

// NewCLI prepares a working directory for provider name (the local name in
// configurations, registry.terraform.io/hashicorp/<name>) served by factory.
// A missing Terraform fails the test, with how to install it.
func NewCLI(tb testing.TB, name string, factory func() (tfprotov6.ProviderServer, error)) *CLI {
	tb.Helper()
	bin := RequireTerraform(tb)
	dir := tb.TempDir()
	// An empty CLI configuration: nothing from the developer's ~/.terraformrc.
	rc := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	return &CLI{Dir: dir, tb: tb, bin: bin, name: name, factory: factory, timeout: cliTimeout}
}

// Write writes a file into the working directory.
func (c *CLI) Write(name, content string) {
	c.tb.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(content), 0o600); err != nil {
		c.tb.Fatal(err)
	}
}

// Read reads a file from the working directory.
func (c *CLI) Read(name string) string {
	c.tb.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, name))
	if err != nil {
		c.tb.Fatal(err)
	}
	return string(b)
}

// Remove removes a file from the working directory.
func (c *CLI) Remove(name string) {
	c.tb.Helper()
	if err := os.Remove(filepath.Join(c.Dir, name)); err != nil {
		c.tb.Fatal(err)
	}
}

// Run serves the provider, runs terraform with args (-no-color and
// -input=false are added where Terraform takes them) and stops the provider.
// A command that cannot be started, or outlives the timeout, fails the test;
// a non-zero exit is returned for the caller to judge.
func (c *CLI) Run(args ...string) Result {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()

	reattach, stop, err := c.serve(ctx)
	if err != nil {
		c.tb.Fatalf("serving provider %s for terraform: %v", c.name, err)
	}
	defer stop()

	full := append([]string{}, args...)
	if len(full) > 0 && full[0] != "version" {
		full = append(full[:1:1], append([]string{"-no-color"}, full[1:]...)...)
		switch full[0] {
		case "init", "plan", "apply", "destroy", "import", "refresh":
			full = append(full[:2:2], append([]string{"-input=false"}, full[2:]...)...)
		}
	}
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+reattach,
		"TF_CLI_CONFIG_FILE="+filepath.Join(c.Dir, ".terraformrc"),
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := Result{Args: full, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		c.tb.Fatalf("terraform %s did not finish within %s\n%s", strings.Join(full, " "), c.timeout, res)
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
	case err != nil:
		c.tb.Fatalf("running terraform %s: %v", strings.Join(full, " "), err)
	}
	return res
}

// MustRun is Run, failing the test unless terraform exits with one of codes
// (0 when none are given).
func (c *CLI) MustRun(codes []int, args ...string) Result {
	c.tb.Helper()
	res := c.Run(args...)
	if len(codes) == 0 {
		codes = []int{0}
	}
	for _, code := range codes {
		if res.ExitCode == code {
			return res
		}
	}
	c.tb.Fatalf("want exit code %v\n%s", codes, res)
	return res
}

// serve starts the provider in debug mode and returns the TF_REATTACH_PROVIDERS
// value that attaches terraform to it.
func (c *CLI) serve(ctx context.Context) (string, func(), error) {
	server, err := c.factory()
	if err != nil {
		return "", nil, err
	}
	serveCtx, cancel := context.WithCancel(ctx)
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	errCh := make(chan error, 1)
	opts := []tf6server.ServeOpt{
		tf6server.WithDebug(serveCtx, configCh, closeCh),
		tf6server.WithGoPluginLogger(hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off})),
		tf6server.WithoutLogStderrOverride(),
	}
	if t, ok := c.tb.(*testing.T); ok {
		// Provider logs go where TF_LOG and TF_ACC_LOG_PATH say, as in
		// terraform-plugin-testing, rather than to the test's stderr.
		opts = append(opts, tf6server.WithLoggingSink(t))
	}
	go func() {
		errCh <- tf6server.Serve("registry.terraform.io/hashicorp/"+c.name, func() tfprotov6.ProviderServer { return server }, opts...)
	}()
	stop := func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(30 * time.Second):
		}
	}
	var config *plugin.ReattachConfig
	select {
	case config = <-configCh:
	case err := <-errCh:
		cancel()
		return "", nil, fmt.Errorf("the provider server stopped before it was ready: %v", err)
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, errors.New("the provider server did not start within 30s")
	}
	type addr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	b, err := json.Marshal(map[string]reattachConfig{
		"registry.terraform.io/hashicorp/" + c.name: {
			Protocol:        string(config.Protocol),
			ProtocolVersion: config.ProtocolVersion,
			Pid:             config.Pid,
			Test:            true,
			Addr:            addr{Network: config.Addr.Network(), String: config.Addr.String()},
		},
	})
	if err != nil {
		stop()
		return "", nil, err
	}
	return string(b), stop, nil
}
