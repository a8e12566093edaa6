package provider

import (
	"context"
	"crypto/sha1" //nolint:gosec // recomputing AWS thumbprints, which are SHA-1.
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

// idpEnv is an acceptance test's world for the IdP data sources: the test's AWS endpoint
// and a local IdP, reached only through its own CONNECT proxy.
type idpEnv struct {
	*accEnv
	srv *localidp.Server
	// bundle is a file holding the roots of the local IdP's trusted CAs.
	bundle string
}

func newIdPEnv(t *testing.T, cfg localidp.Config) *idpEnv {
	t.Helper()
	e := newAccEnv(t)
	srv := localidp.StartForTest(t, cfg)
	bundle := filepath.Join(t.TempDir(), "localidp-ca.pem")
	if err := os.WriteFile(bundle, srv.CABundlePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return &idpEnv{accEnv: e, srv: srv, bundle: bundle}
}

// providerBlock points the provider at the test's AWS endpoint and at the local IdP:
// its proxy is the only way out to IdP hosts (set in the provider block, not in the
// environment, so tests can run in parallel) and its CAs are trusted.
func (e *idpEnv) providerBlock() string {
	return e.accEnv.providerBlock(`https_proxy      = "` + e.srv.ProxyURL() + `"
  custom_ca_bundle = "` + e.bundle + `"`)
}

// providerBlockTrustingNothingLocal reaches the local IdP through its proxy but trusts
// only the system's roots (or AWS_CA_BUNDLE), none of which signed the local IdP's
// certificates.
func (e *idpEnv) providerBlockTrustingNothingLocal() string {
	return e.accEnv.providerBlock(`https_proxy = "` + e.srv.ProxyURL() + `"`)
}

// lastServedThumbprint computes, independently of the provider, what AWS takes for host:
// the SHA-1 of the DER of the last certificate the test server was configured to serve.
func (e *idpEnv) lastServedThumbprint(t *testing.T, host string) string {
	t.Helper()
	h := e.srv.Host(host)
	if h == nil {
		t.Fatalf("the local IdP serves no host %q", host)
	}
	served := h.Served()
	return sha1Hex(served[len(served)-1])
}

func sha1Hex(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw) //nolint:gosec // the AWS thumbprint is SHA-1.
	return hex.EncodeToString(sum[:])
}

// wantCertificates is the certificates output expected for host: every certificate the
// test server was configured to serve, in that order, described from the certificates
// themselves.
func (e *idpEnv) wantCertificates(t *testing.T, host string) []knownvalue.Check {
	t.Helper()
	var out []knownvalue.Check
	for i, c := range e.srv.Host(host).Served() {
		out = append(out, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"host":       knownvalue.StringExact(host),
			"position":   knownvalue.Int64Exact(int64(i)),
			"subject":    knownvalue.StringExact(c.Subject.String()),
			"issuer":     knownvalue.StringExact(c.Issuer.String()),
			"serial":     knownvalue.StringExact(hex.EncodeToString(c.SerialNumber.Bytes())),
			"not_before": knownvalue.StringExact(c.NotBefore.UTC().Format(time.RFC3339)),
			"not_after":  knownvalue.StringExact(c.NotAfter.UTC().Format(time.RFC3339)),
			"sha1":       knownvalue.StringExact(sha1Hex(c)),
			"is_ca":      knownvalue.Bool(c.IsCA),
		}))
	}
	return out
}

// finding matches one entry of a problems or warnings list by code, with a message
// holding each phrase in order.
func finding(code string, phrases ...string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"code":    knownvalue.StringExact(code),
		"message": messageCheck(phrases...),
	})
}

// chainProblem matches one entry of awsoidc_thumbprint's problems; position < 0 means
// the problem is about the whole chain (null).
func chainProblem(host, code string, position int, phrases ...string) knownvalue.Check {
	var pos knownvalue.Check = knownvalue.Null()
	if position >= 0 {
		pos = knownvalue.Int64Exact(int64(position))
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"host":     knownvalue.StringExact(host),
		"code":     knownvalue.StringExact(code),
		"message":  messageCheck(phrases...),
		"position": pos,
	})
}

