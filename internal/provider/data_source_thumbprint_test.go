package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

func thumbprintConfig(name, arg, value, extra string) string {
	return fmt.Sprintf(`
data "awsoidc_thumbprint" %q {
  %s = %q
  %s
}
`, name, arg, value, extra)
}

// TestAccThumbprint_urlModeReportsEachServedChainAsServed reads hosts serving chains in
// every layout the local IdP has: the thumbprint is always that of the last certificate
// the host was configured to serve, the certificates are those served in that order, and
// each fault is a problem by code, position and message.
func TestAccThumbprint_urlModeReportsEachServedChainAsServed(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "two", Intermediates: 2}, {Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{
			{Name: "standard.test"},
			{Name: "wrong-order.test", CA: "two", Chain: localidp.ChainWrongOrder},
			{Name: "with-root.test", Chain: localidp.ChainWithRoot},
			{Name: "leaf-only.test", Chain: localidp.ChainLeafOnly},
			{Name: "duplicate.test", Chain: localidp.ChainDuplicate},
			{Name: "expired.test", ExpiredLeaf: true},
			{Name: "untrusted.test", CA: "rogue"},
			{Name: "expiring.test", LeafNotAfter: time.Now().Add(10*24*time.Hour + time.Hour)},
			{Name: "redirecting.test", Routes: map[string]localidp.Route{"/moved": localidp.Redirect("https://elsewhere.test/")}},
		},
	})
	cases := []struct {
		name, url, extra string
		problems         func(host string) []knownvalue.Check
	}{
		{name: "standard", url: "https://standard.test/.well-known/jwks.json"},
		{name: "wrong_order", url: "https://wrong-order.test", problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{
				chainProblem(h, "out_of_order", 1, `certificate 1 ("CN=localidp two Intermediate CA 2,O=localidp") does not sign certificate 0 ("CN=wrong-order.test")`),
				chainProblem(h, "out_of_order", 2, `certificate 2 ("CN=localidp two Intermediate CA 1,O=localidp") does not sign certificate 1`),
			}
		}},
		{name: "with_root", url: "https://with-root.test", problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{chainProblem(h, "root_included", 2, "the chain ends with the self-signed root", "the thumbprint", "is this root's rather than the top intermediate's")}
		}},
		// A chain that does not verify is read only with allow_unverified_chain (see
		// TestAccThumbprint_unverifiedChainIsAnErrorUnlessAllowed).
		{name: "leaf_only", url: "https://leaf-only.test", extra: allowUnverified, problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{
				chainProblem(h, "leaf_only", -1, `only the server's own certificate "CN=leaf-only.test" is served`, "changes every time the certificate is renewed"),
				chainProblem(h, "untrusted", -1, "the chain served by leaf-only.test does not lead to a trusted root CA", "leaves out an intermediate"),
			}
		}},
		{name: "duplicate", url: "https://duplicate.test", problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{chainProblem(h, "duplicate", 2, "is served again at position 2 after position 1")}
		}},
		{name: "expired", url: "https://expired.test", extra: allowUnverified, problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{chainProblem(h, "expired", 0, `certificate 0 ("CN=expired.test") expired on`, "reject an expired certificate")}
		}},
		{name: "untrusted", url: "https://untrusted.test", extra: allowUnverified, problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{chainProblem(h, "untrusted", -1, "the chain served by untrusted.test does not lead to a trusted root CA",
				"certificate signed by unknown authority", "AWS then relies on the registered thumbprints alone")}
		}},
		{name: "expiring", url: "https://expiring.test", problems: func(h string) []knownvalue.Check {
			return []knownvalue.Check{chainProblem(h, "expiring_soon", 0, `certificate 0 ("CN=expiring.test") expires on`, "in 10 days")}
		}},
		{name: "expiring_within_5_days", url: "https://expiring.test", extra: "expiry_warning_days = 5"},
		{name: "expiring_not_checked", url: "https://expiring.test", extra: "expiry_warning_days = 0"},
		// No HTTP request is made, so the redirect on this path is never seen.
		{name: "redirecting", url: "https://redirecting.test/moved"},
	}

	config := ""
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		config += thumbprintConfig(tc.name, "url", tc.url, tc.extra)
		host := hostOf(tc.url)
		var problems []knownvalue.Check
		if tc.problems != nil {
			problems = tc.problems(host)
		}
		addr := "data.awsoidc_thumbprint." + tc.name
		tp := e.lastServedThumbprint(t, host)
		checks = append(checks,
			attrIs(addr, "thumbprint", knownvalue.StringExact(tp)),
			attrIs(addr, "thumbprints", listOfStrings(tp)),
			attrIs(addr, "hosts", listOfStrings(host)),
			attrIs(addr, "certificates", listOf(e.wantCertificates(t, host)...)),
			attrIs(addr, "problems", listOf(problems...)),
		)
	}
	// What the last certificate is, per layout, so that the thumbprints above are not
	// all the same certificate by accident.
	for host, want := range map[string]func() string{
		"wrong-order.test": func() string { return sha1Hex(e.srv.CA("two").Intermediates()[0]) },
		"with-root.test":   func() string { return sha1Hex(e.srv.CA(localidp.DefaultCA).Root()) },
		"leaf-only.test":   func() string { return sha1Hex(e.srv.Host("leaf-only.test").Leaf()) },
		"standard.test":    func() string { return sha1Hex(e.srv.CA(localidp.DefaultCA).TopIntermediate()) },
	} {
		if got := e.lastServedThumbprint(t, host); got != want() {
			t.Fatalf("%s: the local IdP serves a last certificate other than the layout says", host)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            e.providerBlock() + config,
			ConfigStateChecks: checks,
		}},
	})
	if n := e.srv.Requests("redirecting.test", "/moved"); n != 0 {
		t.Errorf("the url's path was requested %d times; only a TLS handshake should be made", n)
	}
	if n := e.srv.Requests("elsewhere.test", "/"); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
}

