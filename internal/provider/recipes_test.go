package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/recipes"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

// recipesDir is where the recipes users copy live, relative to this package.
const recipesDir = "../../examples/recipes"

// recipeSession is the session name the recipe test asks STS for.
const recipeSession = "recipe-test"

// recipeIdP is the local IdP every recipe test shares: it serves every recipe's issuer
// under its real host name, with a document shaped like the real one.
var recipeIdP struct {
	sync.Once
	srv    *localidp.Server
	bundle string
	err    error
}

func sharedRecipeIdP(t *testing.T) (*localidp.Server, string) {
	t.Helper()
	recipeIdP.Do(func() {
		issuers, err := recipes.IssuerConfigs()
		if err != nil {
			recipeIdP.err = err
			return
		}
		if recipeIdP.srv, recipeIdP.err = localidp.Start(localidp.Config{Issuers: issuers}); recipeIdP.err != nil {
			return
		}
		dir, err := os.MkdirTemp("", "awsoidc-recipes-")
		if err != nil {
			recipeIdP.err = err
			return
		}
		recipeIdP.bundle = filepath.Join(dir, "localidp-ca.pem")
		recipeIdP.err = os.WriteFile(recipeIdP.bundle, recipeIdP.srv.CABundlePEM(), 0o600)
	})
	if recipeIdP.err != nil {
		t.Fatalf("starting the local IdP for the recipes: %v", recipeIdP.err)
	}
	return recipeIdP.srv, recipeIdP.bundle
}

// TestAccRecipes applies every recipe under examples/recipes, as users copy it, against
// moto and the local IdP impersonating the recipe's issuer; reads the discovery document
// and thumbprint through it; trades a token of the intended identity for credentials;
// shows with awsoidc_trust_check that every allowed identity may assume its role and
// every neighbour may not; and destroys it all.
func TestAccRecipes(t *testing.T) {
	t.Parallel()
	acctest.RequireTerraform(t)
	idp, bundle := sharedRecipeIdP(t)
	all := recipes.All()
	if len(all) < 15 {
		t.Fatalf("the catalogue has %d recipes; every IdP of examples/recipes needs one", len(all))
	}
	covered := map[string]bool{}
	for _, r := range all {
		covered[r.Dir] = true
		t.Run(r.Name, func(t *testing.T) {
			t.Parallel()
			testRecipe(t, r, idp, bundle)
		})
	}
	t.Run("hcp-terraform/workspace", func(t *testing.T) {
		t.Parallel()
		testHCPWorkspace(t, idp, bundle)
	})
	// Every recipe directory is exercised.
	entries, err := os.ReadDir(recipesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !covered[e.Name()] {
			t.Errorf("examples/recipes/%s has no entry in internal/acctest/recipes, so no test applies it", e.Name())
		}
	}
}

