// Package provider is the Terraform glue: schemas, and translation between Terraform values
// and the domain packages, which hold the rules.
package provider

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

var (
	_ provider.Provider                       = (*awsoidcProvider)(nil)
	_ provider.ProviderWithFunctions          = (*awsoidcProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*awsoidcProvider)(nil)
)

// New returns a constructor for the provider, as providerserver.Serve and tests expect.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &awsoidcProvider{version: version} }
}

type awsoidcProvider struct {
	version string
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	aws         *awsclient.Client
	idp         *idpfetch.Client // one per Terraform run: fetches and handshakes are shared
	defaultTags map[string]string
}

// defaultMaxRetries is max_retries when the provider block does not set it, the AWS
// provider's default.
const defaultMaxRetries = 25

var maxRetriesDescription = "How many times an AWS call is retried on throttling and transient errors, after its first attempt: " +
	"a call is made at most `max_retries` + 1 times, and `0` turns retries off. Defaults to " + strconv.Itoa(defaultMaxRetries) + ". " +
	"Creating a role and changing its trust policy are the exception: they also wait for a new OIDC provider to reach IAM, " +
	"and are tried up to " + strconv.Itoa(awsclient.PropagationAttempts) + " times whatever this says."

type providerModel struct {
	Region                    types.String                     `tfsdk:"region"`
	Profile                   types.String                     `tfsdk:"profile"`
	AccessKey                 types.String                     `tfsdk:"access_key"`
	SecretKey                 types.String                     `tfsdk:"secret_key"`
	Token                     types.String                     `tfsdk:"token"`
	SharedConfigFiles         types.List                       `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List                       `tfsdk:"shared_credentials_files"`
	MaxRetries                types.Int64                      `tfsdk:"max_retries"`
	CustomCABundle            types.String                     `tfsdk:"custom_ca_bundle"`
	HTTPProxy                 types.String                     `tfsdk:"http_proxy"`
	HTTPSProxy                types.String                     `tfsdk:"https_proxy"`
	NoProxy                   types.String                     `tfsdk:"no_proxy"`
	SkipCredentialsValidation types.Bool                       `tfsdk:"skip_credentials_validation"`
	SkipRequestingAccountID   types.Bool                       `tfsdk:"skip_requesting_account_id"`
	AssumeRole                []assumeRoleModel                `tfsdk:"assume_role"`
	AssumeRoleWithWebIdentity []assumeRoleWithWebIdentityModel `tfsdk:"assume_role_with_web_identity"`
	Endpoints                 []endpointsModel                 `tfsdk:"endpoints"`
	DefaultTags               []defaultTagsModel               `tfsdk:"default_tags"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
	Policy      types.String `tfsdk:"policy"`
}

