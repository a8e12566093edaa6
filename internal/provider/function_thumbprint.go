package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/thumbprint"
)

var _ function.Function = thumbprintFunction{}

func newThumbprintFunction() function.Function { return thumbprintFunction{} }

// thumbprintFunction computes the thumbprint AWS takes from a served chain: the SHA-1 of the
// last certificate, offline.
type thumbprintFunction struct{}

func (thumbprintFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "thumbprint"
}

func (thumbprintFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The thumbprint AWS takes from a PEM certificate chain",
		MarkdownDescription: "Returns the lower-case hex SHA-1 fingerprint of the **last** certificate of `pem_chain`, " +
			"which is the certificate AWS takes the thumbprint of when an identity provider serves that chain. " +
			"Give the chain in the order the server sends it (leaf first), for example the output of " +
			"`openssl s_client -showcerts`. To read a live server, use the `awsoidc_thumbprint` data source.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "pem_chain", MarkdownDescription: "One or more PEM `CERTIFICATE` blocks, leaf first."},
		},
		Return: function.StringReturn{},
	}
}

func (thumbprintFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var pemChain string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &pemChain))
	if resp.Error != nil {
		return
	}
	certs, err := thumbprint.ParsePEMChain([]byte(pemChain))
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, thumbprint.Thumbprint(certs[len(certs)-1]))
}
