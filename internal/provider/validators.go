package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

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

// clientIDsValidator applies IAM's limits on client IDs, in IAM's words: at least one (STS
// compares a token's aud with them), at most 100, each 1 to 255 characters.
type clientIDsValidator struct{}

var _ validator.Set = clientIDsValidator{}

func (clientIDsValidator) Description(context.Context) string {
	return fmt.Sprintf("must hold 1 to %d client IDs of 1 to %d characters each", maxClientIDs, maxClientIDLen)
}

func (v clientIDsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (clientIDsValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	switch n := len(elems); {
	case n == 0:
		resp.Diagnostics.AddAttributeError(req.Path, "No Client IDs",
			"client_ids is empty. STS accepts a token only when its aud is one of the provider's client IDs, so a provider without any accepts no token. "+
				`Add the audience your tokens carry: "sts.amazonaws.com" for GitHub Actions and EKS, your OAuth client ID otherwise.`)
	case n > maxClientIDs:
		resp.Diagnostics.AddAttributeError(req.Path, "Too Many Client IDs",
			fmt.Sprintf("client_ids has %d client IDs. IAM: \"You cannot register more than %d client IDs with a single IAM OIDC provider\" "+
				"(IAM API Reference, CreateOpenIDConnectProvider, ClientIDList; IAM refuses more with LimitExceeded: Cannot exceed quota for ClientIdsPerOpenIdConnectProvider). "+
				"An account has one provider per URL, so keep the client IDs tokens really carry: several applications can share one audience "+
				"and be told apart by sub or azp in each role's trust blocks.", n, maxClientIDs))
	}
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			continue
		}
		switch id := s.ValueString(); {
		case id == "":
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid Client ID",
				"client_ids holds an empty string; no token carries an empty aud. Remove it.")
		case len(id) > maxClientIDLen:
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid Client ID",
				fmt.Sprintf("Client ID %q is %d characters. IAM: \"The CreateOpenIDConnectProviderRequest operation accepts client IDs up to %d characters long\" "+
					"(IAM API Reference, CreateOpenIDConnectProvider, ClientIDList). Register a shorter client ID (audience) with the identity provider.",
					id, len(id), maxClientIDLen))
		}
	}
}

// thumbprintsValidator applies IAM's limits on thumbprints, in IAM's words: at most five,
// each a 40-character hexadecimal SHA-1 fingerprint.
type thumbprintsValidator struct{}

var _ validator.Set = thumbprintsValidator{}

func (thumbprintsValidator) Description(context.Context) string {
	return fmt.Sprintf("must hold at most %d thumbprints of exactly %d hexadecimal characters each", maxThumbprints, thumbprintLength)
}

func (v thumbprintsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (thumbprintsValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	if n := len(elems); n > maxThumbprints {
		resp.Diagnostics.AddAttributeError(req.Path, "Too Many Thumbprints",
			fmt.Sprintf("thumbprints has %d thumbprints. IAM: \"IAM lets you have up to five thumbprints for an OIDC provider\" "+
				"(IAM API Reference, CreateOpenIDConnectProvider, ThumbprintList). Keep those of the hosts IAM connects to (the jwks_uri host, and the issuer host when it differs), "+
				"as awsoidc_thumbprint lists them, or leave thumbprints unset: IAM verifies the identity provider against its trusted root CAs and uses thumbprints only as a fallback.", n))
	}
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			continue
		}
		tp := s.ValueString()
		if thumbprintPattern.MatchString(tp) {
			continue
		}
		why := fmt.Sprintf("is %d characters", len(tp))
		if len(tp) == thumbprintLength {
			why = "has characters other than 0-9 and a-f (in either case)"
		}
		if strings.Contains(tp, ":") {
			why += "; remove the colons"
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Thumbprint",
			fmt.Sprintf("Thumbprint %q %s. A thumbprint is the hex-encoded SHA-1 hash of a certificate; IAM: \"It is always a %d-character string\" "+
				"(IAM API Reference, CreateOpenIDConnectProvider, ThumbprintList). awsoidc_thumbprint and provider::awsoidc::thumbprint return it in that form.",
				tp, why, thumbprintLength))
	}
}
