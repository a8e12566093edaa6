package acctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseUI_readsDiagnosticsAndChanges(t *testing.T) {
	out := strings.Join([]string{
		`{"@level":"info","@message":"Terraform 1.11.4","type":"version","terraform":"1.11.4","ui":"1.2"}`,
		`{"@level":"info","@message":"awsoidc_role.r0: Plan to update","change":{"resource":{"addr":"awsoidc_role.r0","resource_type":"awsoidc_role"},"action":"update"},"type":"planned_change"}`,
		`{"@level":"info","@message":"awsoidc_role.r1: Drift detected (update)","change":{"resource":{"addr":"awsoidc_role.r1"},"action":"update"},"type":"resource_drift"}`,
		`{"@level":"error","@message":"Error: Role Already Exists","diagnostic":{"severity":"error","summary":"Role Already Exists","detail":"IAM already has a role named \"x\". terraform import <address> x","address":"awsoidc_role.r2"},"type":"diagnostic"}`,
		`{"@level":"warn","@message":"Warning: Thumbprints Kept","diagnostic":{"severity":"warning","summary":"Thumbprints Kept","detail":"kept"},"type":"diagnostic"}`,
		`not JSON: Terraform prints nothing like this with -json, but it is skipped`,
		``,
	}, "\n")
	run, err := parseUI([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(run.Changes, "; "); got != "update awsoidc_role.r0; drift update awsoidc_role.r1" {
		t.Errorf("Changes = %q", got)
	}
	if len(run.Diagnostics) != 2 {
		t.Fatalf("Diagnostics = %+v, expected an error and a warning", run.Diagnostics)
	}
	errs := run.Errors()
	want := Diagnostic{Severity: "error", Summary: "Role Already Exists", Detail: `IAM already has a role named "x". terraform import <address> x`, Address: "awsoidc_role.r2"}
	if len(errs) != 1 || errs[0] != want {
		t.Errorf("Errors() = %+v, expected [%+v]", errs, want)
	}
	if s := run.Summary(); !strings.Contains(s, "Role Already Exists") || !strings.Contains(s, "(awsoidc_role.r2)") || !strings.Contains(s, "drift update awsoidc_role.r1") {
		t.Errorf("Summary() = %q, expected the error with its address and the changes", s)
	}
	if _, err := parseUI([]byte(`{"type": "diagnostic", "diagnostic": `)); err == nil {
		t.Error("a truncated JSON message was accepted")
	}
}

// fakeProvider writes a shell script standing in for a provider binary.
func fakeProvider(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "terraform-provider-fake")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil { //nolint:gosec // a test script must be executable
		t.Fatal(err)
	}
	return path
}

const fakeReattach = `{"registry.terraform.io/awsoidc/awsoidc":{"Protocol":"grpc","ProtocolVersion":6,"Pid":1,"Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin1"}}}`

func TestStartProvider_readsWhereTheProviderListensAndKillsIt(t *testing.T) {
	t.Parallel()
	binary := fakeProvider(t, `echo "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:"
echo ""
cat <<'END'
	TF_REATTACH_PROVIDERS='`+fakeReattach+`'
END
echo "log line" >&2
exec sleep 60`)
	p, err := startProvider(binary, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := p.Reattach()["registry.terraform.io/awsoidc/awsoidc"]
	if got.Protocol != "grpc" || got.ProtocolVersion != 6 || got.Addr.Network != "unix" || got.Addr.String != "/tmp/plugin1" {
		t.Errorf("Reattach() = %+v", p.Reattach())
	}
	start := time.Now()
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Kill took %s, expected SIGKILL to end it at once", elapsed)
	}
	if problem := p.logProblem(); problem != "" {
		t.Errorf("logProblem() = %q for a clean log", problem)
	}
}

func TestStartProvider_reportsAProviderThatExitsOrPanics(t *testing.T) {
	t.Parallel()
	if _, err := startProvider(fakeProvider(t, `echo "cannot start" >&2; exit 1`), t.TempDir()); err == nil || !strings.Contains(err.Error(), "cannot start") {
		t.Errorf("provider that exits: %v, expected an error quoting its log", err)
	}
	if _, err := startProvider(fakeProvider(t, `echo "TF_REATTACH_PROVIDERS='not json'"; exec sleep 60`), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not json") {
		t.Errorf("provider announcing garbage: %v, expected an error quoting it", err)
	}
	p, err := startProvider(fakeProvider(t, `cat <<'END'
TF_REATTACH_PROVIDERS='`+fakeReattach+`'
END
echo "WARNING: DATA RACE" >&2
echo "Write at 0x00c000123 by goroutine 7:" >&2
exec sleep 60`), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.stop() }()
	deadline := time.Now().Add(10 * time.Second)
	for p.logProblem() == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if problem := p.logProblem(); !strings.Contains(problem, "DATA RACE") || !strings.Contains(problem, "goroutine 7") {
		t.Errorf("logProblem() = %q, expected the race report", problem)
	}
}
