package provider

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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

func TestAccProvider_createWhoseAnswerIsLostKeepsTheProviderItMade(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	// moto creates the provider; the answer never reaches the client, which retries.
	e.ep.Fail("CreateOpenIDConnectProvider", 1, acctest.LoseAnswer())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             noProviderLeft(t, key),
		Steps: []resource.TestStep{{
			Config: e.providerBlock("") + createConfig(key),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resName, tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(key))),
			},
			Check: func(*terraform.State) error {
				if n := providersFor(t, key); n != 1 {
					return fmt.Errorf("moto holds %d providers for %s, want exactly 1", n, key)
				}
				return nil
			},
		}},
	})
	// The first call created it; the retry was told it exists and took it as created.
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 2 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 2 (one answer lost, one retry)", n)
	}
	if got := e.ep.FaultCounts()[acctest.FaultLostAnswer]; got != 1 {
		t.Errorf("%d answers lost, want 1", got)
	}
}

func TestAccProvider_existingProviderForTheURLIsNotTakenOver(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	ctx := context.Background()
	// Made outside Terraform with another client ID, so it is not what the configuration asks for.
	if _, err := oob(t).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://" + key), ClientIDList: []string{"someone-else"},
	}); err != nil {
		t.Fatalf("creating a provider outside Terraform: %v", err)
	}
	arn := providerARNFor(key)
	t.Cleanup(func() {
		_, _ = oob(t).DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	})
	// Even when the create is retried after a lost answer, the existing provider is refused.
	e.ep.Fail("CreateOpenIDConnectProvider", 1, acctest.ResetConnection())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      e.providerBlock("") + createConfig(key),
			ExpectError: errorPattern("OIDC Provider Already Exists", `id = "`+arn+`"`, "terraform import with this resource's address and "+arn),
		}},
	})
	if n := e.ep.Count("DeleteOpenIDConnectProvider"); n != 0 {
		t.Errorf("DeleteOpenIDConnectProvider called %d times: the provider made outside Terraform must be left alone", n)
	}
	if ids := getProvider(t, arn).ClientIDList; len(ids) != 1 || ids[0] != "someone-else" {
		t.Errorf("the provider made outside Terraform now has client IDs %v, want [someone-else]", ids)
	}
}