// recipeWorkDir copies the recipe's files into a new directory and adds what the test
// needs: an override file pointing the provider at this test's AWS endpoint and at the
// local IdP, the variables, and extra (more configuration, such as the trust checks).
func recipeWorkDir(t *testing.T, dir string, ep *acctest.Endpoint, idp *localidp.Server, bundle string, withKeys bool, vars map[string]any, extra string) string {
	t.Helper()
	work := t.TempDir()
	entries, err := os.ReadDir(filepath.Join(recipesDir, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(recipesDir, dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	keys := ""
	if withKeys {
		keys = fmt.Sprintf("access_key = %q\n  secret_key = %q", acctest.AccessKey, acctest.SecretKey)
	}
	// The test serves the provider in process, where Terraform knows it as
	// hashicorp/awsoidc; everything else about the recipe is as written.
	override := fmt.Sprintf(`terraform {
  required_providers {
    awsoidc = {
      source = "hashicorp/awsoidc"
    }
  }
}

provider "awsoidc" {
  region = %q
  %s
  https_proxy      = %q
  custom_ca_bundle = %q
  endpoints {
    iam = %q
    sts = %q
  }
}
`, acctest.Region, keys, idp.ProxyURL(), bundle, ep.URL, ep.URL)
	files := map[string]string{"test_override.tf": override, "recipe_test.tf": extra}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.MarshalIndent(vars, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "terraform.tfvars.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return work
}

// identityCheck is one trust check the test adds to a recipe.
type identityCheck struct {
	name    string // data source name
	id      recipes.Identity
	allowed bool
}

func trustChecksConfig(r recipes.Recipe) (string, []identityCheck) {
	var b strings.Builder
	var checks []identityCheck
	add := func(prefix string, ids []recipes.Identity, allowed bool) {
		for i, id := range ids {
			c := identityCheck{name: fmt.Sprintf("%s_%d", prefix, i), id: id, allowed: allowed}
			checks = append(checks, c)
			claims, _ := json.MarshalIndent(id.Claims, "    ", "  ")
			// A heredoc interpolates ${...} and %{...}; claims are literal.
			literal := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(string(claims))
			fmt.Fprintf(&b, `
# %s
data "awsoidc_trust_check" %q {
  trust_policy = %s.assume_role_policy
  claims = jsondecode(<<-EOT
    %s
    EOT
  )
}
`, id.Name, c.name, r.RoleOf(id), literal)
		}
	}
	add("allowed", r.Allowed, true)
	add("refused", r.Refused, false)
	return b.String(), checks
}

func recipeFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"awsoidc": providerserver.NewProtocol6WithError(New("test")()),
		"echo":    echoprovider.NewProviderServer(),
	}
}

func testRecipe(t *testing.T, r recipes.Recipe, idp *localidp.Server, bundle string) {
	ep := acctest.EndpointForTest(t)
	intended := r.Allowed[0]
	token, err := r.Mint(idp, intended, localidp.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	checks, identities := trustChecksConfig(r)
	extra := fmt.Sprintf(`# Written by TestAccRecipes: the intended identity trades its token for credentials,
# and every identity is put to the role's trust policy.
ephemeral "awsoidc_credentials" "intended" {
  role_arn                = %s.arn
  web_identity_token_file = %q
  session_name            = %q
}

provider "echo" {
  data = {
    assumed_role_arn = ephemeral.awsoidc_credentials.intended.assumed_role_arn
    issuer           = ephemeral.awsoidc_credentials.intended.issuer
    subject          = ephemeral.awsoidc_credentials.intended.subject
    audience         = ephemeral.awsoidc_credentials.intended.audience
  }
}

resource "echo" "session" {}
%s`, r.RoleOf(intended), tokenFile, recipeSession, checks)
	work := recipeWorkDir(t, r.Dir, ep, idp, bundle, true, r.VarsWith(bundle), extra)

	var (
		mu        sync.Mutex
		roleNames []string
		results   = map[string]bool{}
	)
	doc, err := r.Document()
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: ephemeralVersionCheck,
		CheckDestroy: func(*terraform.State) error {
			mu.Lock()
			defer mu.Unlock()
			return recipeDestroyed(t, r, roleNames)
		},
		// The configuration declares its providers, so the factories go with the step.
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: recipeFactories(),
			ConfigDirectory:          config.StaticDirectory(work),
			ConfigStateChecks: []statecheck.StateCheck{
				stateFunc(func(s *tfjson.State) error { return checkRecipeIdP(s, r, doc, idp) }),
				stateFunc(func(s *tfjson.State) error {
					mu.Lock()
					defer mu.Unlock()
					roleNames = nil
					for _, role := range resourcesOfType(s, tfjson.ManagedResourceMode, "awsoidc_role") {
						roleNames = append(roleNames, fmt.Sprint(role.AttributeValues["name"]))
					}
					return checkIdentities(s, identities, results)
				}),
				stateFunc(func(s *tfjson.State) error { return checkSession(s, r, intended) }),
			},
		}},
	})

	// The token went to STS as the credentials' source, for the intended role.
	var exchanged bool
	for _, req := range ep.Requests() {
		if req.Action != "AssumeRoleWithWebIdentity" {
			continue
		}
		exchanged = true
		if req.Params.Get("WebIdentityToken") != token {
			t.Error("AssumeRoleWithWebIdentity was sent another token than the intended identity's")
		}
		if got := req.Params.Get("RoleSessionName"); got != recipeSession {
			t.Errorf("RoleSessionName = %q, want %q", got, recipeSession)
		}
	}
	if !exchanged {
		t.Errorf("no AssumeRoleWithWebIdentity call; the endpoint saw %v", ep.Actions())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range identities {
		verdict := "refused"
		if results[c.name] {
			verdict = "allowed"
		}
		t.Logf("%-22s %-8s %s", r.Name, verdict, c.id.Name)
	}
}

// stateFunc adapts a function to statecheck.StateCheck.
type stateFunc func(*tfjson.State) error

func (f stateFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = errors.New("the state is empty")
		return
	}
	resp.Error = f(req.State)
}

