package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/function"
)

var _ function.Function = providerARNFunction{}

func newProviderARNFunction() function.Function { return providerARNFunction{} }

// providerARNFunction builds the ARN IAM gives an OIDC provider, without asking IAM.
type providerARNFunction struct{}

var (
	accountIDPattern = regexp.MustCompile(`^\d{12}$`)
	partitionPattern = regexp.MustCompile(`^aws(-[a-z]+)*$`)
)

func (providerARNFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "provider_arn"
}

func (providerARNFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The ARN of the IAM OIDC provider for an issuer URL",
		MarkdownDescription: "Returns `arn:<partition>:iam::<account_id>:oidc-provider/<host><path>` for `url`, " +
			"after checking the URL against IAM's rules. Useful to reference a provider managed elsewhere without a lookup.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "url", MarkdownDescription: "Issuer URL, with or without `https://`."},
			function.StringParameter{Name: "account_id", MarkdownDescription: "12-digit AWS account ID."},
		},
		VariadicParameter: function.StringParameter{
			Name:                "partition",
			MarkdownDescription: "Optional partition: `aws` (the default), `aws-us-gov`, `aws-cn`, …",
		},
		Return: function.StringReturn{},
	}
}

func (providerARNFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var url, account string
	var partitions []string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &url, &account, &partitions))
	if resp.Error != nil {
		return
	}
	u, ferr := issuerForFunction(url, false)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	if !accountIDPattern.MatchString(account) {
		resp.Error = function.NewArgumentFuncError(1, fmt.Sprintf("account_id must be 12 digits; got %q", account))
		return
	}
	partition := "aws"
	switch len(partitions) {
	case 0:
	case 1:
		partition = partitions[0]
		if !partitionPattern.MatchString(partition) {
			resp.Error = function.NewArgumentFuncError(2, fmt.Sprintf("partition must be an AWS partition such as aws, aws-us-gov or aws-cn; got %q", partition))
			return
		}
	default:
		resp.Error = function.NewArgumentFuncError(3, fmt.Sprintf("at most one partition may be given; got %d", len(partitions)))
		return
	}
	resp.Error = resp.Result.Set(ctx, u.ProviderARN(partition, account))
}
