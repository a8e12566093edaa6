package provider

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccProviderDataSource_byURLBothSpellingsAndByARN(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	key := uniqueHost(t) + "/tenant"
	arn := providerARNFor(key)

	config := e.providerBlock("") + providerResourceConfig("https://"+key, `
  client_ids  = ["b", "a"]
  thumbprints = ["`+tpA+`"]
  tags        = { team = "platform" }
`) + `
data "awsoidc_provider" "with_scheme" {
  url = awsoidc_provider.test.url
}
data "awsoidc_provider" "without_scheme" {
  url = trimprefix(awsoidc_provider.test.url, "https://")
}
data "awsoidc_provider" "by_arn" {
  arn = awsoidc_provider.test.arn
}
`
	var checks []statecheck.StateCheck
	for _, ds := range []string{"data.awsoidc_provider.with_scheme", "data.awsoidc_provider.without_scheme", "data.awsoidc_provider.by_arn"} {
		checks = append(checks,
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("url"), knownvalue.StringExact("https://"+key)),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("client_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("a"), knownvalue.StringExact("b")})),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("thumbprints"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tpA)})),
			statecheck.ExpectKnownValue(ds, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("platform")})),
		)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
	})
}

func TestAccProviderDataSource_trailingSlash(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	host := uniqueHost(t)
	ctx := context.Background()
	create := func(url string) {
		if _, err := oob(t).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(url), ClientIDList: []string{"app"}}); err != nil {
			t.Fatalf("creating %s: %v", url, err)
		}
		t.Cleanup(func() {
			_, _ = oob(t).DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARNFor(url[len("https://"):]))})
		})
	}
	lookup := func(url string) string {
		return e.providerBlock("") + `
data "awsoidc_provider" "test" {
  url = "` + url + `"
}
`
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { create("https://" + host + "/") },
				// Only "host/" exists: asking for "host" finds it, since it differs only by the slash.
				Config: lookup("https://" + host),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.awsoidc_provider.test", tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(host+"/"))),
					statecheck.ExpectKnownValue("data.awsoidc_provider.test", tfjsonpath.New("url"), knownvalue.StringExact("https://"+host+"/")),
				},
			},
			{
				PreConfig: func() { create("https://" + host) },
				// Both exist: the exact spelling wins.
				Config: lookup(host),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.awsoidc_provider.test", tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(host))),
				},
			},
			{
				Config: lookup("https://" + host + "/"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.awsoidc_provider.test", tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(host+"/"))),
				},
			},
		},
	})
}

func TestAccProviderDataSource_ambiguousAndMissing(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	host := uniqueHost(t)
	ctx := context.Background()
	for _, key := range []string{host + "/a/", host + "/a//"} {
		if _, err := oob(t).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + key), ClientIDList: []string{"app"}}); err != nil {
			t.Fatal(err)
		}
		arn := providerARNFor(key)
		t.Cleanup(func() {
			_, _ = oob(t).DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		})
	}
	lookup := func(attr, value string) string {
		return e.providerBlock("") + `
data "awsoidc_provider" "test" {
  ` + attr + ` = "` + value + `"
}
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// An exact match wins over its near twin.
				Config: lookup("url", "https://"+host+"/a/"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.awsoidc_provider.test", tfjsonpath.New("arn"), knownvalue.StringExact(providerARNFor(host+"/a/"))),
				},
			},
			{
				// Two providers differ from the URL asked for only by trailing slashes.
				Config:      lookup("url", host+"/a"),
				ExpectError: errorPattern("matches two OIDC providers that differ only by a trailing slash", "/a/ and", "/a//"),
			},
			{
				Config:      lookup("url", "https://"+host+"/missing"),
				ExpectError: attributeErrorPattern("OIDC Provider Not Found", "url", "no OIDC provider in this account has URL"),
			},
			{
				Config:      lookup("arn", providerARNFor(host+"/missing")),
				ExpectError: attributeErrorPattern("OIDC Provider Not Found", "arn", "IAM has no OIDC provider"),
			},
			{
				Config:      e.providerBlock("") + "data \"awsoidc_provider\" \"test\" {}\n",
				ExpectError: errorPattern("Missing Attribute Configuration", "Exactly one of these attributes must be configured: [url,arn]"),
			},
			{
				// Ends on a valid configuration, so the closing destroy has something to run.
				Config: lookup("arn", providerARNFor(host+"/a//")),
			},
		},
	})
}
