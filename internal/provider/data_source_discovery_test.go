package provider

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

func discoveryConfig(name, issuer, extra string) string {
	return fmt.Sprintf(`
data "awsoidc_discovery" %q {
  issuer = %q
  %s
}
`, name, issuer, extra)
}

// servedBody fetches what the local IdP serves at url, for comparing with document.
func servedBody(t *testing.T, srv *localidp.Server, url string) string {
	t.Helper()
	resp, err := srv.HTTPClient().Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}

var localKeys = listOf(
	knownvalue.ObjectExact(map[string]knownvalue.Check{
		"kid": knownvalue.StringExact(localidp.RSAKeyID), "kty": knownvalue.StringExact("RSA"),
		"alg": knownvalue.StringExact("RS256"), "use": knownvalue.StringExact("sig"),
	}),
	knownvalue.ObjectExact(map[string]knownvalue.Check{
		"kid": knownvalue.StringExact(localidp.ECKeyID), "kty": knownvalue.StringExact("EC"),
		"alg": knownvalue.StringExact("ES256"), "use": knownvalue.StringExact("sig"),
	}),
)

func TestAccDiscovery_compliantIdPReturnsEveryMember(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{})
	const addr = "data.awsoidc_discovery.idp"
	document := servedBody(t, e.srv, "https://idp.test/.well-known/openid-configuration")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.providerBlock() + discoveryConfig("idp", "https://idp.test", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				attrIs(addr, "issuer", knownvalue.StringExact("https://idp.test")),
				attrIs(addr, "jwks_uri", knownvalue.StringExact("https://idp.test/.well-known/jwks.json")),
				attrIs(addr, "jwks_host", knownvalue.StringExact("idp.test")),
				attrIs(addr, "authorization_endpoint", knownvalue.StringExact("https://idp.test/authorize")),
				attrIs(addr, "token_endpoint", knownvalue.StringExact("https://idp.test/token")),
				attrIs(addr, "claims_supported", listOfStrings("aud", "exp", "iat", "iss", "sub")),
				attrIs(addr, "response_types_supported", listOfStrings("id_token", "code")),
				attrIs(addr, "subject_types_supported", listOfStrings("public")),
				attrIs(addr, "id_token_signing_alg_values_supported", listOfStrings("RS256", "ES256")),
				attrIs(addr, "document", knownvalue.StringExact(document)),
				attrIs(addr, "keys", localKeys),
				attrIs(addr, "aws_compatible", knownvalue.Bool(true)),
				attrIs(addr, "problems", listOf()),
				attrIs(addr, "warnings", listOf()),
				attrIs(addr, "ca_bundle", knownvalue.Null()),
				attrIs(addr, "strict", knownvalue.Null()),
			},
		}},
	})
}

