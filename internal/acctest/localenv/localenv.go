// Package localenv starts a local world for Terraform and this provider: a local AWS
// endpoint (moto with the harness's additions, optionally with AWS managed policies) and
// a local identity provider reached through its CONNECT proxy, and describes how
// Terraform reaches them: a CLI configuration installing a freshly built provider, a CA
// bundle, and the environment variables a user would set for real AWS.
//
// The demo and the playground commands use it, and so do their tests. Close stops
// everything Start started and removes its directory.
package localenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// ProviderAddress is the provider's registry address, as configurations name it with
// source = "awsoidc/awsoidc".
const ProviderAddress = "registry.terraform.io/awsoidc/awsoidc"

// ProviderBinary is the file name `go build` gives the provider.
const ProviderBinary = "terraform-provider-awsoidc"

// Install says how Terraform finds the freshly built provider.
type Install int

const (
	// DevOverrides points a dev_overrides entry at the provider's directory: plan and
	// apply use it directly, and terraform init is not needed (it fails, looking for the
	// provider in the registry).
	DevOverrides Install = iota
	// FilesystemMirror copies the provider into a local mirror under a version, so that
	// terraform init installs it without a registry and writes a lock file.
	FilesystemMirror
)

// MirrorVersion is the version FilesystemMirror offers the provider as.
const MirrorVersion = "0.0.1"

// motoStartTimeout bounds the time until moto answers.
const motoStartTimeout = 2 * time.Minute

// Config says what to start.
type Config struct {
	// ProviderDir holds a terraform-provider-awsoidc binary. Required.
	ProviderDir string
	// Install chooses how Terraform finds it.
	Install Install
	// Issuers are served by the local IdP; localidp.DefaultIssuer when empty.
	Issuers []localidp.IssuerConfig
	// ManagedPolicies loads AWS managed policies (ReadOnlyAccess,
	// service-role/AmazonEBSCSIDriverPolicy, ...) into moto, so configurations can
	// attach them. It adds a few seconds to the start.
	ManagedPolicies bool
	// Logger receives the steps (Info) and their details (Debug); silent when nil.
	Logger hclog.Logger
}

// Env is a started local world.
type Env struct {
	// Dir holds the CLI configuration, the CA bundle and anything a caller adds; Close
	// removes it.
	Dir string
	// Moto is the local AWS endpoint.
	Moto *acctest.Moto
	// IdP is the local identity provider.
	IdP *localidp.Server
	// CLIConfig is the Terraform CLI configuration file.
	CLIConfig string
	// CABundle holds the local IdP's trusted roots.
	CABundle string

	vars   []Variable
	logger hclog.Logger
}

// Variable is one environment variable a Terraform run needs.
type Variable struct{ Name, Value string }

// Start starts moto and the local IdP and writes the files Terraform needs. On error,
// whatever was started is stopped.
func Start(ctx context.Context, cfg Config) (env *Env, err error) {
	logger := cfg.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	if cfg.ProviderDir == "" {
		return nil, errors.New("localenv: ProviderDir is required")
	}
	providerDir, err := filepath.Abs(cfg.ProviderDir)
	if err != nil {
		return nil, err
	}
	binary := filepath.Join(providerDir, ProviderBinary)
	if _, err := os.Stat(binary); err != nil {
		return nil, fmt.Errorf("the provider binary: %w (build it with: go build -o %s .)", err, binary)
	}

	dir, err := os.MkdirTemp("", "awsoidc-local-")
	if err != nil {
		return nil, err
	}
	e := &Env{Dir: dir, logger: logger}
	defer func() {
		if err != nil {
			_ = e.Close()
			e = nil
		}
	}()

	// Loading managed policies takes seconds, and more on a busy machine.
	opts := acctest.MotoOptions{StartTimeout: motoStartTimeout}
	if cfg.ManagedPolicies {
		opts.Env = []string{"MOTO_IAM_LOAD_MANAGED_POLICIES=true"}
	}
	logger.Debug("starting moto", "managed_policies", cfg.ManagedPolicies)
	if e.Moto, err = acctest.StartMotoWith(ctx, opts); err != nil {
		return e, err
	}
	logger.Info("local AWS endpoint (moto) started", "url", e.Moto.URL, "version", e.Moto.Version, "pid", e.Moto.Pid(), "startup", e.Moto.StartupTime.Round(time.Millisecond))

	if e.IdP, err = localidp.Start(localidp.Config{
		Issuers: cfg.Issuers,
		Logf:    func(format string, args ...any) { logger.Debug(fmt.Sprintf(format, args...)) },
	}); err != nil {
		return e, fmt.Errorf("starting the local identity provider: %w", err)
	}
	logger.Info("local identity provider started", "proxy", e.IdP.ProxyURL(), "issuers", len(e.IdP.Issuers()))
	for _, iss := range e.IdP.Issuers() {
		logger.Debug("serving issuer", "issuer", iss)
	}

	e.CABundle = filepath.Join(dir, "localidp-ca.pem")
	if err := os.WriteFile(e.CABundle, e.IdP.CABundlePEM(), 0o600); err != nil {
		return e, err
	}
	e.CLIConfig = filepath.Join(dir, "terraform.rc")
	var rc string
	switch cfg.Install {
	case DevOverrides:
		rc = devOverrides(providerDir)
	case FilesystemMirror:
		if rc, err = FilesystemMirrorBlock(dir, binary); err != nil {
			return e, err
		}
	default:
		return e, fmt.Errorf("localenv: unknown Install %d", cfg.Install)
	}
	if err := os.WriteFile(e.CLIConfig, []byte(rc), 0o600); err != nil {
		return e, err
	}
	logger.Debug("wrote the Terraform CLI configuration", "path", e.CLIConfig)

	e.vars = []Variable{
		{"TF_CLI_CONFIG_FILE", e.CLIConfig},
		{"CHECKPOINT_DISABLE", "1"},
		{"AWS_ACCESS_KEY_ID", acctest.AccessKey},
		{"AWS_SECRET_ACCESS_KEY", acctest.SecretKey},
		{"AWS_REGION", acctest.Region},
		{"AWS_ENDPOINT_URL_IAM", e.Moto.URL},
		{"AWS_ENDPOINT_URL_STS", e.Moto.URL},
		{"AWS_EC2_METADATA_DISABLED", "true"},
		{"AWS_CA_BUNDLE", e.CABundle},
		{"HTTPS_PROXY", e.IdP.ProxyURL()},
		{"NO_PROXY", "127.0.0.1,localhost"},
	}
	return e, nil
}

