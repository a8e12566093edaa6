package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

// providerURLValidator applies IAM's OIDC provider URL rules at plan time.
type providerURLValidator struct{}

var _ validator.String = providerURLValidator{}

func (providerURLValidator) Description(context.Context) string {
	return "must be an https URL with no port, query, fragment or user info, at most 255 characters, and not a built-in AWS identity provider"
}

func (v providerURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (providerURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := oidcurl.Parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid OIDC Provider URL", err.Error())
	}
}

// durationValidator accepts Go durations such as 1h or 15m.
type durationValidator struct{}

var _ validator.String = durationValidator{}

func (durationValidator) Description(context.Context) string {
	return "must be a duration such as 1h or 15m"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a duration such as 1h or 15m: %s", req.ConfigValue.ValueString(), err))
	}
}
