// Command awsoidc-playground starts a local world to try this provider in by hand: a
// local AWS endpoint (moto, with the client ID calls it lacks added and AWS managed
// policies loaded) and a local identity provider answering for the issuer of every
// recipe under examples/recipes, under the real host names, through a CONNECT proxy.
// It writes a Terraform CLI configuration with dev_overrides for a freshly built
// provider, prints the environment to export, a copy of every recipe with its variables,
// and a token for each recipe's identity, then runs until interrupted (SIGINT or
// SIGTERM) and stops everything it started.
//
//	awsoidc-playground -provider-dir DIR [-recipes examples/recipes] [-mirror] [-v]
//	awsoidc-playground -provider-dir DIR [-mirror] [-v] -- COMMAND [ARGS...]
//
// With a command, it runs the command in that environment instead of waiting, stops
// everything, and exits with the command's status (make test-modules runs `terraform
// test` this way). With -mirror, the provider is offered through a filesystem mirror
// rather than dev_overrides, so terraform init works. Steps are logged to standard
// error at info level; -v adds details.
package main

import (
	"bufio"
	"context"
	"encoding/json"
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

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localenv"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/recipes"
)

// tokenLifetime is how long the printed tokens stay valid: a working day.
const tokenLifetime = 12 * time.Hour

// readyLine is the last line printed once everything runs.
const readyLine = "# Ready. Press Ctrl-C to stop moto and the local identity provider and delete every file listed above."

type options struct {
	providerDir string
	recipesDir  string
	mirror      bool
	command     []string
	out         io.Writer
	logger      hclog.Logger
}

func main() {
	providerDir := flag.String("provider-dir", "", "directory holding the terraform-provider-awsoidc binary")
	recipesDir := flag.String("recipes", "examples/recipes", "the recipes to copy into the playground")
	mirror := flag.Bool("mirror", false, "install the provider from a local filesystem mirror instead of dev_overrides, so that terraform init works (for configurations with modules or other providers)")
	verbose := flag.Bool("v", false, "log each step's details")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: awsoidc-playground -provider-dir DIR [-recipes DIR] [-mirror] [-v] [-- COMMAND [ARGS...]]")
		flag.PrintDefaults()
	}
	flag.Parse()

	level := hclog.Info
	if *verbose {
		level = hclog.Debug
	}
	logger := hclog.New(&hclog.LoggerOptions{Name: "playground", Level: level, Output: os.Stderr})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, options{
		providerDir: *providerDir, recipesDir: *recipesDir, mirror: *mirror, command: flag.Args(),
		out: os.Stdout, logger: logger,
	})
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		stop()
		os.Exit(exit.ExitCode())
	case err != nil:
		logger.Error("playground failed", "error", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) (err error) {
	if o.providerDir == "" {
		return errors.New("-provider-dir is required")
	}
	if o.providerDir, err = filepath.Abs(o.providerDir); err != nil {
		return err
	}
	issuers, err := recipes.IssuerConfigs()
	if err != nil {
		return err
	}
	install, how := localenv.DevOverrides, "dev_overrides: skip terraform init"
	if o.mirror {
		install, how = localenv.FilesystemMirror, "a local filesystem mirror: run terraform init first"
	}
	o.logger.Info("starting the local AWS endpoint and the local identity provider", "issuers", len(issuers))
	env, err := localenv.Start(ctx, localenv.Config{
		ProviderDir:     o.providerDir,
		Install:         install,
		Issuers:         issuers,
		ManagedPolicies: true,
		Logger:          o.logger,
	})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := env.Close(); cerr != nil && err == nil {
			err = cerr
		}
		o.logger.Info("stopped moto and the local identity provider; removed the playground's files", "dir", env.Dir)
	}()

	envFile := filepath.Join(env.Dir, "env.sh")
	if err := os.WriteFile(envFile, []byte(env.Exports()), 0o600); err != nil {
		return err
	}

	if len(o.command) > 0 {
		return runCommand(ctx, o, env)
	}

	tried, err := prepareRecipes(env, o)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(o.out)
	fmt.Fprintf(w, "# awsoidc playground: AWS (IAM and STS) at %s, identity providers through the proxy %s\n", env.Moto.URL, env.IdP.ProxyURL())
	fmt.Fprintf(w, "# In another shell, run these (or: source %s).\n", envFile)
	fmt.Fprintf(w, "# With them, Terraform uses the provider built in %s, through %s.\n", o.providerDir, how)
	fmt.Fprint(w, env.Exports())
	fmt.Fprintln(w)
	fmt.Fprintln(w, "# Each recipe is copied with its variables; apply it where it is, or any configuration of your own.")
	for _, t := range tried {
		fmt.Fprintf(w, "\n# %s: %s\n", t.recipe.Name, t.recipe.Title)
		fmt.Fprintf(w, "(cd %s && terraform apply)\n", t.dir)
		fmt.Fprintf(w, "# A token of %s (valid until %s), also in %s:\n", t.recipe.Allowed[0].Name, t.expires.Format(time.RFC3339), t.tokenFile)
		fmt.Fprintln(w, t.token)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, readyLine)
	if err := w.Flush(); err != nil {
		return err
	}
	o.logger.Info("playground ready; waiting for Ctrl-C", "recipes", len(tried))
	<-ctx.Done()
	o.logger.Info("interrupted; stopping everything")
	return nil
}

// runCommand runs the command with the playground's environment, its standard streams
// passed through.
func runCommand(ctx context.Context, o options, env *localenv.Env) error {
	o.logger.Info("running", "command", strings.Join(o.command, " "))
	//nolint:gosec // running the command the user gave is the point of -- COMMAND.
	cmd := exec.CommandContext(ctx, o.command[0], o.command[1:]...)
	cmd.Env = env.Environ(os.Environ())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, o.out, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	err := cmd.Run()
	if cmd.ProcessState != nil {
		o.logger.Info("command finished", "command", o.command[0], "status", cmd.ProcessState.ExitCode())
	}
	return err
}

type triedRecipe struct {
	recipe    recipes.Recipe
	dir       string
	token     string
	tokenFile string
	expires   time.Time
}

// prepareRecipes copies every recipe with its variables into the playground's directory,
// so applying one leaves nothing in the source tree, and mints a token for each.
func prepareRecipes(env *localenv.Env, o options) ([]triedRecipe, error) {
	var out []triedRecipe
	expires := time.Now().Add(tokenLifetime).Truncate(time.Second)
	for _, r := range recipes.All() {
		dir := filepath.Join(env.Dir, "recipes", r.Name)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		if err := localenv.CopyConfiguration(filepath.Join(o.recipesDir, r.Dir), dir, "README.md"); err != nil {
			return nil, err
		}
		vars, err := json.MarshalIndent(r.VarsWith(env.CABundle), "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), vars, 0o600); err != nil {
			return nil, err
		}
		token, err := r.Mint(env.IdP, r.Allowed[0], localidp.TokenOptions{Expiry: expires})
		if err != nil {
			return nil, err
		}
		tokenFile := filepath.Join(env.Dir, "tokens", r.Name+".jwt")
		if err := os.MkdirAll(filepath.Dir(tokenFile), 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
			return nil, err
		}
		o.logger.Debug("prepared recipe", "recipe", r.Name, "dir", dir, "issuer", r.Issuer)
		out = append(out, triedRecipe{recipe: r, dir: dir, token: token, tokenFile: tokenFile, expires: expires})
	}
	return out, nil
}