type assumeRoleWithWebIdentityModel struct {
	RoleARN              types.String `tfsdk:"role_arn"`
	SessionName          types.String `tfsdk:"session_name"`
	WebIdentityToken     types.String `tfsdk:"web_identity_token"`
	WebIdentityTokenFile types.String `tfsdk:"web_identity_token_file"`
	Duration             types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	IAM types.String `tfsdk:"iam"`
	STS types.String `tfsdk:"sts"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

func (p *awsoidcProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "awsoidc"
	resp.Version = p.version
}

func (p *awsoidcProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	atMostOne := []validator.List{listvalidator.SizeAtMost(1)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Sets up AWS IAM federation with OpenID Connect identity providers. " +
			"The provider block accepts the same settings and environment variables as the AWS provider " +
			"(`AWS_PROFILE`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL_IAM`, `AWS_ROLE_ARN` with " +
			"`AWS_WEB_IDENTITY_TOKEN_FILE`, shared config and credentials files, HCP Terraform dynamic credentials).",
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region for STS. IAM is global. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION`, the shared config file, then `" + awsclient.DefaultRegion + "`.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile from the shared config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AWS access key ID. Defaults to `AWS_ACCESS_KEY_ID`. Prefer a profile, web identity or dynamic credentials.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AWS secret access key. Defaults to `AWS_SECRET_ACCESS_KEY`.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Session token for temporary credentials. Defaults to `AWS_SESSION_TOKEN`.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Shared config files. Defaults to `AWS_CONFIG_FILE` or `~/.aws/config`. HCP Terraform dynamic credentials set this to `[var.tfc_aws_dynamic_credentials.default.shared_config_file]`.",
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Shared credentials files. Defaults to `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: maxRetriesDescription,
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"custom_ca_bundle": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM file of extra CA certificates to trust, for AWS endpoints and for identity providers, added to the system's. Defaults to `AWS_CA_BUNDLE`.",
			},
			"http_proxy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Proxy for plain HTTP requests. Defaults to `HTTP_PROXY`. Also used for HTTPS when no HTTPS proxy is set anywhere.",
			},
			"https_proxy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Proxy for HTTPS requests, to AWS and to identity providers (through HTTP CONNECT). Defaults to `HTTPS_PROXY`.",
			},
			"no_proxy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Comma-separated hosts that bypass the proxy. Defaults to `NO_PROXY`.",
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip the STS `GetCallerIdentity` call that checks credentials at start.",
			},
			"skip_requesting_account_id": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Do not look up the account ID. With `skip_credentials_validation` too, the account is not known: provider ARNs then cannot be derived without an explicit account, and the ARN of an `awsoidc_provider` created in the same apply is known only after apply, so the trust policy of a role trusting it is rendered, and the rules that need its issuer are checked, during apply (before the role is created) rather than by `terraform plan`.",
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.ListNestedBlock{
				MarkdownDescription: "Assume this role with the credentials found, before any other call.",
				Validators:          atMostOne,
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"role_arn":     schema.StringAttribute{Optional: true, MarkdownDescription: "ARN of the role to assume."},
					"session_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Session name."},
					"external_id":  schema.StringAttribute{Optional: true, MarkdownDescription: "External ID the role's trust policy requires."},
					"duration":     schema.StringAttribute{Optional: true, MarkdownDescription: "Session duration, a Go duration such as `1h`.", Validators: []validator.String{durationValidator{}}},
					"policy":       schema.StringAttribute{Optional: true, MarkdownDescription: "Session policy JSON further limiting the session."},
				}},
			},
			"assume_role_with_web_identity": schema.ListNestedBlock{
				MarkdownDescription: "Assume this role with an OIDC token. Defaults to `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME` and `AWS_WEB_IDENTITY_TOKEN_FILE`.",
				Validators:          atMostOne,
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"role_arn":                schema.StringAttribute{Optional: true, MarkdownDescription: "ARN of the role to assume."},
					"session_name":            schema.StringAttribute{Optional: true, MarkdownDescription: "Session name."},
					"web_identity_token":      schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "The OIDC ID token itself."},
					"web_identity_token_file": schema.StringAttribute{Optional: true, MarkdownDescription: "File holding the OIDC ID token."},
					"duration":                schema.StringAttribute{Optional: true, MarkdownDescription: "Session duration, a Go duration such as `1h`.", Validators: []validator.String{durationValidator{}}},
				}},
			},
			"endpoints": schema.ListNestedBlock{
				MarkdownDescription: "Custom service endpoints. Default to `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL`.",
				Validators:          atMostOne,
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"iam": schema.StringAttribute{Optional: true, MarkdownDescription: "IAM endpoint URL."},
					"sts": schema.StringAttribute{Optional: true, MarkdownDescription: "STS endpoint URL."},
				}},
			},
			"default_tags": schema.ListNestedBlock{
				MarkdownDescription: "Tags applied to every taggable resource of this provider; a resource's own `tags` win on the same key.",
				Validators:          atMostOne,
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: "The tags."},
				}},
			},
		},
	}
}

