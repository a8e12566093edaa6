package acctest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Workspace is a Terraform working directory driven through the real
// Terraform CLI (with terraform-exec), attached to a ProviderProcess. Unlike
// terraform-plugin-testing it gives each command's exit status and
// diagnostics to the test, runs plans with -detailed-exitcode, and lets the
// test swap the provider process between commands.
//
// Commands run with Terraform's defaults (-parallelism=10) and a CLI
// configuration of their own, so the developer's ~/.terraformrc (dev
// overrides, mirrors) plays no part.
type Workspace struct {
	// Dir is the working directory; the configuration is Dir/main.tf.
	Dir string

	tf          *tfexec.Terraform
	provider    *ProviderProcess
	initialized bool
}

// NewWorkspace makes a working directory for this test, attached to p.
// A missing Terraform CLI fails the test with instructions to install it.
func NewWorkspace(tb testing.TB, p *ProviderProcess) *Workspace {
	tb.Helper()
	terraform := RequireTerraform(tb)
	dir := tb.TempDir()
	cliConfig := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(dir, terraform)
	if err != nil {
		tb.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	env = tfexec.CleanEnv(env)
	env["TF_CLI_CONFIG_FILE"] = cliConfig
	env["CHECKPOINT_DISABLE"] = "1"
	if err := tf.SetEnv(env); err != nil {
		tb.Fatal(err)
	}
	return &Workspace{Dir: dir, tf: tf, provider: p}
}

// UseProvider attaches later commands to p, for example after the process
// they used was killed.
func (w *Workspace) UseProvider(p *ProviderProcess) { w.provider = p }

// SetConfig replaces the configuration.
func (w *Workspace) SetConfig(config string) error {
	return os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(config), 0o600)
}

// Diagnostic is one diagnostic a command reported.
type Diagnostic struct {
	Severity string // "error" or "warning"
	Summary  string
	Detail   string
	// Address is the resource the diagnostic is about, when Terraform knows
	// it, e.g. awsoidc_role.r[3].
	Address string
}

func (d Diagnostic) String() string {
	s := fmt.Sprintf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
	if d.Address != "" {
		s += " (" + d.Address + ")"
	}
	return s
}

// Run is what one command reported.
type Run struct {
	// Changed is the outcome of a plan run with -detailed-exitcode: true when
	// it exited 2 (changes, or for -refresh-only, changes outside Terraform).
	Changed bool
	// Diagnostics are the errors and warnings, in the order reported.
	Diagnostics []Diagnostic
	// Changes lists planned and detected changes, e.g. "update
	// awsoidc_role.r[1]" or "drift update awsoidc_role.r[2]".
	Changes []string
}

// Errors are the error diagnostics.
func (r *Run) Errors() []Diagnostic {
	var out []Diagnostic
	for _, d := range r.Diagnostics {
		if d.Severity == "error" {
			out = append(out, d)
		}
	}
	return out
}

// Summary renders the errors and changes for a failure message.
func (r *Run) Summary() string {
	var b strings.Builder
	for _, d := range r.Errors() {
		fmt.Fprintf(&b, "\n  %s", d)
	}
	if len(r.Changes) > 0 {
		fmt.Fprintf(&b, "\n  changes: %s", strings.Join(r.Changes, ", "))
	}
	return b.String()
}

// Apply runs terraform apply -auto-approve.
func (w *Workspace) Apply(ctx context.Context) (*Run, error) {
	return w.run(ctx, "apply", func(out *bytes.Buffer, reattach *tfexec.ReattachOption) error {
		return w.tf.ApplyJSON(ctx, out, reattach)
	})
}

// Destroy runs terraform destroy -auto-approve.
func (w *Workspace) Destroy(ctx context.Context) (*Run, error) {
	return w.run(ctx, "destroy", func(out *bytes.Buffer, reattach *tfexec.ReattachOption) error {
		return w.tf.DestroyJSON(ctx, out, reattach)
	})
}

// Plan runs terraform plan -detailed-exitcode; Run.Changed says whether it
// found changes.
func (w *Workspace) Plan(ctx context.Context) (*Run, error) {
	return w.plan(ctx, "plan")
}

