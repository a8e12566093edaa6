package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localenv"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// secretScan fails when any of the secrets appears in what it is given: as a plan or
// state check, the plan JSON and `terraform show -json`; with find, any bytes.
type secretScan struct {
	what    string
	secrets []string
	// learned adds secrets known only once calls have been made, such as the temporary
	// credentials STS has handed out so far; it may be nil.
	learned func() []string
}

// all is every secret to look for now.
func (s secretScan) all() []string {
	out := slices.Clone(s.secrets)
	if s.learned != nil {
		out = append(out, s.learned()...)
	}
	return out
}

func (s secretScan) scan(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(b) < 100 {
		return fmt.Errorf("%s is only %d bytes: nothing to search", s.what, len(b))
	}
	return s.find(s.what, b)
}

// find reports each secret found in b, with the line it is on; the excerpt shown has
// every secret masked.
func (s secretScan) find(where string, b []byte) error {
	secrets := s.all()
	if len(secrets) == 0 {
		return fmt.Errorf("searching %s: no secrets to look for", where)
	}
	var errs []error
	for _, secret := range secrets {
		if i := bytes.Index(b, []byte(secret)); i >= 0 {
			line := bytes.Count(b[:i], []byte("\n")) + 1
			errs = append(errs, fmt.Errorf("%s holds %q (%d times; first on line %d: %s)",
				where, abbreviate(secret), bytes.Count(b, []byte(secret)), line, excerpt(b, i, secrets)))
		}
	}
	return errors.Join(errs...)
}

// excerpt is the line around b[i], cut to a readable length, with the secrets masked.
func excerpt(b []byte, i int, secrets []string) string {
	start := bytes.LastIndexByte(b[:i], '\n') + 1
	end := bytes.IndexByte(b[i:], '\n')
	if end < 0 {
		end = len(b)
	} else {
		end += i
	}
	line := string(b[start:end])
	for _, s := range secrets {
		line = strings.ReplaceAll(line, s, "«secret»")
	}
	if len(line) > 400 {
		line = line[:400] + "…"
	}
	return line
}

func abbreviate(s string) string {
	if len(s) > 24 {
		return s[:12] + "…" + s[len(s)-8:]
	}
	return s
}

func (s secretScan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = s.scan(req.Plan)
}

func (s secretScan) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = s.scan(req.State)
}