// TestAccDiscovery_realIdPShapesGetTheVerdictAWSGives serves documents shaped like
// those of well-known IdPs (moved to .test names) and checks each gets the verdict AWS
// gives the real one.
func TestAccDiscovery_realIdPShapesGetTheVerdictAWSGives(t *testing.T) {
	t.Parallel()
	type shape struct {
		name, file string
		requested  string // the issuer as asked for
		served     string // the issuer URL the local IdP serves the document under
		jwksURI    string
		jwksHost   string
		problems   []knownvalue.Check
		warnings   []knownvalue.Check
		// a member that shows the shape survived the move
		member string
		value  knownvalue.Check
	}
	shapes := []shape{
		{name: "github_actions", file: "github-actions",
			requested: "https://token.actions.githubusercontent.test",
			jwksURI:   "https://token.actions.githubusercontent.test/.well-known/jwks",
			member:    "authorization_endpoint", value: knownvalue.Null()},
		{name: "gitlab", file: "gitlab", requested: "https://gitlab.test",
			jwksURI:  "https://gitlab.test/oauth/discovery/keys",
			warnings: []knownvalue.Check{finding("id_token_response_type_missing", `response_types_supported ["code"] has no bare "id_token"`, "STS never calls the authorization endpoint")},
			member:   "response_types_supported", value: listOfStrings("code")},
		{name: "google", file: "google", requested: "https://accounts.google.test",
			jwksURI: "https://www.googleapis.test/oauth2/v3/certs", jwksHost: "www.googleapis.test",
			member: "token_endpoint", value: knownvalue.StringExact("https://oauth2.googleapis.test/token")},
		{name: "auth0", file: "auth0", requested: "https://example-tenant.us.auth0.test/",
			jwksURI: "https://example-tenant.us.auth0.test/.well-known/jwks.json",
			member:  "id_token_signing_alg_values_supported", value: listOfStrings("HS256", "RS256", "PS256")},
		{name: "auth0_without_slash", file: "auth0", requested: "https://example-tenant.us.auth0.test",
			served:  "https://example-tenant.us.auth0.test/",
			jwksURI: "https://example-tenant.us.auth0.test/.well-known/jwks.json",
			problems: []knownvalue.Check{finding("issuer_mismatch",
				`issuer "https://example-tenant.us.auth0.test/" differs from the issuer asked for "https://example-tenant.us.auth0.test" (they differ only in the trailing slash)`)},
			member: "jwks_host", value: knownvalue.StringExact("example-tenant.us.auth0.test")},
		{name: "okta", file: "okta", requested: "https://example.okta.test/oauth2/default",
			jwksURI: "https://example.okta.test/oauth2/default/v1/keys",
			member:  "subject_types_supported", value: listOfStrings("public")},
		{name: "entra_common", file: "entra-common", requested: "https://login.microsoftonline.test/common/v2.0",
			jwksURI: "https://login.microsoftonline.test/common/discovery/v2.0/keys",
			problems: []knownvalue.Check{
				finding("issuer_mismatch", `issuer "https://login.microsoftonline.test/{tenantid}/v2.0" differs from the issuer asked for "https://login.microsoftonline.test/common/v2.0"`),
				finding("issuer_template", `issuer "https://login.microsoftonline.test/{tenantid}/v2.0" is a template`, "register a tenant-specific issuer"),
			},
			warnings: []knownvalue.Check{finding("public_subject_type_missing", `subject_types_supported ["pairwise"] does not include "public"`)},
			member:   "subject_types_supported", value: listOfStrings("pairwise")},
		{name: "entra_tenant", file: "entra-tenant", requested: "https://login.microsoftonline.test/00000000-1111-2222-3333-444444444444/v2.0",
			jwksURI:  "https://login.microsoftonline.test/00000000-1111-2222-3333-444444444444/discovery/v2.0/keys",
			warnings: []knownvalue.Check{finding("public_subject_type_missing", `subject_types_supported ["pairwise"] does not include "public"`)},
			member:   "jwks_host", value: knownvalue.StringExact("login.microsoftonline.test")},
		{name: "eks", file: "eks", requested: "https://oidc.eks.eu-west-1.amazonaws.test/id/0123456789ABCDEF0123456789ABCDEF",
			jwksURI:  "https://oidc.eks.eu-west-1.amazonaws.test/id/0123456789ABCDEF0123456789ABCDEF/keys",
			warnings: []knownvalue.Check{finding("claims_supported_incomplete", `claims_supported ["sub", "iss"] lacks ["aud", "iat"]`)},
			member:   "authorization_endpoint", value: knownvalue.StringExact("urn:kubernetes:programmatic_authorization")},
		{name: "cognito", file: "cognito", requested: "https://cognito-idp.eu-west-1.amazonaws.test/eu-west-1_AbCdEfGhI",
			jwksURI: "https://cognito-idp.eu-west-1.amazonaws.test/eu-west-1_AbCdEfGhI/.well-known/jwks.json",
			warnings: []knownvalue.Check{
				finding("id_token_response_type_missing", `response_types_supported ["code", "token"] has no bare "id_token"`),
				finding("claims_supported_missing", "does not list claims_supported"),
			},
			member: "claims_supported", value: knownvalue.Null()},
	}

	var issuers []localidp.IssuerConfig
	config := ""
	for _, s := range shapes {
		config += discoveryConfig(s.name, s.requested, "")
		config += fmt.Sprintf(`
data "awsoidc_thumbprint" %q {
  issuer = %q
}
`, s.name, s.requested)
		if s.served != "" {
			continue // served by another entry
		}
		issuers = append(issuers, localidp.IssuerConfig{URL: s.requested, JWKSURI: s.jwksURI, Document: idpDocument(t, s.file)})
	}
	e := newIdPEnv(t, localidp.Config{Issuers: issuers})

	var checks []statecheck.StateCheck
	for _, s := range shapes {
		addr := "data.awsoidc_discovery." + s.name
		jwksHost := s.jwksHost
		if jwksHost == "" {
			jwksHost = hostOf(s.requested)
		}
		checks = append(checks,
			attrIs(addr, "aws_compatible", knownvalue.Bool(len(s.problems) == 0)),
			attrIs(addr, "problems", listOf(s.problems...)),
			attrIs(addr, "warnings", listOf(s.warnings...)),
			attrIs(addr, "jwks_uri", knownvalue.StringExact(s.jwksURI)),
			attrIs(addr, "jwks_host", knownvalue.StringExact(jwksHost)),
			attrIs(addr, "keys", localKeys),
			attrIs(addr, s.member, s.value),
		)
		tp := "data.awsoidc_thumbprint." + s.name
		hosts := []string{jwksHost}
		if ih := hostOf(s.requested); ih != jwksHost {
			hosts = append(hosts, ih)
		}
		checks = append(checks,
			attrIs(tp, "thumbprint", knownvalue.StringExact(e.lastServedThumbprint(t, jwksHost))),
			attrIs(tp, "hosts", listOfStrings(hosts...)),
			// Every host here is signed by the same CA, so both hosts of Google's shape
			// give one thumbprint.
			attrIs(tp, "thumbprints", listOfStrings(e.lastServedThumbprint(t, jwksHost))),
			attrIs(tp, "problems", listOf()),
		)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            e.providerBlock() + config,
			ConfigStateChecks: checks,
		}},
	})
}

