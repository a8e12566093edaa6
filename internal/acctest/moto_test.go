package acctest

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(RunMain(m)) }

func TestStartMoto_servesAndStopsWithoutLeavingAProcess(t *testing.T) {
	ctx := context.Background()
	m, err := StartMoto(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := m.Pid(), m.dir
	t.Logf("moto %s ready at %s after %s", m.Version, m.URL, m.StartupTime.Round(time.Millisecond))
	if m.Version != MotoVersion {
		t.Errorf("moto reports version %q, expected %q", m.Version, MotoVersion)
	}
	if !strings.HasPrefix(m.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %q, expected a 127.0.0.1 address", m.URL)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("moto pid %d is not running after StartMoto: %v", pid, err)
	}
	body, err := m.Query(ctx, ServiceSTS, "GetCallerIdentity", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "<Account>"+AccountID+"</Account>") {
		t.Errorf("GetCallerIdentity answered %s, expected account %s", body, AccountID)
	}

	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v, expected nil", err)
	}
	for _, target := range []int{pid, -pid} {
		if err := syscall.Kill(target, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("kill(%d, 0) after Close = %v, expected ESRCH (no such process or group)", target, err)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("launcher directory %s after Close: %v, expected it removed", dir, err)
	}
	if m.Alive() == nil {
		t.Error("Alive() = nil after Close, expected an error")
	}
}

// The launcher exits when its stdin closes, which is what happens when the
// test binary dies without calling Close.
func TestStartMoto_exitsWhenItsParentGoesAway(t *testing.T) {
	m, err := StartMoto(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	_ = m.stdin.Close()
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("moto pid %d still runs 10s after its stdin closed", m.Pid())
	}
}

func TestStartMoto_missingToolSaysHowToInstall(t *testing.T) {
	realPython, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("finding the python3 interpreter: %v", err)
	}
	// -S leaves site-packages out, so the real launcher finds no moto.
	noMoto := t.TempDir()
	writeScript(t, noMoto, "python3", fmt.Sprintf("#!/bin/sh\nexec %s -S \"$@\"\n", strings.TrimSpace(string(realPython))))

	tests := []struct {
		name        string
		pathEnv     string
		wantTool    string
		wantMessage []string
	}{
		{
			name:        "no python3 on PATH",
			pathEnv:     t.TempDir(),
			wantTool:    "python3",
			wantMessage: []string{`"python3" not found in PATH`, "python3 -m pip install 'moto[server]==5.2.1'"},
		},
		{
			name:        "python3 without moto",
			pathEnv:     noMoto + string(os.PathListSeparator) + os.Getenv("PATH"),
			wantTool:    "moto",
			wantMessage: []string{"cannot import it", "No module named 'moto'", "python3 -m pip install 'moto[server]==5.2.1'"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := StartMotoWith(context.Background(), MotoOptions{PathEnv: tt.pathEnv, StartTimeout: 20 * time.Second})
			if err == nil {
				_ = m.Close()
				t.Fatal("StartMotoWith succeeded, expected an error")
			}
			var missing *ToolMissingError
			if !errors.As(err, &missing) {
				t.Fatalf("error %v (%T), expected a *ToolMissingError", err, err)
			}
			if missing.Tool != tt.wantTool {
				t.Errorf("Tool = %q, expected %q", missing.Tool, tt.wantTool)
			}
			for _, want := range tt.wantMessage {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestRequireTerraform_setsTheVariablesPluginTestingReads(t *testing.T) {
	path := RequireTerraform(t)
	if err := isExecutable(path); err != nil {
		t.Fatalf("RequireTerraform returned %q: %v", path, err)
	}
	for key, want := range map[string]string{"TF_ACC": "1", "TF_ACC_TERRAFORM_PATH": path, "CHECKPOINT_DISABLE": "1"} {
		if got := os.Getenv(key); got != want {
			t.Errorf("%s = %q, expected %q", key, got, want)
		}
	}
}

func TestRequireTerraform_failsAndNeverSkipsWithoutTerraform(t *testing.T) {
	tooOld := t.TempDir()
	writeScript(t, tooOld, "terraform", "#!/bin/sh\necho '{\"terraform_version\":\"1.5.7\"}'\n")
	tests := []struct {
		name    string
		pathEnv string
		want    []string
	}{
		{"absent", t.TempDir(), []string{`"terraform" not found in PATH`, "releases.hashicorp.com", "apt-get install terraform"}},
		{"too old", tooOld, []string{"version 1.5.7, expected 1.10.0 or later", "releases.hashicorp.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			rec.run(func() { requireTerraform(rec, tt.pathEnv) })
			if len(rec.skips) != 0 {
				t.Errorf("RequireTerraform skipped (%q), expected a failure", rec.skips)
			}
			if len(rec.fatals) != 1 {
				t.Fatalf("RequireTerraform failed %d times (%q), expected once", len(rec.fatals), rec.fatals)
			}
			for _, want := range tt.want {
				if !strings.Contains(rec.fatals[0], want) {
					t.Errorf("failure %q does not contain %q", rec.fatals[0], want)
				}
			}
		})
	}
}

// oidcProvider is the part of GetOpenIDConnectProvider's answer the tests read.
type oidcProvider struct {
	XMLName   xml.Name
	URL       string   `xml:"GetOpenIDConnectProviderResult>Url"`
	ClientIDs []string `xml:"GetOpenIDConnectProviderResult>ClientIDList>member"`
}

var nameSequence atomic.Int64

// uniqueName returns a name no other call in this process returns; the shared
// server outlives a single run of a test (-count=N), so names cannot be fixed.
func uniqueName(label string) string {
	return fmt.Sprintf("%s-%d-%d", label, os.Getpid(), nameSequence.Add(1))
}

// createProvider creates a provider with a host of its own.
func createProvider(t *testing.T, m *Moto, label string, clientIDs ...string) string {
	t.Helper()
	host := uniqueName(label)
	params := url.Values{"Url": {"https://" + host + ".example.com/issuer"}}
	for i, id := range clientIDs {
		params.Set(fmt.Sprintf("ClientIDList.member.%d", i+1), id)
	}
	if _, err := m.Query(context.Background(), ServiceIAM, "CreateOpenIDConnectProvider", params); err != nil {
		t.Fatal(err)
	}
	return "arn:aws:iam::" + AccountID + ":oidc-provider/" + host + ".example.com/issuer"
}

func clientIDsOf(t *testing.T, m *Moto, arn string) []string {
	t.Helper()
	body, err := m.Query(context.Background(), ServiceIAM, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}})
	if err != nil {
		t.Fatal(err)
	}
	var got oidcProvider
	if err := xml.Unmarshal(body, &got); err != nil {
		t.Fatalf("GetOpenIDConnectProvider answered %s: %v", body, err)
	}
	return got.ClientIDs
}

func TestLauncher_clientIDActionsChangeTheProviderIdempotently(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	arn := createProvider(t, m, "p", "first")
	steps := []struct {
		action   string
		clientID string
		want     []string
	}{
		{"AddClientIDToOpenIDConnectProvider", "second", []string{"first", "second"}},
		{"AddClientIDToOpenIDConnectProvider", "second", []string{"first", "second"}},
		{"AddClientIDToOpenIDConnectProvider", strings.Repeat("x", 255), []string{"first", "second", strings.Repeat("x", 255)}},
		{"RemoveClientIDFromOpenIDConnectProvider", "first", []string{"second", strings.Repeat("x", 255)}},
		{"RemoveClientIDFromOpenIDConnectProvider", "first", []string{"second", strings.Repeat("x", 255)}},
		{"RemoveClientIDFromOpenIDConnectProvider", strings.Repeat("x", 255), []string{"second"}},
	}
	for i, step := range steps {
		body, err := m.Query(context.Background(), ServiceIAM, step.action,
			url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {step.clientID}})
		if err != nil {
			t.Fatalf("step %d %s(%.20q): %v", i, step.action, step.clientID, err)
		}
		// moto serialized the answer from botocore's model of the action.
		var root struct{ XMLName xml.Name }
		if err := xml.Unmarshal(body, &root); err != nil || root.XMLName.Local != step.action+"Response" ||
			root.XMLName.Space != xmlNamespaces[ServiceIAM] {
			t.Errorf("step %d answered %s, expected a <%sResponse> in the IAM namespace", i, body, step.action)
		}
		if got := clientIDsOf(t, m, arn); !slices.Equal(got, step.want) {
			t.Errorf("step %d %s(%.20q): client IDs %q, expected %q", i, step.action, step.clientID, got, step.want)
		}
	}
}

func TestLauncher_clientIDActionsRefuseWhatIAMRefuses(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	arn := createProvider(t, m, "small", "only")
	full := make([]string, 100)
	for i := range full {
		full[i] = fmt.Sprintf("client-%03d", i)
	}
	fullARN := createProvider(t, m, "full", full...)
	unknown := "arn:aws:iam::" + AccountID + ":oidc-provider/absent.example.com"

	tests := []struct {
		name       string
		action     string
		params     url.Values
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"add to an unknown provider", "AddClientIDToOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {unknown}, "ClientID": {"x"}},
			404, "NoSuchEntity", "OpenIDConnect Provider not found for arn " + unknown},
		{"remove from an unknown provider", "RemoveClientIDFromOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {unknown}, "ClientID": {"x"}},
			404, "NoSuchEntity", "OpenIDConnect Provider not found for arn " + unknown},
		{"empty client ID", "AddClientIDToOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {""}},
			400, "ValidationError", "1 validation error detected: Value '' at 'clientID' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"client ID of 256 characters", "RemoveClientIDFromOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {arn}, "ClientID": {strings.Repeat("y", 256)}},
			400, "ValidationError", "1 validation error detected: Value '" + strings.Repeat("y", 256) + "' at 'clientID' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"no client ID", "AddClientIDToOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {arn}},
			400, "ValidationError", "1 validation error detected: Value null at 'clientID' failed to satisfy constraint: Member must not be null"},
		{"short ARN and no client ID", "AddClientIDToOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {"arn:aws:iam::1"}},
			400, "ValidationError", "2 validation errors detected: Value 'arn:aws:iam::1' at 'openIDConnectProviderArn' failed to satisfy constraint: Member must have length greater than or equal to 20; Value null at 'clientID' failed to satisfy constraint: Member must not be null"},
		{"a 101st client ID", "AddClientIDToOpenIDConnectProvider",
			url.Values{"OpenIDConnectProviderArn": {fullARN}, "ClientID": {"one-too-many"}},
			409, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Query(context.Background(), ServiceIAM, tt.action, tt.params)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("error %v, expected a *QueryError", err)
			}
			if qe.Status != tt.wantStatus || qe.Code != tt.wantCode || qe.Message != tt.wantMsg {
				t.Errorf("answer %d %s %q, expected %d %s %q", qe.Status, qe.Code, qe.Message, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
		})
	}
	if got := clientIDsOf(t, m, arn); !slices.Equal(got, []string{"only"}) {
		t.Errorf("client IDs after refused calls %q, expected [only]", got)
	}
	if got := clientIDsOf(t, m, fullARN); len(got) != 100 {
		t.Errorf("full provider has %d client IDs after a refused add, expected 100", len(got))
	}
}

