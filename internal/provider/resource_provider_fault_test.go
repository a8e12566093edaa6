package provider

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

// providersFor lists the IAM OIDC providers moto holds for key.
func providersFor(t *testing.T, key string) int {
	t.Helper()
	out, err := oob(t).ListOpenIDConnectProviders(context.Background(), &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range out.OpenIDConnectProviderList {
		if a, err := oidcurl.ParseProviderARN(*p.Arn); err == nil && a.Key == key {
			n++
		}
	}
	return n
}

func noProviderLeft(t *testing.T, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := providersFor(t, key); n != 0 {
			return fmt.Errorf("%d IAM OIDC provider(s) for %s left after destroy", n, key)
		}
		return nil
	}
}

func TestAccProvider_throttlingIsRetried(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	e.ep.Fail("CreateOpenIDConnectProvider", 2, acctest.Throttling())
	e.ep.Fail("GetOpenIDConnectProvider", 1, acctest.Throttling())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             noProviderLeft(t, key),
		Steps: []resource.TestStep{{
			Config: e.providerBlock("") + createConfig(key),
			Check: func(*terraform.State) error {
				if n := providersFor(t, key); n != 1 {
					return fmt.Errorf("moto holds %d providers for %s, want exactly 1", n, key)
				}
				return nil
			},
		}},
	})
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 3 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 3 (two throttled, one through)", n)
	}
}

func TestAccProvider_failureRightAfterCreateOrphansNothing(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	config := e.providerBlock("") + createConfig(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             noProviderLeft(t, key),
		Steps: []resource.TestStep{
			{
				// The provider is created, then reading it back fails for good.
				PreConfig: func() {
					e.ep.Fail("GetOpenIDConnectProvider", 1, acctest.AWSError(http.StatusBadRequest, "InvalidInput", "simulated failure"))
				},
				Config:      config,
				ExpectError: errorPattern("Cannot Read OIDC Provider", "simulated failure"),
			},
			{
				// The state kept its ARN (tainted), so Terraform replaces it instead of
				// colliding with an object it lost.
				Config: config,
				Check: func(*terraform.State) error {
					if n := providersFor(t, key); n != 1 {
						return fmt.Errorf("moto holds %d providers for %s, want exactly 1", n, key)
					}
					return nil
				},
			},
		},
	})
	if n := e.ep.Count("DeleteOpenIDConnectProvider"); n < 2 {
		t.Errorf("DeleteOpenIDConnectProvider called %d times; the tainted provider and the final one should both be deleted", n)
	}
}