// TestAccThumbprint_issuerModeReadsTheJWKSHostAndTheIssuerHost: with issuer, the
// thumbprint is the jwks_uri host's, the issuer's host is read too when it differs, and
// a chain that fails verification is returned with its problem when
// allow_unverified_chain says so.
func TestAccThumbprint_issuerModeReadsTheJWKSHostAndTheIssuerHost(t *testing.T) {
	t.Parallel()
	slow := time.Second
	e := newIdPEnv(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "keys"}, {Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{
			{Name: "keys.split.test", CA: "keys"},
			{Name: "keys.expired.test", ExpiredLeaf: true},
			{Name: "keys.untrusted.test", CA: "rogue"},
		},
		Issuers: []localidp.IssuerConfig{
			{URL: "https://split.test", JWKSURI: "https://keys.split.test/oauth2/v3/certs"},
			{URL: "https://idp.test"},
			{URL: "https://expired.test", JWKSURI: "https://keys.expired.test/jwks"},
			{URL: "https://untrusted.test", JWKSURI: "https://keys.untrusted.test/jwks"},
			{URL: "https://slow.test"},
		},
	})
	doc := servedBody(t, e.srv, "https://slow.test/.well-known/openid-configuration")
	if err := e.srv.SetRoute("slow.test", "/.well-known/openid-configuration", localidp.Raw(200, "application/json", []byte(doc)).WithDelay(slow)); err != nil {
		t.Fatal(err)
	}

	tp := func(host string) string { return e.lastServedThumbprint(t, host) }
	if tp("keys.split.test") == tp("split.test") {
		t.Fatal("the JWKS host should have a chain of its own")
	}
	both := func(first, second string) []knownvalue.Check {
		return append(e.wantCertificates(t, first), e.wantCertificates(t, second)...)
	}
	cases := []struct {
		name, arg, value string
		extra            string
		thumbprint       string
		thumbprints      []string
		hosts            []string
		certificates     []knownvalue.Check
		problems         []knownvalue.Check
	}{
		{name: "separate_jwks_host", arg: "issuer", value: "https://split.test",
			thumbprint: tp("keys.split.test"), thumbprints: []string{tp("keys.split.test"), tp("split.test")},
			hosts: []string{"keys.split.test", "split.test"}, certificates: both("keys.split.test", "split.test")},
		{name: "jwks_uri_as_url", arg: "url", value: "https://keys.split.test/oauth2/v3/certs",
			thumbprint: tp("keys.split.test"), thumbprints: []string{tp("keys.split.test")},
			hosts: []string{"keys.split.test"}, certificates: e.wantCertificates(t, "keys.split.test")},
		{name: "one_host", arg: "issuer", value: "https://idp.test",
			thumbprint: tp("idp.test"), thumbprints: []string{tp("idp.test")},
			hosts: []string{"idp.test"}, certificates: e.wantCertificates(t, "idp.test")},
		{name: "expired_jwks_host", arg: "issuer", value: "https://expired.test", extra: allowUnverified,
			// Same CA on both hosts: one distinct thumbprint.
			thumbprint: tp("keys.expired.test"), thumbprints: []string{tp("keys.expired.test")},
			hosts: []string{"keys.expired.test", "expired.test"}, certificates: both("keys.expired.test", "expired.test"),
			problems: []knownvalue.Check{chainProblem("keys.expired.test", "expired", 0, `certificate 0 ("CN=keys.expired.test") expired on`)}},
		{name: "untrusted_jwks_host", arg: "issuer", value: "https://untrusted.test", extra: allowUnverified,
			thumbprint: tp("keys.untrusted.test"), thumbprints: []string{tp("keys.untrusted.test"), tp("untrusted.test")},
			hosts: []string{"keys.untrusted.test", "untrusted.test"}, certificates: both("keys.untrusted.test", "untrusted.test"),
			problems: []knownvalue.Check{chainProblem("keys.untrusted.test", "untrusted", -1, "keys.untrusted.test does not lead to a trusted root CA")}},
		{name: "slow_document", arg: "issuer", value: "https://slow.test",
			thumbprint: tp("slow.test"), thumbprints: []string{tp("slow.test")},
			hosts: []string{"slow.test"}, certificates: e.wantCertificates(t, "slow.test")},
	}
	config := ""
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		config += thumbprintConfig(tc.name, tc.arg, tc.value, tc.extra)
		addr := "data.awsoidc_thumbprint." + tc.name
		checks = append(checks,
			attrIs(addr, "thumbprint", knownvalue.StringExact(tc.thumbprint)),
			attrIs(addr, "thumbprints", listOfStrings(tc.thumbprints...)),
			attrIs(addr, "hosts", listOfStrings(tc.hosts...)),
			attrIs(addr, "certificates", listOf(tc.certificates...)),
			attrIs(addr, "problems", listOf(tc.problems...)),
		)
	}
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            e.providerBlock() + config,
			ConfigStateChecks: checks,
		}},
	})
	if elapsed := time.Since(start); elapsed < slow {
		t.Errorf("the run took %s, less than the slow document's %s delay", elapsed, slow)
	}
	// Reading chains makes no HTTP request: only the documents were fetched.
	if n := e.srv.Requests("keys.split.test", "/oauth2/v3/certs"); n != 0 {
		t.Errorf("the JWKS was fetched %d times; the thumbprint needs only the TLS handshake", n)
	}
}