func resourcesOfType(s *tfjson.State, mode tfjson.ResourceMode, typ string) []*tfjson.StateResource {
	var out []*tfjson.StateResource
	for _, r := range s.Values.RootModule.Resources {
		if r.Mode == mode && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func oneOfType(s *tfjson.State, mode tfjson.ResourceMode, typ string) (*tfjson.StateResource, error) {
	rs := resourcesOfType(s, mode, typ)
	if len(rs) != 1 {
		return nil, fmt.Errorf("the state holds %d %s %s, want 1", len(rs), mode, typ)
	}
	return rs[0], nil
}

// checkRecipeIdP checks what the recipe read from the IdP and registered in IAM: the
// discovery document as served, the thumbprint of the last certificate of the JWKS
// host, and the provider for exactly the issuer. Built-in issuers have none of these.
func checkRecipeIdP(s *tfjson.State, r recipes.Recipe, doc map[string]any, idp *localidp.Server) error {
	kinds := []struct {
		mode tfjson.ResourceMode
		typ  string
	}{{tfjson.DataResourceMode, "awsoidc_discovery"}, {tfjson.DataResourceMode, "awsoidc_thumbprint"}, {tfjson.ManagedResourceMode, "awsoidc_provider"}}
	if r.BuiltIn != "" {
		for _, k := range kinds {
			if n := len(resourcesOfType(s, k.mode, k.typ)); n != 0 {
				return fmt.Errorf("a recipe for the built-in issuer %s holds %d %s; AWS has no OIDC provider for it", r.BuiltIn, n, k.typ)
			}
		}
		if n := idp.Requests(r.IssuerHost(), "/.well-known/openid-configuration"); n != 0 {
			return fmt.Errorf("the recipe for the built-in issuer %s fetched its discovery document %d times", r.BuiltIn, n)
		}
		return nil
	}
	disc, err := oneOfType(s, tfjson.DataResourceMode, "awsoidc_discovery")
	if err != nil {
		return err
	}
	v := disc.AttributeValues
	if v["issuer"] != r.Issuer || v["jwks_uri"] != doc["jwks_uri"] || v["aws_compatible"] != true {
		return fmt.Errorf("discovery read issuer %v, jwks_uri %v, aws_compatible %v; want %s, %v, true (problems %v)",
			v["issuer"], v["jwks_uri"], v["aws_compatible"], r.Issuer, doc["jwks_uri"], v["problems"])
	}
	if !jsonEqual(v["claims_supported"], doc["claims_supported"]) || !jsonEqual(v["subject_types_supported"], doc["subject_types_supported"]) {
		return fmt.Errorf("discovery read claims_supported %v and subject_types_supported %v; the IdP serves %v and %v",
			v["claims_supported"], v["subject_types_supported"], doc["claims_supported"], doc["subject_types_supported"])
	}
	jwksHost := fmt.Sprint(v["jwks_host"])
	want := localidp.Thumbprint(idp.Host(jwksHost).LastServed())
	thumb, err := oneOfType(s, tfjson.DataResourceMode, "awsoidc_thumbprint")
	if err != nil {
		return err
	}
	if thumb.AttributeValues["thumbprint"] != want {
		return fmt.Errorf("thumbprint %v, want %s (the last certificate %s serves)", thumb.AttributeValues["thumbprint"], want, jwksHost)
	}
	prov, err := oneOfType(s, tfjson.ManagedResourceMode, "awsoidc_provider")
	if err != nil {
		return err
	}
	if prov.Address != r.Provider {
		return fmt.Errorf("the provider is %s, want %s", prov.Address, r.Provider)
	}
	u, err := oidcurl.Parse(r.Issuer)
	if err != nil {
		return err
	}
	if prov.AttributeValues["url"] != r.Issuer || prov.AttributeValues["arn"] != providerARNFor(u.Key()) {
		return fmt.Errorf("provider url %v arn %v, want %s and %s", prov.AttributeValues["url"], prov.AttributeValues["arn"], r.Issuer, providerARNFor(u.Key()))
	}
	if !jsonEqual(prov.AttributeValues["thumbprints"], []any{want}) {
		return fmt.Errorf("provider thumbprints %v, want [%s]", prov.AttributeValues["thumbprints"], want)
	}
	return nil
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// checkIdentities checks every trust check's verdict and records it in results.
func checkIdentities(s *tfjson.State, checks []identityCheck, results map[string]bool) error {
	byName := map[string]*tfjson.StateResource{}
	for _, r := range resourcesOfType(s, tfjson.DataResourceMode, "awsoidc_trust_check") {
		byName[r.Name] = r
	}
	var errs []error
	for _, c := range checks {
		r, ok := byName[c.name]
		if !ok {
			errs = append(errs, fmt.Errorf("no trust check %s in state", c.name))
			continue
		}
		got, _ := r.AttributeValues["allowed"].(bool)
		results[c.name] = got
		if got != c.allowed {
			errs = append(errs, fmt.Errorf("%s: allowed = %t, want %t: %v", c.id.Name, got, c.allowed, r.AttributeValues["summary"]))
		}
	}
	return errors.Join(errs...)
}

// checkSession checks the credentials the intended identity's token was traded for.
func checkSession(s *tfjson.State, r recipes.Recipe, intended recipes.Identity) error {
	echo, err := oneOfType(s, tfjson.ManagedResourceMode, "echo")
	if err != nil {
		return err
	}
	data, _ := echo.AttributeValues["data"].(map[string]any)
	var role *tfjson.StateResource
	for _, res := range resourcesOfType(s, tfjson.ManagedResourceMode, "awsoidc_role") {
		if res.Address == r.RoleOf(intended) {
			role = res
		}
	}
	if role == nil {
		return fmt.Errorf("no role %s in state", r.RoleOf(intended))
	}
	aud := intended.Claims["aud"]
	want := map[string]any{
		"assumed_role_arn": fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", motoAccount, role.AttributeValues["name"], recipeSession),
		"issuer":           intended.Claims["iss"],
		"subject":          intended.Claims["sub"],
		"audience":         aud,
	}
	for k, v := range want {
		if data[k] != v {
			return fmt.Errorf("the session's %s is %v, want %v", k, data[k], v)
		}
	}
	return nil
}

// recipeDestroyed checks that destroy left nothing of the recipe in IAM.
func recipeDestroyed(t *testing.T, r recipes.Recipe, roleNames []string) error {
	ctx := context.Background()
	if len(roleNames) == 0 {
		return errors.New("no role names were recorded before destroy")
	}
	for _, name := range roleNames {
		_, err := oob(t).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		var nse *iamtypes.NoSuchEntityException
		if !errors.As(err, &nse) {
			return fmt.Errorf("role %s after destroy: %v, want NoSuchEntity", name, err)
		}
	}
	if r.BuiltIn != "" {
		return nil
	}
	u, err := oidcurl.Parse(r.Issuer)
	if err != nil {
		return err
	}
	_, err = oob(t).GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARNFor(u.Key()))})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		return fmt.Errorf("provider for %s after destroy: %v, want NoSuchEntity", r.Issuer, err)
	}
	return nil
}