// TestAccDiscovery_keySetFailuresAreProblems serves a good document whose JWKS is broken
// in each way a server can break it: the document is still returned, with the problem.
// Chains in odd orders, a JWKS host with a chain of its own and a slow server are read
// as they should be.
func TestAccDiscovery_keySetFailuresAreProblems(t *testing.T) {
	t.Parallel()
	const jwksPath = "/.well-known/jwks.json"
	hostRoutes := func(name string, r localidp.Route) localidp.HostConfig {
		return localidp.HostConfig{Name: name, Routes: map[string]localidp.Route{jwksPath: r}}
	}
	slow := time.Second
	e := newIdPEnv(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "rogue", Untrusted: true}, {Name: "keys"}, {Name: "two", Intermediates: 2}},
		Hosts: []localidp.HostConfig{
			hostRoutes("redirect.test", localidp.Redirect("https://elsewhere.test/keys")),
			hostRoutes("oversized.test", localidp.Oversized(2<<20)),
			hostRoutes("invalid.test", localidp.InvalidJSON()),
			hostRoutes("html.test", localidp.HTMLPage(http.StatusBadGateway, "502 Bad Gateway")),
			hostRoutes("missing.test", localidp.NotFound()),
			{Name: "keys.expired.test", ExpiredLeaf: true},
			{Name: "keys.untrusted.test", CA: "rogue"},
			{Name: "keys.split.test", CA: "keys"},
			{Name: "wrong-order.test", CA: "two", Chain: localidp.ChainWrongOrder},
			{Name: "with-root.test", Chain: localidp.ChainWithRoot},
		},
		Issuers: []localidp.IssuerConfig{
			{URL: "https://redirect.test"}, {URL: "https://oversized.test"}, {URL: "https://invalid.test"},
			{URL: "https://html.test"}, {URL: "https://missing.test"},
			{URL: "https://expired.test", JWKSURI: "https://keys.expired.test/jwks"},
			{URL: "https://untrusted.test", JWKSURI: "https://keys.untrusted.test/jwks"},
			{URL: "https://split.test", JWKSURI: "https://keys.split.test/oauth2/v3/certs"},
			{URL: "https://wrong-order.test"}, {URL: "https://with-root.test"},
			{URL: "https://slow.test"},
		},
	})
	for _, path := range []string{"/.well-known/openid-configuration", jwksPath} {
		body := servedBody(t, e.srv, "https://slow.test"+path)
		if err := e.srv.SetRoute("slow.test", path, localidp.Raw(http.StatusOK, "application/json", []byte(body)).WithDelay(slow)); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		name, issuer string
		problems     []knownvalue.Check
		jwksHost     string
	}{
		{"redirect", "https://redirect.test", []knownvalue.Check{finding("jwks_unreachable",
			`GET https://redirect.test/.well-known/jwks.json answered 302 Found, redirecting to https://elsewhere.test/keys; redirects are not followed`)}, ""},
		{"oversized", "https://oversized.test", []knownvalue.Check{finding("jwks_unreachable",
			"the response body (2097152 bytes) exceeds the limit of 1048576 bytes")}, ""},
		{"invalid_json", "https://invalid.test", []knownvalue.Check{finding("jwks_invalid",
			`the JWKS at "https://invalid.test/.well-known/jwks.json" cannot be read`, "invalid JSON")}, ""},
		{"html", "https://html.test", []knownvalue.Check{finding("jwks_unreachable",
			`answered 502 Bad Gateway with an HTML page titled "502 Bad Gateway", not JSON`)}, ""},
		{"not_found", "https://missing.test", []knownvalue.Check{finding("jwks_unreachable",
			`GET https://missing.test/.well-known/jwks.json answered 404 Not Found`)}, ""},
		{"expired", "https://expired.test", []knownvalue.Check{finding("jwks_unreachable",
			"keys.expired.test:443", "does not verify", "certificate has expired", "ca_bundle")}, "keys.expired.test"},
		{"untrusted", "https://untrusted.test", []knownvalue.Check{finding("jwks_unreachable",
			"keys.untrusted.test:443", "does not verify", "unknown authority", "ca_bundle")}, "keys.untrusted.test"},
		{"separate_jwks_host", "https://split.test", nil, "keys.split.test"},
		{"wrong_order", "https://wrong-order.test", nil, ""},
		{"with_root", "https://with-root.test", nil, ""},
		{"slow", "https://slow.test", nil, ""},
	}
	config := ""
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		config += discoveryConfig(tc.name, tc.issuer, "")
		addr := "data.awsoidc_discovery." + tc.name
		host := tc.jwksHost
		if host == "" {
			host = hostOf(tc.issuer)
		}
		keys := localKeys
		if len(tc.problems) > 0 {
			keys = listOf()
		}
		checks = append(checks,
			attrIs(addr, "aws_compatible", knownvalue.Bool(len(tc.problems) == 0)),
			attrIs(addr, "problems", listOf(tc.problems...)),
			attrIs(addr, "warnings", listOf()),
			attrIs(addr, "jwks_host", knownvalue.StringExact(host)),
			attrIs(addr, "keys", keys),
			attrIs(addr, "issuer", knownvalue.StringExact(tc.issuer)),
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
	if n := e.srv.Requests("elsewhere.test", "/keys"); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
	if elapsed := time.Since(start); elapsed < slow {
		t.Errorf("the run took %s, less than the slow server's %s delay: the slow routes were not read", elapsed, slow)
	}
}

