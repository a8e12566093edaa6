// Command minimalprovider is the smallest provider on terraform-plugin-framework: no
// settings and one resource without attributes. The benchmark builds it from this
// module's dependencies and measures `terraform validate` with it, as the floor for the
// awsoidc provider's start-up: what any framework provider costs, whatever it does.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Address is where the benchmark's filesystem mirror offers it.
const Address = "registry.terraform.io/bench/minimal"

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return minimalProvider{} },
		providerserver.ServeOpts{Address: Address})
	if err != nil {
		log.Fatal(err)
	}
}

type minimalProvider struct{}

func (minimalProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "minimal"
}

func (minimalProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (minimalProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (minimalProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return emptyResource{} }}
}

func (minimalProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// emptyResource has no attributes; creating it records that it exists.
type emptyResource struct{}

func (emptyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_empty"
}

func (emptyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{}
}

func (emptyResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (emptyResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (emptyResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (emptyResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