func TestReadyWriter_findsTheReadyLineAcrossWrites(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"one write", []string{"moto-ready port=1234 version=5.2.1\n"}, "moto-ready port=1234 version=5.2.1"},
		{"split", []string{"noise\nmoto-re", "ady port=5 version=v\nlater\n"}, "moto-ready port=5 version=v"},
		{"no newline yet", []string{"moto-ready port=5"}, ""},
		{"only noise", []string{"Starting\n", "more\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newReadyWriter()
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v; expected %d, nil", n, err, len(s))
				}
			}
			got := ""
			select {
			case got = <-w.line:
			default:
			}
			if got != tt.want {
				t.Errorf("ready line %q, expected %q", got, tt.want)
			}
		})
	}
	if got := parseReadyLine("moto-ready port=1234 version=5.2.1"); got["port"] != "1234" || got["version"] != "5.2.1" {
		t.Errorf("parseReadyLine = %v, expected port 1234 and version 5.2.1", got)
	}
}

func TestMotoEnv_setsPathAndDropsInheritedMotoSettings(t *testing.T) {
	got := motoEnv(
		[]string{"HOME=/root", "PATH=/usr/bin", "MOTO_ACCOUNT_ID=111111111111", "INITIAL_NO_AUTH_ACTION_COUNT=0", "LANG=C"},
		"/opt/bin",
		[]string{"MOTO_IAM_LOAD_MANAGED_POLICIES=true"},
	)
	want := []string{"HOME=/root", "LANG=C", "PATH=/opt/bin", "MOTO_IAM_LOAD_MANAGED_POLICIES=true"}
	if !slices.Equal(got, want) {
		t.Errorf("motoEnv = %q, expected %q", got, want)
	}
}