// TestAccDiscovery_unreadableDocumentsAreErrors: a discovery document that cannot be
// fetched, or is not a JSON object, is an error that says what was fetched and what came
// back; awsoidc_thumbprint with issuer needs the same document and fails the same way.
func TestAccDiscovery_unreadableDocumentsAreErrors(t *testing.T) {
	t.Parallel()
	const docPath = "/.well-known/openid-configuration"
	docRoute := func(name string, r localidp.Route) localidp.HostConfig {
		return localidp.HostConfig{Name: name, Routes: map[string]localidp.Route{docPath: r}}
	}
	e := newIdPEnv(t, localidp.Config{
		CAs: []localidp.CAConfig{{Name: "rogue", Untrusted: true}},
		Hosts: []localidp.HostConfig{
			docRoute("redirect.test", localidp.Redirect("https://login.elsewhere.test/.well-known/openid-configuration")),
			docRoute("oversized.test", localidp.Oversized(2<<20)),
			docRoute("invalid.test", localidp.InvalidJSON()),
			docRoute("login-page.test", localidp.HTMLPage(http.StatusOK, "Sign in to continue")),
			docRoute("error-page.test", localidp.HTMLPage(http.StatusServiceUnavailable, "503 Service Temporarily Unavailable")),
			docRoute("missing.test", localidp.NotFound()),
			docRoute("array.test", localidp.JSON([]string{"not", "an", "object"})),
			{Name: "expired.test", ExpiredLeaf: true},
			{Name: "untrusted.test", CA: "rogue"},
		},
	})
	cases := []struct {
		name, issuer string
		want         []string
	}{
		{"redirect", "https://redirect.test", []string{
			"GET https://redirect.test/.well-known/openid-configuration answered 302 Found, redirecting to https://login.elsewhere.test/.well-known/openid-configuration;",
			"redirects are not followed"}},
		{"oversized", "https://oversized.test", []string{
			"GET https://oversized.test/.well-known/openid-configuration: the response body (2097152 bytes) exceeds the limit of 1048576 bytes"}},
		{"invalid JSON", "https://invalid.test", []string{
			"GET https://invalid.test/.well-known/openid-configuration answered 200: discovery document: expected a JSON object, found invalid JSON (unexpected end of JSON input"}},
		{"HTML login page", "https://login-page.test", []string{
			"GET https://login-page.test/.well-known/openid-configuration answered 200 with an HTML page titled \"Sign in to continue\", not JSON;",
			"a discovery document is a JSON object"}},
		{"HTML error page", "https://error-page.test", []string{
			"GET https://error-page.test/.well-known/openid-configuration answered 503 Service Unavailable with an HTML page titled \"503 Service Temporarily Unavailable\", not JSON"}},
		{"404", "https://missing.test", []string{
			"GET https://missing.test/.well-known/openid-configuration answered 404 Not Found with a text/plain body: \"404 page not found\""}},
		{"JSON array", "https://array.test", []string{
			"GET https://array.test/.well-known/openid-configuration answered 200: discovery document: expected a JSON object, found a JSON array"}},
		{"expired certificate", "https://expired.test", []string{
			"the certificate chain served by expired.test:443", "does not verify", "certificate has expired",
			"this data source's ca_bundle, or the provider's custom_ca_bundle"}},
		{"untrusted CA", "https://untrusted.test", []string{
			"the certificate chain served by untrusted.test:443", "does not verify", "certificate signed by unknown authority",
			"this data source's ca_bundle, or the provider's custom_ca_bundle"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      e.providerBlock() + discoveryConfig("x", tc.issuer, ""),
						ExpectError: attributeErrorPattern("Cannot Read Discovery Document", "issuer", tc.want...),
					},
					{
						Config: e.providerBlock() + fmt.Sprintf(`
data "awsoidc_thumbprint" "x" {
  issuer = %q
}
`, tc.issuer),
						ExpectError: attributeErrorPattern("Cannot Read Discovery Document", "issuer", tc.want...),
					},
				},
			})
		})
	}
}

