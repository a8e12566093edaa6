// Command awsoidc-demo runs the whole federation flow on one machine: a local identity
// provider and a local AWS endpoint (moto) on loopback, `terraform init` and `terraform
// apply` of examples/quickstart, a token exchanged for temporary credentials, trust
// checks, and a destroy. It needs no AWS account and reaches nothing beyond loopback.
//
//	awsoidc-demo -provider-dir DIR -quickstart examples/quickstart [-v]
//
// DIR holds a freshly built terraform-provider-awsoidc binary. Steps are logged at info
// level; -v adds their details and Terraform's own output.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localenv"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
)

// The demo's identity: a CI pipeline of acme/app on its main branch, and a neighbour
// that must be refused.
const (
	demoSubject      = "repo:acme/app:ref:refs/heads/main"
	neighbourSubject = demoSubject + "-fork" // as examples/quickstart builds it
	demoRoleName     = "demo-deployer"
)

func main() {
	providerDir := flag.String("provider-dir", "", "directory holding the terraform-provider-awsoidc binary")
	quickstart := flag.String("quickstart", "examples/quickstart", "the Terraform configuration to apply")
	verbose := flag.Bool("v", false, "log each step's details and show Terraform's own output")
	flag.Parse()

	logger := newLogger("demo", *verbose)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, logger, *providerDir, *quickstart); err != nil {
		logger.Error("demo failed", "error", err)
		stop()
		os.Exit(1)
	}
}

func newLogger(name string, verbose bool) hclog.Logger {
	level := hclog.Info
	if verbose {
		level = hclog.Debug
	}
	return hclog.New(&hclog.LoggerOptions{Name: name, Level: level, Output: os.Stderr})
}

func run(ctx context.Context, logger hclog.Logger, providerDir, quickstart string) (err error) {
	if providerDir == "" {
		return errors.New("-provider-dir is required")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH; install Terraform 1.10 or later (https://developer.hashicorp.com/terraform/install)")
	}

	logger.Info("starting a local AWS endpoint (moto) and a local identity provider on loopback")
	env, err := localenv.Start(ctx, localenv.Config{
		ProviderDir: providerDir,
		// The demo shows terraform init working without a registry.
		Install: localenv.FilesystemMirror,
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := env.Close(); cerr != nil && err == nil {
			err = cerr
		}
		logger.Info("moto and the local identity provider stopped")
	}()
	issuer := localidp.DefaultIssuer

	work := filepath.Join(env.Dir, "quickstart")
	if err := os.Mkdir(work, 0o750); err != nil {
		return err
	}
	if err := localenv.CopyConfiguration(quickstart, work); err != nil {
		return err
	}
	environ := env.Environ(os.Environ())
	terraform := func(args ...string) (string, error) {
		return runTerraform(ctx, logger, tf, work, environ, args...)
	}
	vars := []string{"-var", "issuer=" + issuer, "-var", "subject=" + demoSubject, "-var", "role_name=" + demoRoleName}

	logger.Info("terraform init (the provider comes from a local filesystem mirror)")
	if _, err := terraform("init", "-input=false", "-no-color"); err != nil {
		return err
	}
	applied := false
	defer func() {
		if !applied {
			return
		}
		logger.Info("terraform destroy")
		if _, derr := terraform(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...); derr != nil && err == nil {
			err = derr
			return
		}
		logger.Info("role and OIDC provider deleted")
	}()
	applied = true
	logger.Info("terraform apply examples/quickstart: discovery, thumbprint, provider, role", "issuer", issuer)
	if _, err := terraform(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...); err != nil {
		return err
	}
	outputs := map[string]string{}
	for _, name := range []string{"provider_arn", "thumbprint", "role_arn", "allowed_subject_may_assume", "neighbour_may_assume"} {
		v, err := terraform("output", "-raw", name)
		if err != nil {
			return err
		}
		outputs[name] = strings.TrimSpace(v)
	}
	logger.Info("applied", "provider_arn", outputs["provider_arn"], "role_arn", outputs["role_arn"])
	logger.Info("thumbprint of the last certificate the IdP serves", "thumbprint", outputs["thumbprint"])
	logger.Info("trust check", "subject", demoSubject, "may_assume", outputs["allowed_subject_may_assume"])
	logger.Info("trust check", "subject", neighbourSubject, "may_assume", outputs["neighbour_may_assume"])
	if outputs["allowed_subject_may_assume"] != "true" || outputs["neighbour_may_assume"] != "false" {
		return fmt.Errorf("the trust checks answered %s and %s; want true and false", outputs["allowed_subject_may_assume"], outputs["neighbour_may_assume"])
	}

	logger.Info("minting an ID token and exchanging it with AssumeRoleWithWebIdentity", "subject", demoSubject)
	token, err := env.IdP.MintToken(map[string]any{"sub": demoSubject}, localidp.TokenOptions{})
	if err != nil {
		return err
	}
	client, diags := awsclient.New(ctx, awsclient.Config{
		Region: acctest.Region, AccessKey: acctest.AccessKey, SecretKey: acctest.SecretKey,
		IAMEndpoint: env.Moto.URL, STSEndpoint: env.Moto.URL, SkipCredentialsValidation: true, SkipRequestingAccountID: true,
		MaxRetries: 5,
	})
	for _, d := range diags {
		if d.Error {
			return errors.New(d.String())
		}
	}
	creds, err := client.AssumeRoleWithWebIdentity(ctx, awsclient.WebIdentityRequest{
		RoleARN: outputs["role_arn"], Token: token, SessionName: "demo", Duration: time.Hour,
	})
	if err != nil {
		summary, why := awsclient.ExplainWebIdentityError(err)
		return fmt.Errorf("%s: %s", summary, why)
	}
	// The secret key and session token are never logged.
	logger.Info("assumed the role", "session", creds.AssumedRoleARN, "access_key_id", creds.AccessKeyID,
		"expires", creds.Expiration.UTC().Format(time.RFC3339))
	return nil
}

// runTerraform runs one Terraform command; at debug level its output is shown as it
// comes.
func runTerraform(ctx context.Context, logger hclog.Logger, tf, dir string, env []string, args ...string) (string, error) {
	logger.Debug("running terraform", "args", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	cmd.Env = append(env, "TF_IN_AUTOMATION=1")
	var out, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if logger.IsDebug() {
		cmd.Stdout = io.MultiWriter(&out, os.Stdout)
		cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	}
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("terraform %s: %w\n%s%s", args[0], err, out.String(), stderr.String())
	}
	return out.String(), nil
}