func TestAccThumbprint_strictMakesProblemsErrors(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "with-root.test", Chain: localidp.ChainWithRoot}, {Name: "idp.test"}}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock() + thumbprintConfig("x", "url", "https://with-root.test", "strict = true"),
				ExpectError: attributeErrorPattern("Certificate Chain Problem", "url",
					"with-root.test: the chain ends with the self-signed root", "Problem code: root_included."),
			},
			{
				Config: e.providerBlock() + thumbprintConfig("x", "url", "https://idp.test", "strict = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs("data.awsoidc_thumbprint.x", "thumbprint", knownvalue.StringExact(e.lastServedThumbprint(t, "idp.test"))),
				},
			},
		},
	})
}

// TestAccThumbprint_caBundleDecidesWhatVerifies: with a provider that trusts none of the
// local CAs the chain does not verify, which is an error naming both ways out; with
// allow_unverified_chain it is read, as untrusted; the data source's ca_bundle makes it
// verify.
func TestAccThumbprint_caBundleDecidesWhatVerifies(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{})
	bundle := fmt.Sprintf("ca_bundle = <<-EOT\n%sEOT", e.srv.CABundlePEM())
	tp := e.lastServedThumbprint(t, "idp.test")
	const addr = "data.awsoidc_thumbprint.x"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      e.providerBlockTrustingNothingLocal() + thumbprintConfig("x", "url", "https://idp.test", ""),
				ExpectError: attributeErrorPattern("Unverified Certificate Chain", "url", "idp.test serves a certificate chain that does not verify", "ca_bundle", "allow_unverified_chain = true"),
			},
			{
				Config: e.providerBlockTrustingNothingLocal() + thumbprintConfig("x", "url", "https://idp.test", allowUnverified),
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs(addr, "thumbprint", knownvalue.StringExact(tp)),
					attrIs(addr, "problems", listOf(chainProblem("idp.test", "untrusted", -1, "does not lead to a trusted root CA"))),
				},
			},
			{
				Config: e.providerBlockTrustingNothingLocal() + thumbprintConfig("x", "url", "https://idp.test", bundle),
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs(addr, "thumbprint", knownvalue.StringExact(tp)),
					attrIs(addr, "problems", listOf()),
				},
			},
			{
				Config:      e.providerBlockTrustingNothingLocal() + thumbprintConfig("x", "issuer", "https://idp.test", ""),
				ExpectError: attributeErrorPattern("Cannot Read Discovery Document", "issuer", "certificate signed by unknown authority", "ca_bundle"),
			},
			{
				Config: e.providerBlockTrustingNothingLocal() + thumbprintConfig("x", "issuer", "https://idp.test", bundle),
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs(addr, "thumbprint", knownvalue.StringExact(tp)),
					attrIs(addr, "problems", listOf()),
				},
			},
		},
	})
}