func TestAccDiscovery_strictMakesProblemsErrors(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: "https://tenant.test/"}}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock() + discoveryConfig("x", "https://tenant.test", "strict = true"),
				ExpectError: attributeErrorPattern("Identity Provider Not Usable by AWS", "issuer",
					`issuer "https://tenant.test/" differs from the issuer asked for "https://tenant.test" (they differ only in the trailing slash)`,
					"Problem code: issuer_mismatch."),
			},
			{
				Config: e.providerBlock() + discoveryConfig("x", "https://tenant.test/", "strict = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs("data.awsoidc_discovery.x", "aws_compatible", knownvalue.Bool(true)),
					attrIs("data.awsoidc_discovery.x", "strict", knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccDiscovery_caBundleOnTheDataSource: with a provider that trusts none of the
// local CAs, the data source's own ca_bundle is what lets it read the IdP.
func TestAccDiscovery_caBundleOnTheDataSource(t *testing.T) {
	t.Parallel()
	e := newIdPEnv(t, localidp.Config{})
	bundle := fmt.Sprintf("ca_bundle = <<-EOT\n%sEOT", e.srv.CABundlePEM())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlockTrustingNothingLocal() + discoveryConfig("x", "https://idp.test", ""),
				ExpectError: attributeErrorPattern("Cannot Read Discovery Document", "issuer",
					"idp.test:443", "certificate signed by unknown authority", "ca_bundle"),
			},
			{
				Config: e.providerBlockTrustingNothingLocal() + discoveryConfig("x", "https://idp.test", bundle),
				ConfigStateChecks: []statecheck.StateCheck{
					attrIs("data.awsoidc_discovery.x", "aws_compatible", knownvalue.Bool(true)),
					attrIs("data.awsoidc_discovery.x", "keys", localKeys),
				},
			},
		},
	})
}