// PlanRefreshOnly runs terraform plan -refresh-only -detailed-exitcode,
// with -target for each of targets; Run.Changed says whether the refresh
// changed the state.
func (w *Workspace) PlanRefreshOnly(ctx context.Context, targets ...string) (*Run, error) {
	opts := []tfexec.PlanOption{tfexec.RefreshOnly(true)}
	for _, t := range targets {
		opts = append(opts, tfexec.Target(t))
	}
	return w.plan(ctx, "plan -refresh-only", opts...)
}

func (w *Workspace) plan(ctx context.Context, name string, opts ...tfexec.PlanOption) (*Run, error) {
	var changed bool
	run, err := w.run(ctx, name, func(out *bytes.Buffer, reattach *tfexec.ReattachOption) error {
		var err error
		changed, err = w.tf.PlanJSON(ctx, out, append(opts, reattach)...)
		return err
	})
	if run != nil {
		run.Changed = changed
	}
	return run, err
}

// Import runs terraform import address id.
func (w *Workspace) Import(ctx context.Context, address, id string) error {
	if err := w.init(ctx); err != nil {
		return err
	}
	w.tf.SetStdout(nil)
	w.tf.SetStderr(nil)
	if err := w.tf.Import(ctx, address, id, tfexec.Reattach(w.provider.Reattach())); err != nil {
		return fmt.Errorf("terraform import %s %s: %w", address, id, err)
	}
	return nil
}

// State is the state as terraform show -json prints it.
func (w *Workspace) State(ctx context.Context) (*tfjson.State, error) {
	if err := w.init(ctx); err != nil {
		return nil, err
	}
	w.tf.SetStdout(nil)
	w.tf.SetStderr(nil)
	state, err := w.tf.Show(ctx, tfexec.Reattach(w.provider.Reattach()))
	if err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	return state, nil
}

func (w *Workspace) init(ctx context.Context) error {
	if w.initialized {
		return nil
	}
	w.tf.SetStdout(nil)
	w.tf.SetStderr(nil)
	if err := w.tf.Init(ctx, tfexec.Reattach(w.provider.Reattach())); err != nil {
		return fmt.Errorf("terraform init: %w", err)
	}
	w.initialized = true
	return nil
}

// run runs one command with machine-readable output and reads its
// diagnostics and changes. The error, when the command fails, names them.
func (w *Workspace) run(ctx context.Context, name string, command func(*bytes.Buffer, *tfexec.ReattachOption) error) (*Run, error) {
	if err := w.init(ctx); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w.tf.SetStderr(nil)
	err := command(&out, tfexec.Reattach(w.provider.Reattach()))
	w.tf.SetStdout(nil)
	run, perr := parseUI(out.Bytes())
	if perr != nil {
		return run, fmt.Errorf("terraform %s: reading its output: %w", name, perr)
	}
	if err != nil {
		return run, fmt.Errorf("terraform %s failed: %w%s", name, err, run.Summary())
	}
	return run, nil
}

// uiMessage is the part of Terraform's machine-readable UI messages
// (https://developer.hashicorp.com/terraform/internals/machine-readable-ui)
// that Run keeps.
type uiMessage struct {
	Type       string `json:"type"`
	Diagnostic *struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Address  string `json:"address"`
	} `json:"diagnostic"`
	Change *struct {
		Resource struct {
			Addr string `json:"addr"`
		} `json:"resource"`
		Action string `json:"action"`
	} `json:"change"`
}

func parseUI(out []byte) (*Run, error) {
	run := &Run{}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 64<<10), 16<<20)
	for scanner.Scan() {
		line := bytes.TrimSpace(scanner.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var m uiMessage
		if err := json.Unmarshal(line, &m); err != nil {
			return run, fmt.Errorf("message %q: %w", line, err)
		}
		switch {
		case m.Type == "diagnostic" && m.Diagnostic != nil:
			d := m.Diagnostic
			run.Diagnostics = append(run.Diagnostics, Diagnostic{Severity: d.Severity, Summary: d.Summary, Detail: d.Detail, Address: d.Address})
		case m.Type == "planned_change" && m.Change != nil:
			run.Changes = append(run.Changes, m.Change.Action+" "+m.Change.Resource.Addr)
		case m.Type == "resource_drift" && m.Change != nil:
			run.Changes = append(run.Changes, "drift "+m.Change.Action+" "+m.Change.Resource.Addr)
		}
	}
	return run, scanner.Err()
}