const allowUnverified = "allow_unverified_chain = true"

// TestAccThumbprint_unverifiedChainIsAnErrorUnlessAllowed: a chain from an unknown CA,
// one that leaves out its intermediate, one with an expired certificate, and (with
// issuer) a jwks_uri host whose chain does not verify: each is an error on the argument
// used, naming the host, and no thumbprint reaches the state.
func TestAccThumbprint_unverifiedChainIsAnErrorUnlessAllowed(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{
			{Name: "untrusted.test", CA: "rogue"},
			{Name: "leaf-only.test", Chain: localidp.ChainLeafOnly},
			{Name: "expired.test", ExpiredLeaf: true},
			{Name: "keys.split.test", CA: "rogue"},
		},
		Issuers: []localidp.IssuerConfig{{URL: "https://split.test", JWKSURI: "https://keys.split.test/jwks"}},
	})
	step := func(arg, value, host, why string) resource.TestStep {
		return resource.TestStep{
			Config: e.providerBlock() + thumbprintConfig("x", arg, value, ""),
			ExpectError: attributeErrorPattern("Unverified Certificate Chain", arg,
				host+" serves a certificate chain that does not verify against the trusted root CAs: "+why, "add its root CA to ca_bundle", "set allow_unverified_chain = true"),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("url", "https://untrusted.test", "untrusted.test", "x509: certificate signed by unknown authority"),
			step("url", "https://leaf-only.test", "leaf-only.test", "x509: certificate signed by unknown authority"),
			step("url", "https://expired.test", "expired.test", "x509: certificate has expired"),
			step("issuer", "https://split.test", "keys.split.test", "x509: certificate signed by unknown authority"),
		},
	})
}

func TestAccThumbprint_invalidArgumentsFailAtPlan(t *testing.T) {
	t.Parallel()
	// Each body goes inside a data "awsoidc_thumbprint" "x" block.
	cases := []invalidConfig{
		{"url and issuer", "url = \"https://idp.test\"\n  issuer = \"https://idp.test\"",
			attributeErrorPattern("Invalid Attribute Combination", "url", "Exactly one of these attributes must be configured: [url,issuer]")},
		{"neither url nor issuer", ``,
			errorPattern("Missing Attribute Configuration", "Exactly one of these attributes must be configured: [url,issuer]")},
		{"http url", `url = "http://idp.test/keys"`,
			attributeErrorPattern("Invalid URL", "url", `"http://idp.test/keys" must start with https://`)},
		{"issuer with a query", `issuer = "https://idp.test?x=1"`,
			attributeErrorPattern("Invalid URL", "issuer", "has a query")},
		{"negative expiry warning", "url = \"https://idp.test\"\n  expiry_warning_days = -1",
			attributeErrorPattern("Invalid Attribute Value", "expiry_warning_days", "must be between 0 and 3650, got: -1")},
		{"ca_bundle with a key", "url = \"https://idp.test\"\n  ca_bundle = \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"",
			attributeErrorPattern("Invalid CA Bundle", "ca_bundle", `PEM block 1 is a "PRIVATE KEY", want CERTIFICATE`)},
	}
	for i := range cases {
		cases[i].config = "data \"awsoidc_thumbprint\" \"x\" {\n  " + cases[i].config + "\n}\n"
	}
	invalidConfigsFailAtPlan(t, 0, cases)
}