func TestAccDiscovery_invalidArgumentsFailAtPlan(t *testing.T) {
	t.Parallel()
	// Each body goes inside a data "awsoidc_discovery" "x" block.
	cases := []invalidConfig{
		{"http issuer", `issuer = "http://idp.test"`,
			attributeErrorPattern("Invalid URL", "issuer", `"http://idp.test" must start with https://`)},
		{"issuer without host", `issuer = "https:///path"`,
			attributeErrorPattern("Invalid URL", "issuer", "has no host")},
		{"issuer with a query", `issuer = "https://idp.test/?tenant=a"`,
			attributeErrorPattern("Invalid URL", "issuer", "has a query", "/.well-known/openid-configuration")},
		{"issuer with a fragment", `issuer = "https://idp.test/#a"`,
			attributeErrorPattern("Invalid URL", "issuer", "has a fragment")},
		{"issuer with user info", `issuer = "https://me@idp.test"`,
			attributeErrorPattern("Invalid URL", "issuer", "carries user information")},
		{"ca_bundle that is not PEM", "issuer = \"https://idp.test\"\n  ca_bundle = \"not a certificate\"",
			attributeErrorPattern("Invalid CA Bundle", "ca_bundle", "Expected PEM-encoded CA certificates", "no PEM CERTIFICATE block found")},
		{"issuer missing", ``, errorPattern("Missing required argument", `The argument "issuer" is required`)},
	}
	for i := range cases {
		cases[i].config = "data \"awsoidc_discovery\" \"x\" {\n  " + cases[i].config + "\n}\n"
	}
	invalidConfigsFailAtPlan(t, 0, cases)
}

// TestDiscoveryDataSource_problemsAreWarningsUnlessStrict looks at the diagnostics
// themselves: a problem is a warning on issuer and the state is still written; with
// strict it is an error and nothing is written; checklist warnings are returned only.
func TestDiscoveryDataSource_problemsAreWarningsUnlessStrict(t *testing.T) {
	t.Parallel()
	gitlabLike := localidp.DefaultDocument("https://gitlab.test", "https://gitlab.test/oauth/discovery/keys")
	gitlabLike["response_types_supported"] = []any{"code"}
	srv := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{
		{URL: "https://tenant.test/"},
		{URL: "https://gitlab.test", JWKSURI: "https://gitlab.test/oauth/discovery/keys", Document: gitlabLike},
	}})
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	yes := tftypes.NewValue(tftypes.Bool, true)

	t.Run("default", func(t *testing.T) {
		resp, diags := readDirect(t, newDiscoveryDataSource(), srv, map[string]tftypes.Value{"issuer": str("https://tenant.test")})
		d := oneDiagnostic(t, diags, diag.SeverityWarning, "Identity Provider Not Usable by AWS", "issuer")
		if !errorPattern("differ only in the trailing slash", "Problem code: issuer_mismatch.", "With strict = true this is an error.").MatchString(d.Detail()) {
			t.Errorf("detail %q", d.Detail())
		}
		var compatible types.Bool
		resp.Diagnostics.Append(resp.State.GetAttribute(context.Background(), path.Root("aws_compatible"), &compatible)...)
		if compatible.IsNull() || compatible.ValueBool() {
			t.Errorf("aws_compatible = %v in state, want false: the outputs are written along with the warning", compatible)
		}
	})
	t.Run("strict", func(t *testing.T) {
		resp, diags := readDirect(t, newDiscoveryDataSource(), srv, map[string]tftypes.Value{"issuer": str("https://tenant.test"), "strict": yes})
		d := oneDiagnostic(t, diags, diag.SeverityError, "Identity Provider Not Usable by AWS", "issuer")
		if !strings.Contains(d.Detail(), "Problem code: issuer_mismatch.") || strings.Contains(d.Detail(), "With strict") {
			t.Errorf("detail %q", d.Detail())
		}
		if !resp.State.Raw.IsNull() {
			t.Error("state was written despite the error")
		}
	})
	t.Run("checklist warnings only", func(t *testing.T) {
		resp, diags := readDirect(t, newDiscoveryDataSource(), srv, map[string]tftypes.Value{"issuer": str("https://gitlab.test"), "strict": yes})
		if len(diags) != 0 {
			t.Fatalf("diagnostics %v, want none: departures AWS tolerates are returned, not shown", diags)
		}
		var warnings []findingModel
		resp.Diagnostics.Append(resp.State.GetAttribute(context.Background(), path.Root("warnings"), &warnings)...)
		if len(warnings) != 1 || warnings[0].Code.ValueString() != "id_token_response_type_missing" {
			t.Errorf("warnings = %v, want one id_token_response_type_missing", warnings)
		}
	})
}
