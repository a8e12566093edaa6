package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
)

func setStrings(ctx context.Context, s basetypes.SetValue, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	slices.Sort(out)
	return out
}

func stringSet(in []string) types.Set {
	elems := make([]attr.Value, 0, len(in))
	for _, s := range in {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}

func stringList(in []string) types.List {
	elems := make([]attr.Value, 0, len(in))
	for _, s := range in {
		elems = append(elems, types.StringValue(s))
	}
	return types.ListValueMust(types.StringType, elems)
}

// describeAWSError renders an AWS error as "Code: message" without the SDK's request
// plumbing, which says nothing a user can act on. An answer that was not AWS's (an HTML
// page, say) is described as such, naming the endpoint and the operation, rather than by
// the parse error the SDK met in it.
func describeAWSError(err error) string {
	if a, ok := awsclient.AsNotAWSAnswer(err); ok {
		return describeNotAWSAnswer(a)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err.Error()
}

func describeNotAWSAnswer(a awsclient.NotAWSAnswer) string {
	service, operation := a.Service, a.Operation
	if service == "" {
		service = "AWS"
	}
	if operation == "" {
		operation = "the call"
	}
	endpoint := "the " + service + " endpoint"
	if a.Endpoint != "" {
		endpoint += " " + a.Endpoint
	}
	status := "not AWS's XML"
	if a.Status != 0 {
		status = fmt.Sprintf("HTTP %d, not AWS's XML", a.Status)
	}
	said := fmt.Sprintf("%s did not answer %s as AWS does (%s)", endpoint, operation, status)
	if a.FromGateway() {
		return said + ": a proxy or gateway on the way answered instead, as they do while what is behind them is out of reach or busy. " +
			"Try again; if it persists, check the proxy settings and the endpoint."
	}
	where := "the endpoint"
	if a.Service != "" {
		where = fmt.Sprintf("%s in the provider's endpoints block (or AWS_ENDPOINT_URL_%s)", strings.ToLower(a.Service), strings.ToUpper(a.Service))
	}
	if a.Status >= 200 && a.Status < 300 {
		return fmt.Sprintf("%s: it may not be an %s endpoint at all, or the answer was damaged on the way. Check that %s names an %s endpoint, and try again.",
			said, service, where, service)
	}
	return fmt.Sprintf("%s: it may not implement that operation, or it failed without saying why. Check that %s names an %s endpoint that implements %s.",
		said, where, service, operation)
}