func (p *awsoidcProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := m.awsConfig(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Version = p.version

	client, ds := awsclient.New(ctx, cfg)
	for _, d := range ds {
		if d.Error {
			resp.Diagnostics.AddError(d.Summary, d.Detail)
		} else {
			resp.Diagnostics.AddWarning(d.Summary, d.Detail)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	idp, err := newIdPClient(ctx, cfg, p.version)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("custom_ca_bundle"), "Cannot Configure IdP Client", err.Error())
		return
	}

	data := &providerData{aws: client, idp: idp, defaultTags: map[string]string{}}
	if len(m.DefaultTags) == 1 && !m.DefaultTags[0].Tags.IsNull() {
		resp.Diagnostics.Append(m.DefaultTags[0].Tags.ElementsAs(ctx, &data.defaultTags, false)...)
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

// awsConfig translates the provider block. Unknown values cannot configure a client, so they
// are errors that say which attribute is unknown.
func (m providerModel) awsConfig(ctx context.Context) (awsclient.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	str := func(v types.String, p path.Path) string {
		if v.IsUnknown() {
			diags.AddAttributeError(p, "Unknown Provider Setting",
				"This value is not known until apply, but the provider needs it to start. Use a value known at plan time, or apply what it depends on first.")
		}
		return v.ValueString()
	}
	list := func(v types.List, p path.Path) []string {
		if v.IsUnknown() {
			diags.AddAttributeError(p, "Unknown Provider Setting", "This list is not known until apply, but the provider needs it to start.")
			return nil
		}
		var out []string
		diags.Append(v.ElementsAs(ctx, &out, false)...)
		return out
	}
	dur := func(v types.String, p path.Path) time.Duration {
		s := str(v, p)
		if s == "" {
			return 0
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			diags.AddAttributeError(p, "Invalid Duration", fmt.Sprintf("%q is not a duration such as 1h or 15m: %s", s, err))
		}
		return d
	}
	c := awsclient.Config{
		Region:                    str(m.Region, path.Root("region")),
		Profile:                   str(m.Profile, path.Root("profile")),
		AccessKey:                 str(m.AccessKey, path.Root("access_key")),
		SecretKey:                 str(m.SecretKey, path.Root("secret_key")),
		Token:                     str(m.Token, path.Root("token")),
		SharedConfigFiles:         list(m.SharedConfigFiles, path.Root("shared_config_files")),
		SharedCredentialsFiles:    list(m.SharedCredentialsFiles, path.Root("shared_credentials_files")),
		MaxRetries:                int(m.MaxRetries.ValueInt64()),
		CustomCABundle:            str(m.CustomCABundle, path.Root("custom_ca_bundle")),
		NoProxy:                   str(m.NoProxy, path.Root("no_proxy")),
		SkipCredentialsValidation: m.SkipCredentialsValidation.ValueBool(),
		SkipRequestingAccountID:   m.SkipRequestingAccountID.ValueBool(),
	}
	switch {
	case m.MaxRetries.IsUnknown():
		diags.AddAttributeError(path.Root("max_retries"), "Unknown Provider Setting",
			"This value is not known until apply, but the provider needs it to start. Use a value known at plan time, or apply what it depends on first.")
	case m.MaxRetries.IsNull():
		c.MaxRetries = defaultMaxRetries
	}
	if !m.HTTPProxy.IsNull() {
		v := str(m.HTTPProxy, path.Root("http_proxy"))
		c.HTTPProxy = &v
	}
	if !m.HTTPSProxy.IsNull() {
		v := str(m.HTTPSProxy, path.Root("https_proxy"))
		c.HTTPSProxy = &v
	}
	if len(m.AssumeRole) == 1 {
		a, p := m.AssumeRole[0], path.Root("assume_role").AtListIndex(0)
		c.AssumeRole = &awsclient.AssumeRole{
			RoleARN:     str(a.RoleARN, p.AtName("role_arn")),
			SessionName: str(a.SessionName, p.AtName("session_name")),
			ExternalID:  str(a.ExternalID, p.AtName("external_id")),
			Duration:    dur(a.Duration, p.AtName("duration")),
			Policy:      str(a.Policy, p.AtName("policy")),
		}
	}
	if len(m.AssumeRoleWithWebIdentity) == 1 {
		a, p := m.AssumeRoleWithWebIdentity[0], path.Root("assume_role_with_web_identity").AtListIndex(0)
		c.AssumeRoleWithWebIdentity = &awsclient.AssumeRoleWithWebIdentity{
			RoleARN:              str(a.RoleARN, p.AtName("role_arn")),
			SessionName:          str(a.SessionName, p.AtName("session_name")),
			WebIdentityToken:     str(a.WebIdentityToken, p.AtName("web_identity_token")),
			WebIdentityTokenFile: str(a.WebIdentityTokenFile, p.AtName("web_identity_token_file")),
			Duration:             dur(a.Duration, p.AtName("duration")),
		}
	}
	if len(m.Endpoints) == 1 {
		e, p := m.Endpoints[0], path.Root("endpoints").AtListIndex(0)
		c.IAMEndpoint = str(e.IAM, p.AtName("iam"))
		c.STSEndpoint = str(e.STS, p.AtName("sts"))
	}
	return c, diags
}

func (p *awsoidcProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newProviderResource,
		newRoleResource,
	}
}

func (p *awsoidcProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newProviderDataSource,
		newDiscoveryDataSource,
		newThumbprintDataSource,
		newTrustCheckDataSource,
	}
}

func (p *awsoidcProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newConditionKeyFunction,
		newProviderARNFunction,
		newThumbprintFunction,
	}
}

func (p *awsoidcProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		newCredentialsEphemeral,
		newTrustCheckEphemeral,
	}
}
