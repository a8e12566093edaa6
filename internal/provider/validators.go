package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
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

// numberAsStringNote ends the description of an attribute that holds a whole number in a
// string. A number attribute would do, but Terraform compares a refreshed resource with
// the prior state in a way that finds every number changed (a number read back from state
// has another precision than one the provider sends), so terraform plan -refresh-only
// -detailed-exitcode would report drift on every run (hashicorp/terraform#36403).
func numberAsStringNote(attr, example string) string {
	return fmt.Sprintf("This is a string holding the number, because `terraform plan -refresh-only -detailed-exitcode` reports a resource with any number attribute in state as changed "+
		"even when nothing changed ([hashicorp/terraform#36403](https://github.com/hashicorp/terraform/issues/36403)). "+
		"A number in configuration works as is: Terraform converts `%[1]s = %[2]s`, or a number variable, to `\"%[2]s\"`. "+
		"A string must be the plain digits: `\"0%[2]s\"` or `\" %[2]s\"` is refused.", attr, example)
}

// wholeNumberPattern is a whole number as Terraform writes one when it converts a number
// to a string: decimal digits, with no sign, leading zero, space, fraction or exponent.
var wholeNumberPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// parseWholeNumber reads a whole number written as wholeNumberPattern says. ok is false
// for anything else; a number too large for int64 reads as math.MaxInt64, out of every
// range.
func parseWholeNumber(s string) (n int64, ok bool) {
	if !wholeNumberPattern.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return math.MaxInt64, true
	}
	return n, true
}

// wholeNumberValidator checks a string attribute that holds a whole number for IAM (see
// numberAsStringNote): plain digits, within IAM's range.
type wholeNumberValidator struct {
	min, max int64
	unit     string // what the number counts, plural: "seconds"
	summary  string // of the error for a value out of range
	limit    string // IAM's rule and where it is written, after "; "
	fix      string // what to do about a value out of range
}

var _ validator.String = wholeNumberValidator{}

// IAM's ranges for the role's whole-number attributes.
var (
	sessionDurationValidator = wholeNumberValidator{
		min: minSessionDuration, max: maxSessionDuration, unit: "seconds", summary: "Session Duration Out of Range",
		limit: fmt.Sprintf("IAM allows %d to %d seconds, one to twelve hours (IAM API Reference, CreateRole and UpdateRole: MaxSessionDuration)",
			minSessionDuration, maxSessionDuration),
		fix: fmt.Sprintf("Set a value in that range, or leave max_session_duration unset for IAM's default of %d.", minSessionDuration),
	}
	trustPolicyQuotaValidator = wholeNumberValidator{
		min: trustpolicy.DefaultMaxPolicySize, max: maxTrustPolicyQuota, unit: "characters", summary: "Trust Policy Quota Out of Range",
		limit: fmt.Sprintf("IAM's quota for a role trust policy is %d characters unless raised, and can be raised to at most %d "+
			"(IAM User Guide, IAM and AWS STS quotas: \"Role trust policy length\")", trustpolicy.DefaultMaxPolicySize, maxTrustPolicyQuota),
		fix: fmt.Sprintf("Set the quota your account has (Service Quotas shows it), or leave trust_policy_size_quota unset for %d.", trustpolicy.DefaultMaxPolicySize),
	}
)

func (v wholeNumberValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a whole number of %s from %d to %d", v.unit, v.min, v.max)
}

func (v wholeNumberValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v wholeNumberValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	n, ok := parseWholeNumber(s)
	switch {
	case !ok:
		resp.Diagnostics.AddAttributeError(req.Path, "Not a Whole Number",
			fmt.Sprintf("%s is %q, which is not a whole number of %s written as plain digits (no sign, leading zero, space, fraction or unit). "+
				"Write it as a number, such as %s = %d.", req.Path, s, v.unit, req.Path, v.min))
	case n < v.min || n > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, v.summary,
			fmt.Sprintf("%s is %s %s; %s. %s", req.Path, s, v.unit, v.limit, v.fix))
	}
}
