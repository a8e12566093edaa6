package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
)

func faultRoleConfig(e *accEnv, name, providerARN string) string {
	return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:ci:deployer"]
  }
`, name, providerARN))
}

// exactlyOneRole checks that moto holds one role with this name and state holds it.
func exactlyOneRole(t *testing.T, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if n := rolesNamed(t, name); n != 1 {
			return fmt.Errorf("moto holds %d roles named %s, want exactly 1", n, name)
		}
		rs, ok := s.RootModule().Resources[roleRes]
		if !ok {
			return fmt.Errorf("%s is not in state", roleRes)
		}
		if got := rs.Primary.Attributes["name"]; got != name {
			return fmt.Errorf("state holds role %q, want %q", got, name)
		}
		return nil
	}
}

// testCreateRetried runs one apply whose first CreateRole calls meet fault.
func testCreateRetried(t *testing.T, fault func(providerARN string) acctest.Fault) {
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	const faults = 3
	e.ep.Fail("CreateRole", faults, fault(arn))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkIAMRoleGone(t, name),
		Steps: []resource.TestStep{{
			Config: faultRoleConfig(e, name, arn),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(roleRes, tfjsonpath.New("name"), knownvalue.StringExact(name)),
			},
			Check: exactlyOneRole(t, name),
		}},
	})
	if n := e.ep.Count("CreateRole"); n != faults+1 {
		t.Errorf("CreateRole called %d times, want %d (%d faults, then success)", n, faults+1, faults)
	}
	if left := e.ep.FaultsLeft("CreateRole"); left != 0 {
		t.Errorf("%d planned faults unused", left)
	}
}

func TestAccRole_createRetriesInvalidPrincipalAndLeavesOneRole(t *testing.T) {
	t.Parallel()
	testCreateRetried(t, acctest.InvalidPrincipal)
}

func TestAccRole_createRetriesThrottlingAndLeavesOneRole(t *testing.T) {
	t.Parallel()
	testCreateRetried(t, func(string) acctest.Fault { return acctest.Throttling() })
}

func TestAccRole_createThatNeverPropagatesFailsClearlyAndOrphansNothing(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	e.ep.Fail("CreateRole", 3*awsclient.PropagationAttempts, acctest.InvalidPrincipal(arn))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: faultRoleConfig(e, name, arn),
			ExpectError: errorPattern("OIDC Provider Not Yet Visible to IAM", "Invalid principal in policy",
				fmt.Sprintf("on each of %d attempts", awsclient.PropagationAttempts),
				"had not yet seen the OIDC identity provider", "No role was created", "Run terraform apply again"),
		}},
	})
	if n := e.ep.Count("CreateRole"); n != awsclient.PropagationAttempts {
		t.Errorf("CreateRole called %d times, want %d (the propagation retry bound)", n, awsclient.PropagationAttempts)
	}
	if n := rolesNamed(t, name); n != 0 {
		t.Errorf("moto holds %d roles named %s after a failed create, want none", n, name)
	}
}

func TestAccRole_trustUpdateRetriesInvalidPrincipal(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	first, _ := testOIDCProvider(t, "")
	second, _ := testOIDCProvider(t, "/second")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: faultRoleConfig(e, name, first)},
			{
				PreConfig: func() { e.ep.Fail("UpdateAssumeRolePolicy", 2, acctest.InvalidPrincipal(second)) },
				Config:    faultRoleConfig(e, name, second),
				Check: checkTrust(t, name, second,
					[]map[string]any{{"aud": "sts.amazonaws.com", "sub": "system:serviceaccount:ci:deployer"}}, nil),
			},
		},
	})
	if n := e.ep.Count("UpdateAssumeRolePolicy"); n != 3 {
		t.Errorf("UpdateAssumeRolePolicy called %d times, want 3 (2 faults, then success)", n)
	}
}

// loseFirstAnswer is a loopback proxy to upstream that forwards the first call of action and
// then closes the connection instead of answering, as a network failure after IAM acted
// would. The client cannot tell whether the call took effect.
func loseFirstAnswer(t *testing.T, upstream, action string) string {
	t.Helper()
	var lost atomic.Bool
	transport := &http.Transport{Proxy: nil}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, _ := url.ParseQuery(string(body))
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		out, err := http.NewRequestWithContext(ctx, r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out.Header = r.Header.Clone()
		resp, err := transport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		if form.Get("Action") == action && lost.CompareAndSwap(false, true) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(func() {
		srv.Close()
		transport.CloseIdleConnections()
		if !lost.Load() {
			t.Errorf("no %s call went through the proxy, so no answer was lost", action)
		}
	})
	return srv.URL
}

func TestAccRole_createWhoseAnswerIsLostKeepsTheRoleItMade(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	proxy := loseFirstAnswer(t, e.ep.URL, "CreateRole")
	config := strings.ReplaceAll(faultRoleConfig(e, name, arn), e.ep.URL, proxy)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkIAMRoleGone(t, name),
		Steps: []resource.TestStep{{
			Config: config,
			Check:  exactlyOneRole(t, name),
		}},
	})
	// The first call created the role; the retry was told it exists and took it as created.
	if n := e.ep.Count("CreateRole"); n != 2 {
		t.Errorf("CreateRole called %d times, want 2 (one answer lost, one retry)", n)
	}
}

func TestAccRole_existingRoleOfTheSameNameIsNotTakenOver(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	name := testRoleName(t)
	arn, _ := testOIDCProvider(t, "")
	ctx := context.Background()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, arn)
	if _, err := oob(t).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("creating a role outside Terraform: %v", err)
	}
	t.Cleanup(func() { _, _ = oob(t).DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}) })

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      faultRoleConfig(e, name, arn),
			ExpectError: errorPattern("Role Already Exists", fmt.Sprintf("IAM already has a role named %q", name), fmt.Sprintf("an import block with id = %q", name), "terraform import with this resource's address and "+name),
		}},
	})
	if n := e.ep.Count("CreateRole"); n != 1 {
		t.Errorf("CreateRole called %d times, want 1", n)
	}
	if n := e.ep.Count("DeleteRole"); n != 0 {
		t.Errorf("DeleteRole called %d times: the role made outside Terraform must be left alone", n)
	}
}