func messageCheck(phrases ...string) knownvalue.Check {
	if len(phrases) == 0 {
		return knownvalue.NotNull()
	}
	return knownvalue.StringRegexp(regexp.MustCompile(errorPattern(phrases...).String()))
}

// listOf is knownvalue.ListExact that reads well for an expected empty list.
func listOf(checks ...knownvalue.Check) knownvalue.Check {
	if checks == nil {
		checks = []knownvalue.Check{}
	}
	return knownvalue.ListExact(checks)
}

func listOfStrings(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return listOf(checks...)
}

// attrIs checks one attribute of a data source in state.
func attrIs(address, attribute string, want knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), want)
}

// idpDocument reads one of the discovery package's real-IdP documents and moves every
// https URL in it from its .com host to the same name under .test, so the local IdP
// can serve it with the shape intact.
func idpDocument(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "discovery", "testdata", "idp", name+".json"))
	if err != nil {
		t.Fatalf("reading the %s document: %v", name, err)
	}
	moved := regexp.MustCompile(`(https://[^/"]+)\.com\b`).ReplaceAll(raw, []byte("$1.test"))
	var doc map[string]any
	if err := json.Unmarshal(moved, &doc); err != nil {
		t.Fatalf("the %s document: %v", name, err)
	}
	return doc
}

// readDirect runs a data source's Read in process, without Terraform, so a test can see
// the diagnostics themselves (severity, summary, attribute), which the CLI only prints.
// config holds the arguments set; every other attribute is null.
func readDirect(t *testing.T, ds datasource.DataSource, srv *localidp.Server, config map[string]tftypes.Value) (datasource.ReadResponse, diag.Diagnostics) {
	t.Helper()
	return readDirectWith(t, ds, &providerData{idp: localIdPClient(t, srv)}, config)
}

// localIdPClient is an IdP client that reaches srv through its proxy and trusts its CAs.
func localIdPClient(t *testing.T, srv *localidp.Server) *idpfetch.Client {
	t.Helper()
	client, err := idpfetch.New(idpfetch.Config{HTTPSProxy: srv.ProxyURL(), RootCAs: srv.RootPool()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// readDirectWith is readDirect with the provider data given, for data sources that
// also call AWS.
func readDirectWith(t *testing.T, ds datasource.DataSource, pd *providerData, config map[string]tftypes.Value) (datasource.ReadResponse, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sresp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	if sresp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", sresp.Diagnostics)
	}
	typ, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("schema type is %T, want an object", sresp.Schema.Type().TerraformType(ctx))
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range config {
		if _, ok := vals[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
		vals[name] = v
	}

	var cresp datasource.ConfigureResponse
	ds.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: pd}, &cresp)
	if cresp.Diagnostics.HasError() {
		t.Fatalf("configure: %v", cresp.Diagnostics)
	}
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, nil)}}
	ds.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}}, &resp)
	return resp, resp.Diagnostics
}

// oneDiagnostic returns the only diagnostic, failing the test unless there is exactly
// one, with the given severity and summary, scoped to attribute.
func oneDiagnostic(t *testing.T, diags diag.Diagnostics, severity diag.Severity, summary, attribute string) diag.Diagnostic {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("%d diagnostics, want 1: %v", len(diags), diags)
	}
	d := diags[0]
	if d.Severity() != severity || d.Summary() != summary {
		t.Fatalf("diagnostic %s %q, want %s %q", d.Severity(), d.Summary(), severity, summary)
	}
	wp, ok := d.(diag.DiagnosticWithPath)
	if !ok || !wp.Path().Equal(path.Root(attribute)) {
		t.Fatalf("diagnostic %q is not scoped to %s", d.Summary(), attribute)
	}
	return d
}