// TestAccThumbprint_discoveryThumbprintProviderChainApplies: the documented pattern
// (discovery, then thumbprint, then the IAM provider) applies against IAM, registers the
// thumbprints of both hosts, and plans nothing more afterwards.
func TestAccThumbprint_discoveryThumbprintProviderChainApplies(t *testing.T) {
	t.Parallel()
	host := uniqueHost(t)
	keys := "keys." + host
	e := newIdPEnv(t, localidp.Config{
		CAs:     []localidp.CAConfig{{Name: "keys"}},
		Hosts:   []localidp.HostConfig{{Name: keys, CA: "keys"}},
		Issuers: []localidp.IssuerConfig{{URL: "https://" + host, JWKSURI: "https://" + keys + "/jwks"}},
	})
	config := e.providerBlock() + fmt.Sprintf(`
data "awsoidc_discovery" "idp" {
  issuer = %q
}

data "awsoidc_thumbprint" "idp" {
  issuer = data.awsoidc_discovery.idp.issuer
}

resource "awsoidc_provider" "idp" {
  url         = data.awsoidc_discovery.idp.issuer
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = data.awsoidc_thumbprint.idp.thumbprints

  lifecycle {
    precondition {
      condition     = data.awsoidc_discovery.idp.aws_compatible
      error_message = join("; ", data.awsoidc_discovery.idp.problems[*].message)
    }
  }
}
`, "https://"+host)
	wantTPs := []string{e.lastServedThumbprint(t, keys), e.lastServedThumbprint(t, host)}
	if wantTPs[0] == wantTPs[1] {
		t.Fatal("the JWKS host should have a chain of its own")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs(resNameIdP, "url", knownvalue.StringExact("https://"+host)),
					attrIs(resNameIdP, "arn", knownvalue.StringExact(providerARNFor(host))),
					attrIs(resNameIdP, "thumbprints", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(wantTPs[0]), knownvalue.StringExact(wantTPs[1]),
					})),
				},
				Check: checkIAMProvider(t, providerARNFor(host), []string{"sts.amazonaws.com"}, wantTPs),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 1 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 1", n)
	}
}

const resNameIdP = "awsoidc_provider.idp"

// idpCounts is a plan check that asserts how often the local IdP was reached by the
// Terraform commands run so far.
type idpCounts struct {
	srv  *localidp.Server
	want int
	// requests are host and path pairs.
	requests [][2]string
	hosts    []string
}

func (c idpCounts) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var errs []error
	for _, r := range c.requests {
		if n := c.srv.Requests(r[0], r[1]); n != c.want {
			errs = append(errs, fmt.Errorf("GET https://%s%s was served %d times, want %d", r[0], r[1], n, c.want))
		}
	}
	for _, h := range c.hosts {
		if n := c.srv.Handshakes(h); n != c.want {
			errs = append(errs, fmt.Errorf("%s had %d TLS handshakes, want %d", h, n, c.want))
		}
		if n := c.srv.Connects(h); n != c.want {
			errs = append(errs, fmt.Errorf("%s was reached through %d proxy tunnels, want %d", h, n, c.want))
		}
	}
	resp.Error = errors.Join(errs...)
}

// TestAccThumbprint_tenDataSourcesShareOneFetchAndOneHandshakePerHost: ten data sources
// reading one IdP (five of each kind) in one plan make one discovery fetch, one JWKS fetch
// and one TLS handshake per host. A plan-only step runs terraform plan twice (without
// and with refresh), each a run of its own with its own provider configuration; the
// counts are checked after each.
func TestAccThumbprint_tenDataSourcesShareOneFetchAndOneHandshakePerHost(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{
		CAs:     []localidp.CAConfig{{Name: "keys"}},
		Hosts:   []localidp.HostConfig{{Name: "keys.count.test", CA: "keys"}},
		Issuers: []localidp.IssuerConfig{{URL: "https://count.test", JWKSURI: "https://keys.count.test/jwks"}},
	})
	counts := func(want int) idpCounts {
		return idpCounts{
			srv: e.srv, want: want,
			requests: [][2]string{{"count.test", "/.well-known/openid-configuration"}, {"keys.count.test", "/jwks"}},
			hosts:    []string{"count.test", "keys.count.test"},
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.providerBlock() + `
data "awsoidc_discovery" "d" {
  count  = 5
  issuer = "https://count.test"
}

data "awsoidc_thumbprint" "t" {
  count  = 5
  issuer = "https://count.test"
}
`,
			PlanOnly: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh:  []plancheck.PlanCheck{counts(1)},
				PostApplyPostRefresh: []plancheck.PlanCheck{counts(2)},
			},
		}},
	})
}

