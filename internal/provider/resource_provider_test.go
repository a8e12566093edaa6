package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const (
	tpA = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	tpB = "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
	tpC = "a031c46782e6e6c662c2c87c76da9aa62ccabd8e"
)

const resName = "awsoidc_provider.test"

func providerResourceConfig(url string, body string) string {
	return fmt.Sprintf(`
resource "awsoidc_provider" "test" {
  url = %q
  %s
}
`, url, body)
}

func checkIAMProvider(t *testing.T, arn string, wantClientIDs, wantThumbprints []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out := getProvider(t, arn)
		got := slices.Sorted(slices.Values(out.ClientIDList))
		want := slices.Sorted(slices.Values(wantClientIDs))
		if !slices.Equal(got, want) {
			return fmt.Errorf("IAM client IDs = %v, want %v", got, want)
		}
		if wantThumbprints != nil {
			got := slices.Sorted(slices.Values(out.ThumbprintList))
			want := slices.Sorted(slices.Values(wantThumbprints))
			if !slices.Equal(got, want) {
				return fmt.Errorf("IAM thumbprints = %v, want %v", got, want)
			}
		}
		return nil
	}
}

func TestAccProvider_createAndImport(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t) + "/org/a1"
	arn := providerARNFor(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = ["`+tpA+`"]
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("url"), knownvalue.StringExact("https://"+key)),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("client_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("sts.amazonaws.com")})),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("thumbprints"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tpA)})),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
				Check: checkIAMProvider(t, arn, []string{"sts.amazonaws.com"}, []string{tpA}),
			},
			{
				ResourceName:                         resName,
				ImportState:                          true,
				ImportStateId:                        arn,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "arn",
			},
		},
	})
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 1 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 1", n)
	}
}

func TestAccProvider_trailingSlashIsKept(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t) + "/"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["app"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(key))),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("url"), knownvalue.StringExact("https://"+key)),
				},
			},
			{
				Config:             e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["app"]`),
				ConfigPlanChecks:   resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ExpectNonEmptyPlan: false,
			},
		},
	})
}

func TestAccProvider_thumbprintsUpdatedInPlace(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = ["`+tpA+`"]
`),
			},
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = ["`+tpB+`", "`+tpC+`"]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resName, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
				},
				Check: checkIAMProvider(t, arn, []string{"sts.amazonaws.com"}, []string{tpB, tpC}),
			},
		},
	})
	if n := e.ep.Count("UpdateOpenIDConnectProviderThumbprint"); n != 1 {
		t.Errorf("UpdateOpenIDConnectProviderThumbprint called %d times, want 1", n)
	}
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 1 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 1 (no replacement)", n)
	}
}

func TestAccProvider_clientIDsAddedAndRemovedInPlace(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["a", "b"]`),
				Check:  checkIAMProvider(t, arn, []string{"a", "b"}, nil),
			},
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["b", "c", "d"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resName, plancheck.ResourceActionUpdate),
				}},
				Check: checkIAMProvider(t, arn, []string{"b", "c", "d"}, nil),
			},
		},
	})
	for action, want := range map[string]int{
		"AddClientIDToOpenIDConnectProvider":      2,
		"RemoveClientIDFromOpenIDConnectProvider": 1,
		"CreateOpenIDConnectProvider":             1,
		"DeleteOpenIDConnectProvider":             1, // the final destroy only
	} {
		if n := e.ep.Count(action); n != want {
			t.Errorf("%s called %d times, want %d", action, n, want)
		}
	}
}

func TestAccProvider_reorderedClientIDsAndUpperCaseThumbprintsGiveEmptyPlan(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)
	upperA, upperB := strings.ToUpper(tpA), strings.ToUpper(tpB)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["x", "y", "z"]
  thumbprints = ["`+upperA+`", "`+upperB+`"]
`),
				// IAM holds them lower case, whatever was written.
				Check: checkIAMProvider(t, arn, []string{"x", "y", "z"}, []string{tpA, tpB}),
			},
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["z", "x", "y"]
  thumbprints = ["`+upperB+`", "`+upperA+`"]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Written the other way round: still the same thumbprints.
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["z", "x", "y"]
  thumbprints = ["`+tpB+`", "`+upperA+`"]