// testHCPWorkspace applies examples/recipes/hcp-terraform/workspace the way HCP Terraform
// runs it: the only credentials are a shared config file naming a role and a token
// file, as the platform writes them into a run, and every IAM call must be signed with
// the temporary credentials STS handed out for that token.
func testHCPWorkspace(t *testing.T, idp *localidp.Server, bundle string) {
	r, ok := recipes.ByName("hcp-terraform")
	if !ok {
		t.Fatal("no hcp-terraform recipe in the catalogue")
	}
	ep := acctest.EndpointForTest(t)
	// moto does not evaluate trust policies, so the role the run assumes can be any.
	roleARN := createTrustingRole(t)
	token, err := r.Mint(idp, r.Allowed[0], localidp.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	runDir := t.TempDir()
	tokenFile := filepath.Join(runDir, "tfc-aws-token")
	sharedConfig := filepath.Join(runDir, "tfc-aws-shared-config")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sharedConfig, []byte(fmt.Sprintf("[default]\nrole_arn = %s\nweb_identity_token_file = %s\n", roleARN, tokenFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	issuer := "https://" + uniqueHost(t)
	vars := map[string]any{
		"tfc_aws_dynamic_credentials": map[string]any{
			"default": map[string]any{"shared_config_file": sharedConfig},
			"aliases": map[string]any{},
		},
		"ci_issuer": issuer,
	}
	work := recipeWorkDir(t, "hcp-terraform/workspace", ep, idp, bundle, false, vars, "")
	// The run's environment holds no credentials of its own.
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		if os.Getenv(k) != "" {
			t.Fatalf("%s is set in the test's environment; the workspace test must get its credentials from the shared config file alone", k)
		}
	}
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(work),
			ConfigStateChecks: []statecheck.StateCheck{
				attrIs("awsoidc_provider.ci", "url", knownvalue.StringExact(issuer)),
			},
		}},
	})

	keys := map[string]bool{}
	for _, req := range ep.Requests() {
		if req.Action != "AssumeRoleWithWebIdentity" {
			continue
		}
		if req.Params.Get("RoleArn") != roleARN || req.Params.Get("WebIdentityToken") != token {
			t.Errorf("AssumeRoleWithWebIdentity for %s with another token; want %s and the run's token", req.Params.Get("RoleArn"), roleARN)
		}
		id, _, _ := stsCredentials(t, req.Response)
		keys[id] = true
	}
	if len(keys) == 0 {
		t.Fatalf("the provider never assumed the run's role; the endpoint saw %v", ep.Actions())
	}
	var iamCalls []string
	for _, req := range ep.Requests() {
		if req.Service != acctest.ServiceIAM {
			continue
		}
		iamCalls = append(iamCalls, req.Action)
		if !keys[req.AccessKeyID] {
			t.Errorf("%s was signed with %q, not with the run's temporary credentials", req.Action, req.AccessKeyID)
		}
	}
	if !slices.Contains(iamCalls, "CreateOpenIDConnectProvider") || !slices.Contains(iamCalls, "DeleteOpenIDConnectProvider") {
		t.Errorf("IAM calls %v, want the provider created and deleted", iamCalls)
	}
}
