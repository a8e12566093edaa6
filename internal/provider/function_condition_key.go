package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

var _ function.Function = conditionKeyFunction{}

func newConditionKeyFunction() function.Function { return conditionKeyFunction{} }

// conditionKeyFunction builds `<host><path>:<claim>`, the trust-policy condition key for a
// claim of tokens from the given issuer.
type conditionKeyFunction struct{}

func (conditionKeyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "condition_key"
}

func (conditionKeyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The trust-policy condition key for a claim of an issuer",
		MarkdownDescription: "Returns the IAM condition key for `claim` of tokens issued by `url`: the URL without `https://`, " +
			"path and trailing slash kept, then `:` and the claim, e.g. `token.actions.githubusercontent.com:sub`. " +
			"Built-in issuers such as `accounts.google.com` are accepted.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "url", MarkdownDescription: "Issuer URL, with or without `https://`."},
			function.StringParameter{Name: "claim", MarkdownDescription: "Claim name, e.g. `aud`, `sub`, `repository_id`."},
		},
		Return: function.StringReturn{},
	}
}

func (conditionKeyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var url, claim string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &url, &claim))
	if resp.Error != nil {
		return
	}
	u, ferr := issuerForFunction(url, true)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	if claim == "" || strings.ContainsAny(claim, " \t\n") {
		resp.Error = function.NewArgumentFuncError(1, "claim must be a claim name such as aud or sub, without spaces; got "+quote(claim))
		return
	}
	resp.Error = resp.Result.Set(ctx, u.Key()+":"+claim)
}

// issuerForFunction parses a URL argument (argument 0), adding https:// when it is missing.
// allowBuiltIn accepts issuers AWS has built in, which have condition keys but no provider.
func issuerForFunction(raw string, allowBuiltIn bool) (oidcurl.URL, *function.FuncError) {
	if !strings.Contains(raw, "://") {
		raw = oidcurl.FromKey(raw)
	}
	parse := oidcurl.Parse
	if allowBuiltIn {
		parse = oidcurl.ParseIssuer
	}
	u, err := parse(raw)
	if err != nil {
		return oidcurl.URL{}, function.NewArgumentFuncError(0, err.Error())
	}
	return u, nil
}

func quote(s string) string { return `"` + s + `"` }