// TestThumbprintDataSource_problemsAreWarningsUnlessStrict looks at the diagnostics
// themselves: each chain problem is a warning on the argument used, naming the host,
// and the chain is still returned; with strict it is an error.
func TestThumbprintDataSource_problemsAreWarningsUnlessStrict(t *testing.T) {
	t.Parallel()
	srv := localidp.StartForTest(t, localidp.Config{Hosts: []localidp.HostConfig{{Name: "with-root.test", Chain: localidp.ChainWithRoot}}})
	url := tftypes.NewValue(tftypes.String, "https://with-root.test")

	resp, diags := readDirect(t, newThumbprintDataSource(), srv, map[string]tftypes.Value{"url": url})
	d := oneDiagnostic(t, diags, diag.SeverityWarning, "Certificate Chain Problem", "url")
	if !errorPattern("with-root.test: the chain ends with the self-signed root", "Problem code: root_included.", "With strict = true this is an error.").MatchString(d.Detail()) {
		t.Errorf("detail %q", d.Detail())
	}
	var tp types.String
	resp.Diagnostics.Append(resp.State.GetAttribute(context.Background(), path.Root("thumbprint"), &tp)...)
	served := srv.Host("with-root.test").Served()
	if want := sha1Hex(served[len(served)-1]); tp.ValueString() != want {
		t.Errorf("thumbprint in state %s, want %s", tp, want)
	}

	resp, diags = readDirect(t, newThumbprintDataSource(), srv, map[string]tftypes.Value{"url": url, "strict": tftypes.NewValue(tftypes.Bool, true)})
	oneDiagnostic(t, diags, diag.SeverityError, "Certificate Chain Problem", "url")
	if !resp.State.Raw.IsNull() {
		t.Error("state was written despite the error")
	}
}

