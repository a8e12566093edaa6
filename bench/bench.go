package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// bench holds what every measurement shares: the built providers, the mirror Terraform
// installs them from, one moto server, and the rows of the report.
type bench struct {
	o       options
	root    string // module root
	work    string // temporary directory for everything the run writes
	tf      string // terraform CLI
	tfVer   string
	goBin   string
	moto    *acctest.Moto
	machine machine

	providerBin string // the provider as released (trimmed, stripped), in the mirror
	minimalBin  string
	rc          string // Terraform CLI configuration: the mirror and nothing else

	rows    []row
	notes   []string
	elapsed time.Duration
}

// Where the filesystem mirror offers the two providers.
const (
	providerVersion = "0.0.1"
	awsoidcSource   = "registry.terraform.io/awsoidc/awsoidc"
	minimalSource   = "registry.terraform.io/bench/minimal"
)

func newBench(ctx context.Context, o options) (b *bench, err error) {
	b = &bench{o: o, goBin: os.Getenv("GO")}
	if b.goBin == "" {
		b.goBin = "go"
	}
	if b.root, err = moduleRoot(ctx, b.goBin); err != nil {
		return nil, err
	}
	if b.tf, err = acctest.LookTerraform(ctx, ""); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, b.tf, "version").Output(); err == nil {
		b.tfVer = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	b.machine = describeMachine()

	if b.work, err = os.MkdirTemp("", "awsoidc-bench-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = b.close()
		}
	}()
	if o.profileDir == "" {
		b.o.profileDir = filepath.Join(b.work, "profiles")
	}
	if err := os.MkdirAll(b.o.profileDir, 0o750); err != nil {
		return nil, err
	}

	logf("building the provider and the minimal framework provider (release flags: -trimpath -ldflags '-s -w', CGO_ENABLED=0)")
	mirror := filepath.Join(b.work, "mirror")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	b.providerBin = filepath.Join(mirror, awsoidcSource, providerVersion, platform, "terraform-provider-awsoidc_v"+providerVersion)
	b.minimalBin = filepath.Join(mirror, minimalSource, providerVersion, platform, "terraform-provider-minimal_v"+providerVersion)
	if err := b.build(ctx, ".", b.providerBin); err != nil {
		return nil, err
	}
	if err := b.build(ctx, "./bench/minimalprovider", b.minimalBin); err != nil {
		return nil, err
	}
	b.rc = filepath.Join(b.work, "terraform.rc")
	rc := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q, %q]
  }
  direct {
    exclude = [%q, %q]
  }
}
`, mirror, awsoidcSource, minimalSource, awsoidcSource, minimalSource)
	if err := os.WriteFile(b.rc, []byte(rc), 0o600); err != nil {
		return nil, err
	}

	logf("starting moto")
	if b.moto, err = acctest.StartMoto(ctx); err != nil {
		return nil, err
	}
	logf("moto %s at %s (started in %s)", b.moto.Version, b.moto.URL, b.moto.StartupTime.Round(time.Millisecond))
	return b, nil
}

func (b *bench) build(ctx context.Context, pkg, out string) error {
	cmd := exec.CommandContext(ctx, b.goBin, "build", "-trimpath", "-ldflags", "-s -w -X main.version="+providerVersion, "-o", out, pkg)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, o)
	}
	return nil
}

func (b *bench) close() error {
	var errs []error
	if b.moto != nil {
		errs = append(errs, b.moto.Close())
	}
	if b.work != "" && !b.o.keep {
		errs = append(errs, os.RemoveAll(b.work))
	} else if b.work != "" {
		logf("work directory kept: %s", b.work)
	}
	return errors.Join(errs...)
}

func moduleRoot(ctx context.Context, goBin string) (string, error) {
	out, err := exec.CommandContext(ctx, goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the benchmark from inside the terraform-provider-awsoidc module")
	}
	return filepath.Dir(gomod), nil
}

// tfEnv is the environment every terraform run gets: this process's, without AWS,
// Terraform and proxy settings that would make results depend on the shell, with the
// mirror as the only provider source, plus extra.
func (b *bench) tfEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "TF_"), strings.HasPrefix(k, "AWSOIDC_"),
			strings.EqualFold(k, "HTTPS_PROXY"), strings.EqualFold(k, "HTTP_PROXY"), strings.EqualFold(k, "NO_PROXY"):
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+b.rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1,localhost",
	)
	env = append(env, b.o.env...)
	return append(env, extra...)
}

// workdir is one Terraform configuration directory.
type workdir struct {
	b   *bench
	dir string
	env []string
}

// newWorkdir writes files into a new directory and runs terraform init there.
func (b *bench) newWorkdir(ctx context.Context, name string, files map[string]string, env []string) (*workdir, error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o600); err != nil {
			return nil, err
		}
	}
	w := &workdir{b: b, dir: dir, env: env}
	if _, err := w.run(ctx, nil, "init", "-input=false", "-no-color"); err != nil {
		return nil, err
	}
	return w, nil
}

// tfRun is one finished terraform command.
type tfRun struct {
	wall   time.Duration
	cpu    time.Duration // terraform's and its providers', plus moto's and this process's meanwhile
	maxRSS int64         // KiB, terraform's own peak
	out    string
	state  *os.ProcessState
}

// run runs terraform with args; extraEnv is added to the workdir's environment. A
// non-zero exit is an error holding the output.
func (w *workdir) run(ctx context.Context, extraEnv []string, args ...string) (tfRun, error) {
	cmd := exec.CommandContext(ctx, w.b.tf, args...)
	cmd.Dir = w.dir
	cmd.Env = append(append([]string(nil), w.env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 10 * time.Second
	if w.b.o.verbose {
		logf("%s: terraform %s", filepath.Base(w.dir), strings.Join(args, " "))
	}
	cpu := w.b.cpuNow()
	start := time.Now()
	err := cmd.Run()
	r := tfRun{wall: time.Since(start), out: out.String()}
	r.cpu = processCPU(cmd.ProcessState) + cpu.since(w.b)
	r.maxRSS = maxRSSOf(cmd.ProcessState)
	r.state = cmd.ProcessState
	if err != nil {
		err = fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), w.dir, err, tail(r.out, 4000))
		if w.b.moto != nil {
			err = fmt.Errorf("%w\nmoto's standard error, last lines:\n%s", err, tail(w.b.moto.Stderr(), 4000))
		}
		return r, err
	}
	return r, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