// DevOverridesBlock is the CLI configuration that makes Terraform use the provider
// binary in dir instead of the registry's.
func DevOverridesBlock(dir string) string {
	return fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, ProviderAddress, dir)
}

func devOverrides(providerDir string) string { return DevOverridesBlock(providerDir) }

// BuildProvider builds the provider of the module in moduleDir into outDir and returns
// the binary's path.
func BuildProvider(ctx context.Context, moduleDir, outDir string) (string, error) {
	binary := filepath.Join(outDir, ProviderBinary)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", binary, ".")
	cmd.Dir = moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider in %s: %w\n%s", moduleDir, err, out)
	}
	return binary, nil
}

// FilesystemMirrorBlock copies the provider binary into a mirror under dir, as version
// MirrorVersion, and returns the CLI configuration that installs it from there, so that
// terraform init works without a registry.
func FilesystemMirrorBlock(dir, binary string) (string, error) {
	mirror := filepath.Join(dir, "mirror")
	pkg := filepath.Join(mirror, filepath.FromSlash(ProviderAddress), MirrorVersion, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(pkg, 0o750); err != nil {
		return "", err
	}
	b, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("reading the provider binary: %w", err)
	}
	//nolint:gosec // Terraform runs the provider from the mirror, so it must be executable.
	if err := os.WriteFile(filepath.Join(pkg, ProviderBinary+"_v"+MirrorVersion), b, 0o700); err != nil {
		return "", err
	}
	return fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, mirror, ProviderAddress, ProviderAddress), nil
}

// Variables are the environment variables that point Terraform and the provider at
// this world, in a stable order.
func (e *Env) Variables() []Variable { return append([]Variable(nil), e.vars...) }

// Environ returns base without the variables that would send Terraform or the provider
// elsewhere (AWS_*, TF_*, proxies), followed by Variables.
func (e *Env) Environ(base []string) []string {
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TF_") ||
			strings.EqualFold(k, "HTTPS_PROXY") || strings.EqualFold(k, "HTTP_PROXY") || strings.EqualFold(k, "NO_PROXY") {
			continue
		}
		out = append(out, kv)
	}
	for _, v := range e.vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// Exports returns the variables as shell export lines, and unset lines for the AWS
// variables a shell may already hold that would otherwise win (a profile, a session
// token).
func (e *Env) Exports() string {
	var b strings.Builder
	set := map[string]bool{}
	for _, v := range e.vars {
		set[v.Name] = true
	}
	var unset []string
	for _, name := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		if !set[name] {
			unset = append(unset, name)
		}
	}
	sort.Strings(unset)
	fmt.Fprintf(&b, "unset %s\n", strings.Join(unset, " "))
	for _, v := range e.vars {
		fmt.Fprintf(&b, "export %s=%s\n", v.Name, shellQuote(v.Value))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:,=@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Close stops the local IdP and moto and removes Dir. It is safe to call more than once
// and on a partly started Env.
func (e *Env) Close() error {
	var errs []error
	if e.IdP != nil {
		errs = append(errs, e.IdP.Close())
		e.logger.Debug("local identity provider stopped")
	}
	if e.Moto != nil {
		errs = append(errs, e.Moto.Close())
		e.logger.Debug("moto stopped", "pid", e.Moto.Pid())
	}
	if e.Dir != "" {
		errs = append(errs, os.RemoveAll(e.Dir))
	}
	return errors.Join(errs...)
}

// CopyConfiguration copies the .tf files of src, and those of also that src holds (a
// README, say), into dst, so that a driver works on a copy and leaves nothing in the
// tree. A src without .tf files is an error: the path is wrong.
func CopyConfiguration(src, dst string, also ...string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("reading the configuration in %s: %w", src, err)
	}
	n := 0
	for _, e := range entries {
		isTF := strings.HasSuffix(e.Name(), ".tf")
		if e.IsDir() || !(isTF || slices.Contains(also, e.Name())) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return err
		}
		if isTF {
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("%s holds no .tf files", src)
	}
	return nil
}