// scanFiles searches every file under dir, and every member of the zip archives among
// them (saved plans), and returns how many files (archive members counted one by one),
// state files and saved plans it read.
func (s secretScan) scanFiles(t *testing.T, dir string) (files, states, plans int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() || info.Size() > 32<<20 {
			return err
		}
		if strings.HasSuffix(d.Name(), ".tfvars.json") {
			return nil // the test's own input (see ConfigVariables), not something Terraform wrote
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if strings.HasSuffix(name, ".tfstate") {
			states++
		}
		if zr, zerr := zip.NewReader(bytes.NewReader(b), int64(len(b))); zerr == nil {
			plans++
			for _, m := range zr.File {
				rc, err := m.Open()
				if err != nil {
					return err
				}
				content, err := io.ReadAll(io.LimitReader(rc, 32<<20))
				rc.Close()
				if err != nil {
					return err
				}
				files++
				if err := s.find(name+"!"+m.Name, content); err != nil {
					t.Error(err)
				}
			}
			return nil
		}
		files++
		if err := s.find(name, b); err != nil {
			t.Error(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, states, plans
}

// stsCredentialsIn reads the temporary credentials of every AssumeRoleWithWebIdentity
// STS answered on ep.
func stsCredentialsIn(t *testing.T, ep *acctest.Endpoint) (keyIDs, secrets, sessionTokens []string) {
	t.Helper()
	for _, r := range ep.Requests() {
		if r.Action == "AssumeRoleWithWebIdentity" && r.Status == http.StatusOK {
			id, secret, token := stsCredentials(t, r.Response)
			keyIDs, secrets, sessionTokens = append(keyIDs, id), append(secrets, secret), append(sessionTokens, token)
		}
	}
	return keyIDs, secrets, sessionTokens
}

// terraformShows runs `terraform show` on the state and on the saved plan of a working
// directory, as text and as JSON, with TF_LOG=TRACE into logPath, and hands each output
// to check. It runs in a state check, while the applied state and the plan that made it
// are still there.
type terraformShows struct {
	t       *testing.T
	work    string // TF_ACC_TEMP_DIR, holding the test's one working directory
	logPath string
	check   func(what string, out []byte) error
	ran     *int
}

func (c terraformShows) CheckState(ctx context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var dirs []string
	err := filepath.WalkDir(c.work, func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "tfplan" {
			dirs = append(dirs, filepath.Dir(name))
		}
		return err
	})
	if err != nil || len(dirs) != 1 {
		resp.Error = fmt.Errorf("looking for the one working directory with a saved plan under %s: found %q (%v)", c.work, dirs, err)
		return
	}
	env := append(os.Environ(), "TF_LOG=TRACE", "TF_LOG_PATH="+c.logPath, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var errs []error
	for _, args := range [][]string{{"show", "-no-color"}, {"show", "-json"}, {"show", "-no-color", "tfplan"}, {"show", "-json", "tfplan"}} {
		what := "terraform " + strings.Join(args, " ")
		cmdCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		cmd := exec.CommandContext(cmdCtx, acctest.RequireTerraform(c.t), args...)
		cmd.Dir, cmd.Env = dirs[0], env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v\n%s", what, err, stderr.Bytes()))
			continue
		}
		*c.ran++
		errs = append(errs, c.check(what, out), c.check(what+" (stderr)", stderr.Bytes()))
	}
	resp.Error = errors.Join(errs...)
}

// shownIn checks an output of terraform show: it must be there (so the search means
// something) and hold none of the secrets.
func shownIn(scan secretScan, roleName string) func(what string, out []byte) error {
	return func(what string, out []byte) error {
		if strings.HasSuffix(what, "(stderr)") {
			return scan.find(what, out)
		}
		if !bytes.Contains(out, []byte(roleName)) || !bytes.Contains(out, []byte("awsoidc_role")) {
			return fmt.Errorf("%s does not show the role %s: %.300s", what, roleName, out)
		}
		return scan.find(what, out)
	}
}

// randomText is n random hex digits, for values no test output holds by chance.
func randomText(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}

// TestAccSecrets_neverInLogsStateOrPlan runs every way the provider handles a secret —
// provider blocks that assume a role with a web identity token (given inline, and from a
// file), awsoidc_credentials whose credentials configure another provider block, both
// forms of awsoidc_trust_check, the provider functions, and an awsoidc_provider and
// awsoidc_role applied with those credentials — with TF_LOG=TRACE, Terraform and the
// provider's processes logging into one file. Then neither token, nor its payload or
// signature, nor the static secret key, nor any secret access key or session token STS
// handed out, may appear in that log, in the plan JSON, in `terraform show -json`, in
// `terraform show` of the state and of the saved plan (text and JSON), or in any file
// Terraform wrote (state, backups, saved plans, opened as the zip archives they are).
// The log must first show the work done (Terraform and the provider at TRACE, the
// AssumeRoleWithWebIdentity and CreateRole calls, the role's name), so a log that
// silently stopped fails the test.
//
// Tokens and the static secret key come from ephemeral variables, as a pipeline passes
// them (TF_VAR_*). Written as literals in a .tf file they would be in the plan JSON's
// "configuration" and in the saved plan, which holds a copy of the configuration: that
// is Terraform's doing, whatever the provider does.
//
// It sets process environment (TF_ACC_*, TF_CLI_CONFIG_FILE, the AWS variables) and keeps
// Terraform's working directory, so it does not run in parallel.
func TestAccSecrets_neverInLogsStateOrPlan(t *testing.T) {
	isolateAWSEnvironment(t)
	work := t.TempDir()
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_TEMP_DIR", work)
	t.Setenv("TF_ACC_PERSIST_WORKING_DIR", "1")
	// TF_ACC_LOG and TF_ACC_LOG_PATH become TF_LOG and TF_LOG_PATH of every Terraform
	// command, and Terraform writes the logs of the provider processes it starts there
	// too. TF_LOG_PROVIDER_AWSOIDC keeps a developer's own settings from lowering the
	// provider's level; the variables below, which could, are cleared.
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG_PROVIDER_AWSOIDC", "TRACE")
	for _, k := range []string{
		"TF_LOG", "TF_LOG_CORE", "TF_LOG_PROVIDER", "TF_LOG_PATH", "TF_LOG_PATH_MASK",
		"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_PROTO_DATA_DIR",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}

	// The provider as Terraform runs it for real: a binary it starts, one process per
	// provider block, whose logs it collects. In-process, as terraform-plugin-testing
	// serves providers by default, every provider block would share one instance.
	binary, err := localenv.BuildProvider(context.Background(), "../..", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rc, err := localenv.FilesystemMirrorBlock(t.TempDir(), binary)
	if err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraform.rc")
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", cliConfig)

	e := newAccEnv(t)
	idp := localidp.StartForTest(t, localidp.Config{})
	caBundle := filepath.Join(t.TempDir(), "idp-ca.pem")
	if err := os.WriteFile(caBundle, idp.CABundlePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	mint := func(purpose string) string {
		tok, err := idp.MintToken(map[string]any{"sub": "repo:octo/app:ref:refs/heads/main", "jti": purpose + "-" + randomText(t, 16)}, localidp.TokenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tokens := map[string]string{
		"inline": mint("inline"), "file": mint("file"), "credentials": mint("credentials"),
		"check_file": mint("check-file"), "check_inline": mint("check-inline"),
	}
	staticKeyID := "AKIA" + strings.ToUpper(randomText(t, 16))
	staticSecret := "static/" + randomText(t, 33)

	// Each secret also as a form or URL would carry it ("/" and "+" escaped).
	withEscaped := func(values ...string) []string {
		var out []string
		for _, v := range values {
			out = append(out, v)
			if q := url.QueryEscape(v); q != v {
				out = append(out, q)
			}
		}
		return out
	}
	var secrets []string
	for _, tok := range tokens {
		parts := strings.Split(tok, ".")
		secrets = append(secrets, withEscaped(tok, parts[1], parts[2])...)
	}
	secrets = append(secrets, withEscaped(staticSecret)...)
	issued := func() []string {
		_, keys, sessions := stsCredentialsIn(t, e.ep)
		return withEscaped(append(keys, sessions...)...)
	}
	scan := func(what string) secretScan { return secretScan{what: what, secrets: secrets, learned: issued} }

	assumedRole := createTrustingRole(t)
	roleName := testRoleName(t)
	key := uniqueHost(t)
	endpoints := fmt.Sprintf("endpoints {\n    iam = %q\n    sts = %q\n  }", e.ep.URL, e.ep.URL)
	config := fmt.Sprintf(`
variable "inline_token" {
  type      = string
  ephemeral = true
}

variable "credentials_token" {
  type      = string
  ephemeral = true
}

variable "check_token" {
  type      = string
  ephemeral = true
}

variable "static_secret_key" {
  type      = string
  ephemeral = true
}

# The token inline (from an ephemeral variable, as a pipeline would pass it); this one
# also reaches the local IdP for the trust checks.
provider "awsoidc" {
  region           = "us-east-1"
  https_proxy      = %[1]q
  custom_ca_bundle = %[2]q
  %[3]s
  assume_role_with_web_identity {
    role_arn           = %[4]q
    session_name       = "inline"
    web_identity_token = var.inline_token
  }
}

provider "awsoidc" {
  alias  = "from_file"
  region = "us-east-1"
  %[3]s
  assume_role_with_web_identity {
    role_arn                = %[4]q
    session_name            = "from-file"
    web_identity_token_file = %[5]q
  }
}

provider "awsoidc" {
  alias      = "static"
  region     = "us-east-1"
  access_key = %[6]q
  secret_key = var.static_secret_key
  %[3]s
}

ephemeral "awsoidc_credentials" "ci" {
  provider           = awsoidc.static
  role_arn           = %[4]q
  web_identity_token = var.credentials_token
  session_name       = "ephemeral"
}

provider "awsoidc" {
  alias      = "assumed"
  region     = "us-east-1"
  access_key = ephemeral.awsoidc_credentials.ci.access_key_id
  secret_key = ephemeral.awsoidc_credentials.ci.secret_access_key
  token      = ephemeral.awsoidc_credentials.ci.session_token
  %[3]s
}

resource "awsoidc_provider" "test" {
  provider   = awsoidc.from_file
  url        = "https://%[7]s"
  client_ids = ["sts.amazonaws.com"]
}

resource "awsoidc_role" "test" {
  provider = awsoidc.assumed
  name     = %[8]q
  trust {
    provider_arn = awsoidc_provider.test.arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo/app:ref:refs/heads/main"]
  }
}

locals {
  policy = <<-EOT
%[9]s
EOT
}

data "awsoidc_trust_check" "file" {
  trust_policy = local.policy
  token_file   = %[10]q
  client_ids   = ["sts.amazonaws.com"]
}

ephemeral "awsoidc_trust_check" "inline" {
  trust_policy = local.policy
  token        = var.check_token
  client_ids   = ["sts.amazonaws.com"]
}

check "tokens_allowed" {
  assert {
    condition     = data.awsoidc_trust_check.file.allowed && ephemeral.awsoidc_trust_check.inline.allowed
    error_message = "the trust checks did not allow the main branch: ${data.awsoidc_trust_check.file.summary}"
  }
}

output "thumbprint" {
  value = provider::awsoidc::thumbprint(file(%[2]q))
}

output "condition_key" {
  value = provider::awsoidc::condition_key(awsoidc_provider.test.url, "sub")
}

output "provider_arn" {
  value = provider::awsoidc::provider_arn(awsoidc_provider.test.url, %[11]q)
}
`, idp.ProxyURL(), caBundle, endpoints, assumedRole, tokenFile(t, tokens["file"]), staticKeyID,
		key, roleName, checkPolicy, tokenFile(t, tokens["check_file"]), acctest.AccountID)

	shows := 0
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: ephemeralVersionCheck,
		Steps: []resource.TestStep{{
			ExternalProviders: map[string]resource.ExternalProvider{
				"awsoidc": {Source: "awsoidc/awsoidc", VersionConstraint: localenv.MirrorVersion},
			},
			Config: config,
			// Written to terraform.tfvars.json, the test's input as TF_VAR_* would be in a pipeline.
			ConfigVariables: tfconfig.Variables{
				"inline_token":      tfconfig.StringVariable(tokens["inline"]),
				"credentials_token": tfconfig.StringVariable(tokens["credentials"]),
				"check_token":       tfconfig.StringVariable(tokens["check_inline"]),
				"static_secret_key": tfconfig.StringVariable(staticSecret),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{scan("the plan JSON")},
				PostApplyPostRefresh: []plancheck.PlanCheck{scan("the plan JSON after apply")},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				scan("terraform show -json (by terraform-plugin-testing)"),
				statecheck.ExpectKnownValue("awsoidc_role.test", tfjsonpath.New("name"), knownvalue.StringExact(roleName)),
				allowedIs("file", true),
				checkBlockResult{name: "tokens_allowed", status: "pass"},
				outputIs("thumbprint", lastThumbprint(t, idp.CABundlePEM())),
				outputIs("condition_key", key+":sub"),
				outputIs("provider_arn", providerARNFor(key)),
				terraformShows{t: t, work: work, logPath: logPath,
					check: shownIn(scan("terraform show"), roleName), ran: &shows},
			},
		}},
	})
	if t.Failed() {
		return
	}
	if shows != 4 {
		t.Errorf("ran terraform show %d times, want 4 (state and saved plan, text and JSON)", shows)
	}

	// Every way in was taken, each with its own token, and the credentials of the
	// ephemeral resource made the role.
	sessions := map[string]string{"inline": tokens["inline"], "from-file": tokens["file"], "ephemeral": tokens["credentials"]}
	exchanged := map[string]bool{}
	for _, r := range e.ep.Requests() {
		if r.Action != "AssumeRoleWithWebIdentity" {
			continue
		}
		session := r.Params.Get("RoleSessionName")
		want, ok := sessions[session]
		if !ok {
			t.Errorf("AssumeRoleWithWebIdentity with the unexpected session name %q", session)
			continue
		}
		// The token file ends in a newline, which the provider block's exchange sends on.
		if strings.TrimSpace(r.Params.Get("WebIdentityToken")) != want {
			t.Errorf("session %q exchanged another token than the one configured for it", session)
		}
		exchanged[session] = true
	}
	for session := range sessions {
		if !exchanged[session] {
			t.Errorf("no AssumeRoleWithWebIdentity for session %q; endpoint saw %v", session, e.ep.Actions())
		}
	}
	keyIDs, secretKeys, sessionTokens := stsCredentialsIn(t, e.ep)
	var roleCreated, staticUsed bool
	for _, r := range e.ep.Requests() {
		switch {
		case r.Action == "CreateRole":
			roleCreated = true
			if !slices.Contains(keyIDs, r.AccessKeyID) {
				t.Errorf("CreateRole was signed with %q, not with credentials STS handed out", r.AccessKeyID)
			}
		case r.AccessKeyID == staticKeyID:
			staticUsed = true
		}
	}
	if !roleCreated || !staticUsed {
		t.Errorf("CreateRole made: %t; a call signed with the static key: %t; want both. Endpoint saw %v", roleCreated, staticUsed, e.ep.Actions())
	}

	// The log holds what was done, so its silence about secrets means something.
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the TRACE log: %v", err)
	}
	// Lines the provider logged, as Terraform collected them from its process.
	provider := func(level, message string) *regexp.Regexp {
		return regexp.MustCompile(`\[` + level + `\] +provider\.terraform-provider-awsoidc_v[0-9.]+: ` + message)
	}
	for _, want := range []*regexp.Regexp{
		// Terraform itself at TRACE, for every command, the test's own terraform show included.
		regexp.MustCompile(`\[TRACE\] GRPCProvider.v6: ConfigureProvider`),
		regexp.MustCompile(`CLI command args: \[\]string\{"show", "-no-color", "tfplan"\}`),
		// The provider's SDK at TRACE and the provider at DEBUG and INFO.
		provider("TRACE", `Received request: .*tf_rpc=ConfigureProvider`),
		provider("TRACE", `.*@module=sdk\.framework`),
		provider("INFO", `Assuming IAM Role With Web Identity: .*session_name=from-file`),
		provider("INFO", `created IAM role: .*name=`+regexp.QuoteMeta(roleName)),
		provider("DEBUG", `AWS call: .*aws\.operation=AssumeRoleWithWebIdentity`),
		provider("DEBUG", `AWS call: .*aws\.operation=CreateOpenIDConnectProvider`),
		provider("DEBUG", `AWS call: .*aws\.operation=CreateRole`),
		provider("DEBUG", `AWS call: .*RoleName=`+regexp.QuoteMeta(roleName)),
		// What the call logger put in place of the secrets.
		provider("DEBUG", `AWS call: .*WebIdentityToken=\*{6}`),
		provider("DEBUG", `AWS call: .*<SecretAccessKey>\*{6}</SecretAccessKey>`),
		provider("DEBUG", `AWS call: .*<SessionToken>\*{6}</SessionToken>`),
	} {
		if !want.Match(log) {
			t.Errorf("the TRACE log (%d bytes) has no line matching %s: the log does not show what was done", len(log), want)
		}
	}
	if err := scan("the TRACE log").find("the TRACE log", log); err != nil {
		t.Error(err)
	}

	files, states, plans := scan("Terraform's files").scanFiles(t, work)
	if states == 0 || plans == 0 {
		t.Errorf("searched %d state files and %d saved plans under %s; expected Terraform to leave both", states, plans, work)
	}
	// The plan JSON twice and the state JSON once, each terraform show's output and
	// stderr, the log, and every file.
	places := 3 + 2*shows + 1 + files
	all := scan("").all()
	t.Logf("searched %d places for %d secret strings (%d tokens with their payloads and signatures, the static secret key, "+
		"%d secret access keys and %d session tokens STS issued, and the URL-escaped forms of those that differ): %d searches. "+
		"The places: a TRACE log of %d bytes (%d lines), %d files Terraform wrote (%d states, %d saved plans, archive members counted one by one), "+
		"%d outputs of terraform show with their stderr, the plan JSON twice and the state JSON",
		places, len(all), len(tokens), len(secretKeys), len(sessionTokens), places*len(all),
		len(log), bytes.Count(log, []byte("\n")), files, states, plans, shows)
}

// lastThumbprint is the thumbprint of the last certificate of a PEM chain, worked out
// here rather than by the code under test.
func lastThumbprint(t *testing.T, chain []byte) string {
	t.Helper()
	var last *x509.Certificate
	for rest := chain; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		last = cert
	}
	if last == nil {
		t.Fatal("no certificate in the chain")
	}
	return localidp.Thumbprint(last)
}
