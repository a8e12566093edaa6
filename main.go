// Command terraform-provider-awsoidc is the Terraform provider for AWS IAM federation with
// OpenID Connect identity providers.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name awsoidc

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietDiscardedLogs()
	stopProfiles, err := startProfiles()
	if err != nil {
		log.Fatal(err)
	}
	err = providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/awsoidc/awsoidc",
		Debug:   debug,
	})
	if perr := stopProfiles(); perr != nil {
		log.Print(perr)
	}
	if err != nil {
		log.Fatal(err)
	}
}