// TestThumbprintDataSource_unverifiedChainNeedsAllowUnverifiedChain looks at the
// diagnostics of a chain from an unknown CA: an error by default, with no state; with
// allow_unverified_chain, a warning and the thumbprint, and strict, which governs the
// other problems, does not turn it back into an error.
func TestThumbprintDataSource_unverifiedChainNeedsAllowUnverifiedChain(t *testing.T) {
	t.Parallel()
	srv := localidp.StartForTest(t, localidp.Config{
		CAs:   []localidp.CAConfig{{Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{{Name: "untrusted.test", CA: "rogue"}},
	})
	url := tftypes.NewValue(tftypes.String, "https://untrusted.test")
	yes := tftypes.NewValue(tftypes.Bool, true)

	resp, diags := readDirect(t, newThumbprintDataSource(), srv, map[string]tftypes.Value{"url": url})
	d := oneDiagnostic(t, diags, diag.SeverityError, "Unverified Certificate Chain", "url")
	if !errorPattern("untrusted.test serves a certificate chain that does not verify", "certificate signed by unknown authority", "ca_bundle", "allow_unverified_chain = true").MatchString(d.Detail()) {
		t.Errorf("detail %q", d.Detail())
	}
	if !resp.State.Raw.IsNull() {
		t.Error("state was written despite the error")
	}

	served := srv.Host("untrusted.test").Served()
	want := sha1Hex(served[len(served)-1])
	for _, config := range []map[string]tftypes.Value{
		{"url": url, "allow_unverified_chain": yes},
		{"url": url, "allow_unverified_chain": yes, "strict": yes},
	} {
		resp, diags = readDirect(t, newThumbprintDataSource(), srv, config)
		d = oneDiagnostic(t, diags, diag.SeverityWarning, "Certificate Chain Problem", "url")
		if !errorPattern("untrusted.test: the chain served by untrusted.test does not lead to a trusted root CA", "Problem code: untrusted.", "Accepted with allow_unverified_chain = true.").MatchString(d.Detail()) {
			t.Errorf("detail %q", d.Detail())
		}
		var tp types.String
		resp.Diagnostics.Append(resp.State.GetAttribute(context.Background(), path.Root("thumbprint"), &tp)...)
		if tp.ValueString() != want {
			t.Errorf("thumbprint in state %s, want %s", tp, want)
		}
	}
}

// checkBlockResult asserts the outcome Terraform recorded in state for a check block,
// and, for a failure, the messages of the failed assertions.
type checkBlockResult struct {
	name     string
	status   string // "pass" or "fail"
	messages []*regexp.Regexp
}

func (c checkBlockResult) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil {
		resp.Error = errors.New("no state to read check results from")
		return
	}
	for _, cr := range req.State.Checks {
		if cr.Address.Kind != "check" || cr.Address.Name != c.name {
			continue
		}
		if string(cr.Status) != c.status {
			resp.Error = fmt.Errorf("check %q: status %q, want %q (%+v)", c.name, cr.Status, c.status, cr.Instances)
			return
		}
		var got []string
		for _, in := range cr.Instances {
			for _, p := range in.Problems {
				got = append(got, p.Message)
			}
		}
		if len(got) != len(c.messages) {
			resp.Error = fmt.Errorf("check %q: failed assertions %q, want %d", c.name, got, len(c.messages))
			return
		}
		for i, re := range c.messages {
			if !re.MatchString(got[i]) {
				resp.Error = fmt.Errorf("check %q: message %q does not match %s", c.name, got[i], re)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("state records no result for check %q", c.name)
}

// TestAccThumbprint_rotationCheckFromTheDocs runs the check block the docs show and
// reads its outcome from the state: it fails while IAM holds a thumbprint the IdP no
// longer serves, passes once the served one is registered, and fails again when a
// served certificate is within expiry_warning_days of its expiry.
func TestAccThumbprint_rotationCheckFromTheDocs(t *testing.T) {
	t.Parallel()
	host := uniqueHost(t)
	e := newIdPEnv(t, localidp.Config{
		Hosts:   []localidp.HostConfig{{Name: host, LeafNotAfter: time.Now().Add(20 * 24 * time.Hour)}},
		Issuers: []localidp.IssuerConfig{{URL: "https://" + host}},
	})
	config := func(thumbprints string, expiryDays int) string {
		return e.providerBlock() + fmt.Sprintf(`
data "awsoidc_thumbprint" "idp" {
  issuer = %[1]q
}

resource "awsoidc_provider" "idp" {
  url         = %[1]q
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = %[2]s
}

check "idp_certificate" {
  data "awsoidc_thumbprint" "now" {
    issuer              = awsoidc_provider.idp.url
    expiry_warning_days = %[3]d
  }

  assert {
    condition = alltrue([for tp in data.awsoidc_thumbprint.now.thumbprints : contains(awsoidc_provider.idp.thumbprints, tp)])
    error_message = format("The IdP now serves thumbprints %%s, but IAM has %%s: apply to register them before STS refuses tokens.",
    join(", ", data.awsoidc_thumbprint.now.thumbprints), join(", ", tolist(awsoidc_provider.idp.thumbprints)))
  }

  assert {
    condition     = length([for p in data.awsoidc_thumbprint.now.problems : p if contains(["expiring_soon", "expired"], p.code)]) == 0
    error_message = join("\n", [for p in data.awsoidc_thumbprint.now.problems : "${p.host}: ${p.message}" if contains(["expiring_soon", "expired"], p.code)])
  }
}
`, "https://"+host, thumbprints, expiryDays)
	}
	served := e.lastServedThumbprint(t, host)
	const current = "data.awsoidc_thumbprint.idp.thumbprints"
	// Terraform plans a data source nested in a check block to be read again at every
	// apply, so no plan of these configurations is empty.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             config(`["`+tpA+`"]`, 10),
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{checkBlockResult{name: "idp_certificate", status: "fail", messages: []*regexp.Regexp{
					regexp.MustCompile(regexp.QuoteMeta("The IdP now serves thumbprints " + served + ", but IAM has " + tpA + ": apply to register them")),
				}}},
			},
			{
				Config:             config(current, 10),
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{
					checkBlockResult{name: "idp_certificate", status: "pass"},
					attrIs(resNameIdP, "thumbprints", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(served)})),
				},
			},
			{
				Config:             config(current, 45),
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{checkBlockResult{name: "idp_certificate", status: "fail", messages: []*regexp.Regexp{
					regexp.MustCompile(regexp.QuoteMeta(host+`: certificate 0 ("CN=`+host+`") expires on`) + ".* in 19 days"),
				}}},
			},
		},
	})
}
