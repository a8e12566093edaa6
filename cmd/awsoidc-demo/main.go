// Command awsoidc-demo runs the whole federation flow on one machine: a local identity
// provider and a local AWS endpoint (moto) on loopback, `terraform apply` of
// examples/quickstart, a token exchanged for temporary credentials, trust checks, and a
// destroy. It needs no AWS account and reaches nothing beyond loopback.
//
//	awsoidc-demo -provider-dir DIR -quickstart examples/quickstart
//
// DIR holds a freshly built terraform-provider-awsoidc binary.
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
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
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
	verbose := flag.Bool("v", false, "show Terraform's own output")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *providerDir, *quickstart, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, providerDir, quickstart string, verbose bool) (err error) {
	if providerDir == "" {
		return errors.New("-provider-dir is required")
	}
	providerDir, err = filepath.Abs(providerDir)
	if err != nil {
		return err
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH; install Terraform 1.10 or later (https://developer.hashicorp.com/terraform/install)")
	}

	step("Starting a local AWS endpoint (moto) and a local identity provider on loopback")
	moto, err := acctest.StartMoto(ctx)
	if err != nil {
		return err
	}
	defer closeAll(&err, moto)

	idp, err := localidp.Start(localidp.Config{})
	if err != nil {
		return fmt.Errorf("starting the local identity provider: %w", err)
	}
	defer closeAll(&err, idp)
	issuer := localidp.DefaultIssuer
	detail("AWS endpoint      %s", moto.URL)
	detail("identity provider %s (through the CONNECT proxy %s)", issuer, idp.ProxyURL())

	work, err := os.MkdirTemp("", "awsoidc-demo-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	if err := copyConfig(quickstart, work); err != nil {
		return err
	}
	env, err := terraformEnv(work, providerDir, moto.URL, idp)
	if err != nil {
		return err
	}
	terraform := func(args ...string) (string, error) {
		return runTerraform(ctx, tf, work, env, verbose, args...)
	}
	vars := []string{"-var", "issuer=" + issuer, "-var", "subject=" + demoSubject, "-var", "role_name=" + demoRoleName}

	step("terraform init && terraform apply examples/quickstart (discovery → thumbprint → provider → role)")
	if _, err := terraform("init", "-input=false", "-no-color"); err != nil {
		return err
	}
	applied := false
	defer func() {
		if !applied {
			return
		}
		step("terraform destroy")
		if _, derr := terraform(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...); derr != nil && err == nil {
			err = derr
			return
		}
		detail("role and OIDC provider deleted; stopping moto and the local identity provider")
	}()
	applied = true
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
	detail("OIDC provider     %s", outputs["provider_arn"])
	detail("thumbprint        %s (the last certificate the IdP serves)", outputs["thumbprint"])
	detail("role              %s", outputs["role_arn"])
	detail("trust check       %s may assume it: %s", demoSubject, outputs["allowed_subject_may_assume"])
	detail("trust check       %s may assume it: %s", neighbourSubject, outputs["neighbour_may_assume"])
	if outputs["allowed_subject_may_assume"] != "true" || outputs["neighbour_may_assume"] != "false" {
		return fmt.Errorf("the trust checks answered %s and %s; want true and false", outputs["allowed_subject_may_assume"], outputs["neighbour_may_assume"])
	}

	step("Minting an ID token for %s and exchanging it with AssumeRoleWithWebIdentity", demoSubject)
	token, err := idp.MintToken(map[string]any{"sub": demoSubject}, localidp.TokenOptions{})
	if err != nil {
		return err
	}
	client, diags := awsclient.New(ctx, awsclient.Config{
		Region: acctest.Region, AccessKey: acctest.AccessKey, SecretKey: acctest.SecretKey,
		IAMEndpoint: moto.URL, STSEndpoint: moto.URL, SkipCredentialsValidation: true, SkipRequestingAccountID: true,
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
	detail("assumed role      %s", creds.AssumedRoleARN)
	detail("access key        %s (secret and session token not shown)", creds.AccessKeyID)
	detail("expires           %s", creds.Expiration.UTC().Format(time.RFC3339))
	return nil
}

func step(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

func detail(format string, args ...any) { fmt.Printf("    "+format+"\n", args...) }

type closer interface{ Close() error }

// closeAll closes c and keeps the first error.
func closeAll(err *error, c closer) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// copyConfig copies the .tf files of src into dst, so the demo leaves nothing in the tree.
func copyConfig(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s holds no .tf files", src)
	}
	return nil
}

// demoVersion is the version the freshly built provider is offered to terraform init as.
const demoVersion = "0.0.1"

// terraformEnv points Terraform at the freshly built provider, through a local filesystem
// mirror so that terraform init needs no registry, and the provider at the local endpoints
// through the same environment variables a user sets for real AWS.
func terraformEnv(work, providerDir, motoURL string, idp *localidp.Server) ([]string, error) {
	mirror := filepath.Join(work, "mirror")
	pkg := filepath.Join(mirror, "registry.terraform.io", "awsoidc", "awsoidc", demoVersion, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(pkg, 0o750); err != nil {
		return nil, err
	}
	bin, err := os.ReadFile(filepath.Join(providerDir, "terraform-provider-awsoidc"))
	if err != nil {
		return nil, fmt.Errorf("reading the provider binary: %w", err)
	}
	//nolint:gosec // Terraform runs the provider from the mirror, so it must be executable.
	if err := os.WriteFile(filepath.Join(pkg, "terraform-provider-awsoidc_v"+demoVersion), bin, 0o700); err != nil {
		return nil, err
	}
	rc := filepath.Join(work, "terraform.rc")
	cfg := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/awsoidc/awsoidc"]
  }
  direct {
    exclude = ["registry.terraform.io/awsoidc/awsoidc"]
  }
}
`, mirror)
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	bundle := filepath.Join(work, "idp-ca.pem")
	if err := os.WriteFile(bundle, idp.CABundlePEM(), 0o600); err != nil {
		return nil, err
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TF_") || strings.EqualFold(k, "HTTPS_PROXY") || strings.EqualFold(k, "HTTP_PROXY") || strings.EqualFold(k, "NO_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"TF_CLI_CONFIG_FILE="+rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"AWS_ACCESS_KEY_ID="+acctest.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+acctest.SecretKey,
		"AWS_REGION="+acctest.Region,
		"AWS_ENDPOINT_URL_IAM="+motoURL,
		"AWS_ENDPOINT_URL_STS="+motoURL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CA_BUNDLE="+bundle,
		"HTTPS_PROXY="+idp.ProxyURL(),
		"NO_PROXY=127.0.0.1,localhost",
	), nil
}

func runTerraform(ctx context.Context, tf, dir string, env []string, verbose bool, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout = &out
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if verbose {
		cmd.Stdout = io.MultiWriter(&out, os.Stdout)
		cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	}
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("terraform %s: %w\n%s%s", args[0], err, out.String(), stderr.String())
	}
	return out.String(), nil
}
