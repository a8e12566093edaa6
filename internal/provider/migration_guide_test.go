package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

// planFunc adapts a function to plancheck.PlanCheck.
type planFunc func(*tfjson.Plan) error

func (f planFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// TestAccMigrationGuide_importsWithoutRecreating proves the awsoidc half of
// docs/guides/migrating-from-aws-provider.md: with an OIDC provider and a role as the
// AWS provider leaves them (an upper-case thumbprint, the trust policy JSON
// aws_iam_policy_document renders, a managed policy attached), the guide's after.tf,
// unchanged, plans two imports and nothing else, and applying it calls nothing in IAM
// that creates, deletes or changes anything.
func TestAccMigrationGuide_importsWithoutRecreating(t *testing.T) {
	t.Parallel()
	acctest.RequireTerraform(t)
	const issuer = "https://token.actions.githubusercontent.com"
	ctx := context.Background()

	// A moto of its own: the guide's issuer is also the GitHub Actions recipe's, and IAM
	// has one provider per issuer and account.
	// Loading the managed policies takes seconds, and more on a busy machine.
	m, err := acctest.StartMotoWith(ctx, acctest.MotoOptions{Env: []string{"MOTO_IAM_LOAD_MANAGED_POLICIES=true"}, StartTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	ep := m.NewEndpoint(t)
	idp := localidp.StartForTest(t, localidp.Config{Issuers: []localidp.IssuerConfig{{URL: issuer, JWKSURI: issuer + "/.well-known/jwks"}}})
	bundle := filepath.Join(t.TempDir(), "localidp-ca.pem")
	if err := os.WriteFile(bundle, idp.CABundlePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	thumbprint := localidp.Thumbprint(idp.Host("token.actions.githubusercontent.com").LastServed())

	// What the AWS provider left: the thumbprint as openssl prints it, upper case.
	client := iam.New(iam.Options{
		Region: acctest.Region, BaseEndpoint: aws.String(m.URL),
		Credentials: credentials.NewStaticCredentialsProvider(acctest.AccessKey, acctest.SecretKey, ""),
	})
	prov, err := client.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.ToUpper(thumbprint)},
	})
	if err != nil {
		t.Fatal(err)
	}
	trust := fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "",
      "Effect": "Allow",
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Principal": {"Federated": %q},
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"
        }
      }
    }
  ]
}`, aws.ToString(prov.OpenIDConnectProviderArn))
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("github-deploy"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("github-deploy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}

	after, err := os.ReadFile("../../examples/guides/migrating-from-aws-provider/after.tf")
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
provider "awsoidc" {
  region           = %q
  access_key       = %q
  secret_key       = %q
  https_proxy      = %q
  custom_ca_bundle = %q
  endpoints {
    iam = %q
    sts = %q
  }
}
`, acctest.Region, acctest.AccessKey, acctest.SecretKey, idp.ProxyURL(), bundle, ep.URL, ep.URL) + string(after)

	var (
		mu      sync.Mutex
		applied []string // the IAM calls up to the end of the apply
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{planFunc(func(p *tfjson.Plan) error {
					imported := map[string]bool{}
					for _, rc := range p.ResourceChanges {
						if rc.Mode != tfjson.ManagedResourceMode {
							continue
						}
						t.Logf("planned %s: %v importing=%v", rc.Address, rc.Change.Actions, rc.Change.Importing != nil)
						if rc.Change.Importing != nil {
							imported[rc.Address] = true
						}
						if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Update() {
							return fmt.Errorf("%s would be %v; migrating must only import", rc.Address, rc.Change.Actions)
						}
						if rc.Change.Actions.Update() && rc.Address == "awsoidc_provider.github" {
							return fmt.Errorf("the provider would change: %v -> %v", rc.Change.Before, rc.Change.After)
						}
					}
					if !imported["awsoidc_provider.github"] || !imported["awsoidc_role.deploy"] {
						return fmt.Errorf("imports planned: %v, want awsoidc_provider.github and awsoidc_role.deploy", imported)
					}
					return nil
				})},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				stateFunc(func(s *tfjson.State) error {
					mu.Lock()
					defer mu.Unlock()
					applied = nil
					for _, r := range ep.Requests() {
						if r.Service == acctest.ServiceIAM {
							applied = append(applied, r.Action)
						}
					}
					prov, err := oneOfType(s, tfjson.ManagedResourceMode, "awsoidc_provider")
					if err != nil {
						return err
					}
					if !jsonEqual(prov.AttributeValues["thumbprints"], []any{thumbprint}) {
						return fmt.Errorf("thumbprints %v, want [%s]: the upper-case one IAM holds, in lower case", prov.AttributeValues["thumbprints"], thumbprint)
					}
					return nil
				}),
			},
		}},
	})

	mu.Lock()
	defer mu.Unlock()
	if len(applied) == 0 {
		t.Fatal("no IAM calls were recorded up to the apply")
	}
	var writes []error
	for _, a := range applied {
		for _, verb := range []string{"Create", "Delete", "Update", "Attach", "Detach", "Put", "Add", "Remove", "Tag", "Untag"} {
			if strings.HasPrefix(a, verb) {
				writes = append(writes, errors.New(a))
			}
		}
	}
	if len(writes) > 0 {
		t.Errorf("migrating changed IAM: %v (all calls: %v)", errors.Join(writes...), slices.Compact(applied))
	}
}