func TestTailBuffer_keepsTheLastBytes(t *testing.T) {
	b := &tailBuffer{max: 8}
	for _, s := range []string{"abc", "defgh", "ijk"} {
		_, _ = b.Write([]byte(s))
	}
	if got := b.String(); got != "defghijk" {
		t.Errorf("tail = %q, expected %q", got, "defghijk")
	}
}

func writeScript(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// recordingTB records Fatal and Skip calls, ending the goroutine like the
// real ones do, so a helper's failure can be asserted on.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	fatals []string
	skips  []string
}

func (r *recordingTB) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Fatal(args ...any) { r.stop(&r.fatals, fmt.Sprint(args...)) }

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.stop(&r.fatals, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Skip(args ...any) { r.stop(&r.skips, fmt.Sprint(args...)) }

func (r *recordingTB) Skipf(format string, args ...any) {
	r.stop(&r.skips, fmt.Sprintf(format, args...))
}

func (r *recordingTB) SkipNow() { r.stop(&r.skips, "SkipNow") }

func (r *recordingTB) FailNow() { r.stop(&r.fatals, "FailNow") }

func (r *recordingTB) stop(into *[]string, msg string) {
	r.mu.Lock()
	*into = append(*into, msg)
	r.mu.Unlock()
	runtime.Goexit()
}