`),
				PlanOnly: true,
			},
		},
	})
	if n := e.ep.Count("UpdateOpenIDConnectProviderThumbprint"); n != 0 {
		t.Errorf("UpdateOpenIDConnectProviderThumbprint called %d times, want 0", n)
	}
}

func TestAccProvider_thumbprintsRemovedAreKept(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = ["`+tpA+`", "`+tpB+`"]
`),
			},
			{
				Config: e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["sts.amazonaws.com"]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("thumbprints"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(tpA), knownvalue.StringExact(tpB),
					})),
				},
				Check: checkIAMProvider(t, arn, []string{"sts.amazonaws.com"}, []string{tpA, tpB}),
			},
			{
				Config:           e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["sts.amazonaws.com"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("UpdateOpenIDConnectProviderThumbprint"); n != 0 {
		t.Errorf("UpdateOpenIDConnectProviderThumbprint called %d times, want 0: IAM refuses an empty list", n)
	}
}

func TestAccProvider_tagsAndDefaultTags(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)
	cfg := func(defaults, tags string) string {
		extra := ""
		if defaults != "" {
			extra = "default_tags {\n    tags = " + defaults + "\n  }"
		}
		body := `client_ids = ["app"]`
		if tags != "" {
			body += "\n  tags = " + tags
		}
		return e.providerBlock(extra) + providerResourceConfig("https://"+key, body)
	}
	iamTags := func(want map[string]string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			out, err := oob(t).ListOpenIDConnectProviderTags(context.Background(), &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
			if err != nil {
				return err
			}
			got := map[string]string{}
			for _, tg := range out.Tags {
				got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("IAM tags = %v, want %v", got, want)
			}
			return nil
		}
	}
	mapExact := func(m map[string]string) knownvalue.Check {
		c := map[string]knownvalue.Check{}
		for k, v := range m {
			c[k] = knownvalue.StringExact(v)
		}
		return knownvalue.MapExact(c)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{ // tags added
				Config: cfg("", `{ team = "platform" }`),
				Check:  iamTags(map[string]string{"team": "platform"}),
			},
			{ // default tags added; a resource tag wins on the same key
				Config: cfg(`{ env = "prod", team = "default" }`, `{ team = "platform" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("tags"), mapExact(map[string]string{"team": "platform"})),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("tags_all"), mapExact(map[string]string{"team": "platform", "env": "prod"})),
				},
				Check: iamTags(map[string]string{"team": "platform", "env": "prod"}),
			},
			{ // both changed
				Config: cfg(`{ env = "dev" }`, `{ team = "security", cost = "42" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resName, plancheck.ResourceActionUpdate),
				}},
				Check: iamTags(map[string]string{"team": "security", "cost": "42", "env": "dev"}),
			},
			{ // resource tags removed, default tags stay
				Config: cfg(`{ env = "dev" }`, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("tags"), knownvalue.Null()),
					statecheck.ExpectKnownValue(resName, tfjsonpath.New("tags_all"), mapExact(map[string]string{"env": "dev"})),
				},
				Check: iamTags(map[string]string{"env": "dev"}),
			},
			{ // default tags removed
				Config: cfg("", ""),
				Check:  iamTags(map[string]string{}),
			},
			{
				Config:           cfg("", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccProvider_deletedOutsideTerraformIsRecreated(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)
	config := e.providerBlock("") + providerResourceConfig("https://"+key, `client_ids = ["app"]`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if _, err := oob(t).DeleteOpenIDConnectProvider(context.Background(), &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
						t.Fatalf("deleting outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resName, plancheck.ResourceActionCreate),
				}},
				Check: checkIAMProvider(t, arn, []string{"app"}, nil),
			},
		},
	})
	if n := e.ep.Count("CreateOpenIDConnectProvider"); n != 2 {
		t.Errorf("CreateOpenIDConnectProvider called %d times, want 2", n)
	}
}

func TestAccProvider_changesOutsideTerraformAreRepaired(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t)
	arn := providerARNFor(key)
	config := e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["app"]
  thumbprints = ["`+tpA+`"]
  tags        = { team = "platform" }
`)
	ctx := context.Background()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					c := oob(t)
					p := aws.String(arn)
					if _, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: p, ClientID: aws.String("intruder")}); err != nil {
						t.Fatalf("adding a client ID outside Terraform: %v", err)
					}
					if _, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: p, ThumbprintList: []string{tpC}}); err != nil {
						t.Fatalf("changing thumbprints outside Terraform: %v", err)
					}
					if _, err := c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: p, Tags: []iamtypes.Tag{{Key: aws.String("extra"), Value: aws.String("1")}}}); err != nil {
						t.Fatalf("tagging outside Terraform: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resName, plancheck.ResourceActionUpdate),
				}},
				Check: checkIAMProvider(t, arn, []string{"app"}, []string{tpA}),
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
	if n := e.ep.Count("RemoveClientIDFromOpenIDConnectProvider"); n != 1 {
		t.Errorf("RemoveClientIDFromOpenIDConnectProvider called %d times, want 1", n)
	}
	if n := e.ep.Count("UntagOpenIDConnectProvider"); n != 1 {
		t.Errorf("UntagOpenIDConnectProvider called %d times, want 1", n)
	}
}
