package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// fakeJWT is shaped like an ID token; moto does not verify it.
const fakeJWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkcC50ZXN0Iiwic3ViIjoiY2kiLCJhdWQiOiJzdHMuYW1hem9uYXdzLmNvbSJ9.c2lnbmF0dXJl"

// isolateAWSEnvironment clears every AWS setting a developer's shell may hold, so the
// test sees only what it sets. It uses t.Setenv, so callers must not be parallel.
func isolateAWSEnvironment(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func createConfig(key string) string {
	return providerResourceConfig("https://"+key, `client_ids = ["sts.amazonaws.com"]`)
}

func TestAccProviderConfig_staticKeysWithEndpointOverride(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: e.providerBlock("") + createConfig(key),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resName, tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(key))),
			},
		}},
	})
	if e.ep.Count("GetCallerIdentity") == 0 {
		t.Error("the credentials were not validated against the configured STS endpoint")
	}
	if e.ep.Count("CreateOpenIDConnectProvider") != 1 {
		t.Error("the IAM call did not reach the configured IAM endpoint")
	}
}

func TestAccProviderConfig_endpointsFromEnvironment(t *testing.T) {
	isolateAWSEnvironment(t)
	e := newAccEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_IAM", e.ep.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", e.ep.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
	key := uniqueHost(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "awsoidc" {}` + createConfig(key),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resName, tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(key))),
			},
		}},
	})
	if e.ep.Count("GetCallerIdentity") == 0 || e.ep.Count("CreateOpenIDConnectProvider") != 1 {
		t.Errorf("calls did not go to the endpoints from AWS_ENDPOINT_URL_IAM/_STS; endpoint saw: %v", e.ep.Actions())
	}
}

func TestAccProviderConfig_assumeRoleWithWebIdentityTokenFile(t *testing.T) {
	isolateAWSEnvironment(t)
	e := newAccEnv(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(fakeJWT), 0o600); err != nil {
		t.Fatal(err)
	}
	key := uniqueHost(t)
	config := `
provider "awsoidc" {
  region = "us-east-1"
  endpoints {
    iam = "` + e.ep.URL + `"
    sts = "` + e.ep.URL + `"
  }
  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::` + acctest.AccountID + `:role/ci-deployer"
    session_name            = "ci"
    web_identity_token_file = "` + tokenFile + `"
  }
}
` + createConfig(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config}},
	})
	var exchanged bool
	for _, r := range e.ep.Requests() {
		if r.Action == "AssumeRoleWithWebIdentity" {
			exchanged = true
			if got := r.Params.Get("WebIdentityToken"); got != fakeJWT {
				t.Errorf("AssumeRoleWithWebIdentity got token %q, want the file's content", got)
			}
			if got := r.Params.Get("RoleArn"); !strings.HasSuffix(got, ":role/ci-deployer") {
				t.Errorf("AssumeRoleWithWebIdentity got role %q", got)
			}
		}
	}
	if !exchanged {
		t.Fatalf("no AssumeRoleWithWebIdentity call; endpoint saw %v", e.ep.Actions())
	}
	if e.ep.Count("CreateOpenIDConnectProvider") != 1 {
		t.Errorf("the provider was not created with the web identity credentials; endpoint saw %v", e.ep.Actions())
	}
}

func TestAccProviderConfig_sharedConfigFileWithWebIdentity(t *testing.T) {
	// HCP Terraform's dynamic credentials write a shared config file like this one and
	// point shared_config_files at it.
	isolateAWSEnvironment(t)
	e := newAccEnv(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(fakeJWT), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "shared_config")
	if err := os.WriteFile(cfgFile, []byte("[default]\nrole_arn = arn:aws:iam::"+acctest.AccountID+":role/hcp-run\nweb_identity_token_file = "+tokenFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", e.ep.URL)
	key := uniqueHost(t)
	config := `
provider "awsoidc" {
  region              = "us-east-1"
  shared_config_files = ["` + cfgFile + `"]
  endpoints {
    iam = "` + e.ep.URL + `"
    sts = "` + e.ep.URL + `"
  }
}
` + createConfig(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config}},
	})
	if e.ep.Count("AssumeRoleWithWebIdentity") == 0 {
		t.Fatalf("the shared config file's web identity was not used; endpoint saw %v", e.ep.Actions())
	}
	if e.ep.Count("CreateOpenIDConnectProvider") != 1 {
		t.Errorf("endpoint saw %v", e.ep.Actions())
	}
}

func TestAccProviderConfig_missingCredentialsIsAClearError(t *testing.T) {
	isolateAWSEnvironment(t)
	e := newAccEnv(t)
	config := `
provider "awsoidc" {
  region = "us-east-1"
  endpoints {
    iam = "` + e.ep.URL + `"
    sts = "` + e.ep.URL + `"
  }
}
` + createConfig(uniqueHost(t))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			PlanOnly:    true,
			ExpectError: errorPattern("No valid credential sources found"),
		}},
	})
	if n := len(e.ep.Requests()); n != 0 {
		t.Errorf("with no credentials, %d calls were made: %v", n, e.ep.Actions())
	}
}

// Credentials STS refuses fail the run with aws-sdk-go-base's message, after one
// GetCallerIdentity: the credentials check and the account lookup share the call.
func TestAccProviderConfig_refusedCredentialsAreAClearErrorAfterOneCall(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	e.ep.Fail("GetCallerIdentity", 100, acctest.AWSError(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      e.providerBlock("") + createConfig(uniqueHost(t)),
			PlanOnly:    true,
			ExpectError: errorPattern("validating provider credentials", "GetCallerIdentity", "InvalidClientTokenId"),
		}},
	})
	if n := e.ep.Count("GetCallerIdentity"); n != 1 {
		t.Errorf("GetCallerIdentity called %d times for refused credentials, want 1", n)
	}
	if n := e.ep.ServiceCount(acctest.ServiceIAM); n != 0 {
		t.Errorf("%d IAM calls with refused credentials: %v", n, e.ep.Actions())
	}
}

// max_retries counts retries after the first attempt: against an IAM that throttles every
// call, a create is made max_retries + 1 times and then fails, and 0 means one attempt.
func TestAccProviderConfig_maxRetriesIsRetriesAfterTheFirstAttempt(t *testing.T) {
	t.Parallel()
	for _, maxRetries := range []int{0, 2} {
		t.Run(fmt.Sprintf("max_retries=%d", maxRetries), func(t *testing.T) {
			t.Parallel()
			e := newAccEnv(t)
			e.ep.Fail("CreateOpenIDConnectProvider", 100, acctest.Throttling())
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      e.providerBlock(fmt.Sprintf("max_retries = %d", maxRetries)) + createConfig(uniqueHost(t)),
					ExpectError: errorPattern("Cannot Create OIDC Provider", "Throttling"),
				}},
			})
			if n := e.ep.Count("CreateOpenIDConnectProvider"); n != maxRetries+1 {
				t.Errorf("max_retries = %d: CreateOpenIDConnectProvider was attempted %d times against an IAM that always throttles, want %d",
					maxRetries, n, maxRetries+1)
			}
		})
	}
}

func TestAccProviderConfig_negativeMaxRetriesIsRefused(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      e.providerBlock("max_retries = -1") + createConfig(uniqueHost(t)),
			PlanOnly:    true,
			ExpectError: errorPattern("max_retries", "must be at least 0"),
		}},
	})
	if n := len(e.ep.Requests()); n != 0 {
		t.Errorf("with max_retries = -1, %d calls were made: %v", n, e.ep.Actions())
	}
}

// Unset, max_retries is 25; set, it is what is written, 0 included.
func TestProviderConfig_maxRetriesDefault(t *testing.T) {
	for _, c := range []struct {
		set  types.Int64
		want int
	}{
		{types.Int64Null(), 25},
		{types.Int64Value(0), 0},
		{types.Int64Value(7), 7},
	} {
		cfg, diags := maxRetriesOnly(c.set).awsConfig(context.Background())
		if diags.HasError() {
			t.Fatalf("max_retries %s: %v", c.set, diags)
		}
		if cfg.MaxRetries != c.want {
			t.Errorf("max_retries %s: the client gets %d retries, want %d", c.set, cfg.MaxRetries, c.want)
		}
	}
	_, diags := maxRetriesOnly(types.Int64Unknown()).awsConfig(context.Background())
	if !diags.HasError() {
		t.Error("an unknown max_retries was accepted; the provider cannot start without knowing it")
	}
}

// maxRetriesOnly is a provider block that sets max_retries to v and nothing else.
func maxRetriesOnly(v types.Int64) providerModel {
	return providerModel{
		MaxRetries:             v,
		SharedConfigFiles:      types.ListNull(types.StringType),
		SharedCredentialsFiles: types.ListNull(types.StringType),
	}
}
