package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
)

// STS limits for AssumeRoleWithWebIdentity.
const (
	minCredentialsDuration = 15 * time.Minute
	maxCredentialsDuration = 12 * time.Hour
	maxSessionPolicyLen    = 2048
	maxSessionPolicyARNs   = 10
	minTokenLen            = 4
	maxTokenLen            = 20000
	defaultSessionName     = "terraform-awsoidc"
)

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

var (
	_ ephemeral.EphemeralResource                     = (*credentialsEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure        = (*credentialsEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*credentialsEphemeral)(nil)
)

func newCredentialsEphemeral() ephemeral.EphemeralResource { return &credentialsEphemeral{} }

type credentialsEphemeral struct {
	data *providerData
}

type credentialsModel struct {
	RoleARN              types.String `tfsdk:"role_arn"`
	WebIdentityToken     types.String `tfsdk:"web_identity_token"`
	WebIdentityTokenFile types.String `tfsdk:"web_identity_token_file"`
	SessionName          types.String `tfsdk:"session_name"`
	Duration             types.String `tfsdk:"duration"`
	Policy               types.String `tfsdk:"policy"`
	PolicyARNs           types.Set    `tfsdk:"policy_arns"`
	AccessKeyID          types.String `tfsdk:"access_key_id"`
	SecretAccessKey      types.String `tfsdk:"secret_access_key"`
	SessionToken         types.String `tfsdk:"session_token"`
	Expiration           types.String `tfsdk:"expiration"`
	AssumedRoleARN       types.String `tfsdk:"assumed_role_arn"`
	AssumedRoleID        types.String `tfsdk:"assumed_role_id"`
	Subject              types.String `tfsdk:"subject"`
	Audience             types.String `tfsdk:"audience"`
	Issuer               types.String `tfsdk:"issuer"`
}

func (e *credentialsEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_credentials"
}

func (e *credentialsEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Trades an OpenID Connect ID token for temporary AWS credentials with STS `AssumeRoleWithWebIdentity`. " +
			"Ephemeral: the credentials are never written to the plan or the state (Terraform 1.10 or later). " +
			"The call is not signed, so it needs no AWS credentials of its own.",
		Attributes: map[string]schema.Attribute{
			// Required attributes
			"role_arn": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "ARN of the role to assume, for example `awsoidc_role.x.arn`.",
				Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+`), "must be an IAM role ARN, arn:<partition>:iam::<account>:role/<name>")},
			},
			// Optional attributes
			"web_identity_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The ID token itself (4 to 20000 characters). Exactly one of `web_identity_token` and `web_identity_token_file`.",
				Validators:          []validator.String{stringvalidator.LengthBetween(minTokenLen, maxTokenLen)},
			},
			"web_identity_token_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "File holding the ID token, as CI systems write it (for example `AWS_WEB_IDENTITY_TOKEN_FILE`).",
			},
			"session_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Role session name, 2 to 64 of letters, digits and `_+=,.@-`; it appears in CloudTrail. Defaults to `" + defaultSessionName + "`.",
				Validators:          []validator.String{stringvalidator.RegexMatches(sessionNamePattern, "must be 2 to 64 of letters, digits and _+=,.@-")},
			},
			"duration": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How long the credentials last, from `15m` to `12h`, at most the role's `max_session_duration`. Defaults to one hour.",
				Validators:          []validator.String{durationBetween{min: minCredentialsDuration, max: maxCredentialsDuration}},
			},
			"policy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Session policy JSON (at most 2048 characters) further limiting what the credentials may do.",
				Validators:          []validator.String{stringvalidator.LengthAtMost(maxSessionPolicyLen)},
			},
			"policy_arns": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Managed policy ARNs (at most 10) further limiting what the credentials may do.",
				Validators:          []validator.Set{setvalidator.SizeAtMost(maxSessionPolicyARNs)},
			},
			// Computed attributes
			"access_key_id":     schema.StringAttribute{Computed: true, MarkdownDescription: "Temporary access key ID."},
			"secret_access_key": schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "Temporary secret access key."},
			"session_token":     schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "Session token."},
			"expiration":        schema.StringAttribute{Computed: true, MarkdownDescription: "When the credentials expire, RFC 3339."},
			"assumed_role_arn":  schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the assumed-role session, `arn:aws:sts::<account>:assumed-role/<role>/<session>`."},
			"assumed_role_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "ID of the assumed-role session."},
			"subject":           schema.StringAttribute{Computed: true, MarkdownDescription: "The token's `sub`, as STS read it."},
			"audience":          schema.StringAttribute{Computed: true, MarkdownDescription: "The token's audience, as STS read it."},
			"issuer":            schema.StringAttribute{Computed: true, MarkdownDescription: "The token's issuer (STS calls it the provider), as STS read it. When STS omits subject, audience or provider, they are read from the token itself."},
		},
	}
}

func (e *credentialsEphemeral) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("web_identity_token"), path.MatchRoot("web_identity_token_file")),
	}
}

func (e *credentialsEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *credentialsEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m credentialsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	token := m.WebIdentityToken.ValueString()
	if file := m.WebIdentityTokenFile.ValueString(); file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("web_identity_token_file"), "Cannot Read Token File",
				fmt.Sprintf("Reading the web identity token from %s: %s", file, err))
			return
		}
		token = strings.TrimSpace(string(b))
		if len(token) < minTokenLen || len(token) > maxTokenLen {
			resp.Diagnostics.AddAttributeError(path.Root("web_identity_token_file"), "Invalid Token File",
				fmt.Sprintf("%s holds %d characters; an ID token has %d to %d.", file, len(token), minTokenLen, maxTokenLen))
			return
		}
	}
	r := awsclient.WebIdentityRequest{
		RoleARN:     m.RoleARN.ValueString(),
		Token:       token,
		SessionName: defaultSessionName,
		Policy:      m.Policy.ValueString(),
		PolicyARNs:  setStrings(ctx, m.PolicyARNs, &resp.Diagnostics),
	}
	if v := m.SessionName.ValueString(); v != "" {
		r.SessionName = v
	}
	if v := m.Duration.ValueString(); v != "" {
		r.Duration, _ = time.ParseDuration(v) // validated at plan time
	}
	creds, err := e.data.aws.AssumeRoleWithWebIdentity(ctx, r)
	if err != nil {
		summary, detail := awsclient.ExplainWebIdentityError(err)
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Assuming %s: %s", r.RoleARN, detail))
		return
	}
	fillFromToken(creds, token)

	m.AccessKeyID = types.StringValue(creds.AccessKeyID)
	m.SecretAccessKey = types.StringValue(creds.SecretAccessKey)
	m.SessionToken = types.StringValue(creds.SessionToken)
	m.Expiration = types.StringValue(creds.Expiration.UTC().Format(time.RFC3339))
	m.AssumedRoleARN = types.StringValue(creds.AssumedRoleARN)
	m.AssumedRoleID = types.StringValue(creds.AssumedRoleID)
	m.Subject = types.StringValue(creds.Subject)
	m.Audience = types.StringValue(creds.Audience)
	m.Issuer = types.StringValue(creds.Provider)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// fillFromToken completes what STS did not echo back from the token's own claims. STS has
// already accepted the token, so reading them unverified shows nothing STS did not see.
func fillFromToken(c *awsclient.WebIdentityCredentials, token string) {
	if c.Subject != "" && c.Audience != "" && c.Provider != "" {
		return
	}
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{
		jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512,
	})
	if err != nil {
		return
	}
	var claims jwt.Claims
	if err := parsed.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return
	}
	if c.Subject == "" {
		c.Subject = claims.Subject
	}
	if c.Audience == "" && len(claims.Audience) > 0 {
		c.Audience = strings.Join(claims.Audience, ",")
	}
	if c.Provider == "" {
		c.Provider = claims.Issuer
	}
}

// durationBetween accepts Go durations within [min, max].
type durationBetween struct{ min, max time.Duration }

var _ validator.String = durationBetween{}

func (v durationBetween) Description(context.Context) string {
	return fmt.Sprintf("must be a duration from %s to %s, such as 1h", v.min, v.max)
}

func (v durationBetween) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationBetween) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil || d < v.min || d > v.max || d%time.Second != 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q: the duration must be whole seconds from %s to %s, such as 1h or 90m.", s, v.min, v.max))
	}
}
