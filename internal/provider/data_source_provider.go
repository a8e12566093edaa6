package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

var (
	_ datasource.DataSource                     = (*providerDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*providerDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*providerDataSource)(nil)
)

func newProviderDataSource() datasource.DataSource { return &providerDataSource{} }

type providerDataSource struct {
	data *providerData
}

type providerDataSourceModel struct {
	URL         types.String `tfsdk:"url"`
	ARN         types.String `tfsdk:"arn"`
	ClientIDs   types.Set    `tfsdk:"client_ids"`
	Thumbprints types.Set    `tfsdk:"thumbprints"`
	Tags        types.Map    `tfsdk:"tags"`
}

func (d *providerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_provider"
}

func (d *providerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an existing IAM OpenID Connect identity provider by `url` or by `arn`.",
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"url": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Issuer URL, with or without `https://`. An exact match wins; otherwise a single provider that differs only by a trailing slash is returned, and two such providers are an error. Exactly one of `url` and `arn`.",
				Validators:          []validator.String{lookupURLValidator{}},
			},
			"arn": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ARN of the provider. Exactly one of `url` and `arn`.",
				Validators:          []validator.String{providerARNValidator{}},
			},
			// Computed attributes
			"client_ids": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Client IDs (audiences) of the provider.",
			},
			"thumbprints": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Thumbprints, lower case.",
			},
			"tags": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the provider.",
			},
		},
	}
}

func (d *providerDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("url"), path.MatchRoot("arn")),
	}
}

func (d *providerDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *providerDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m providerDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	api := d.data.aws.IAM

	arn := m.ARN.ValueString()
	if arn == "" {
		var err error
		arn, err = findProviderByURL(ctx, api, m.URL.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("url"), "OIDC Provider Not Found", err.Error())
			return
		}
	}
	p, err := getOIDCProvider(ctx, api, arn)
	if err != nil {
		if awsclient.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("arn"), "OIDC Provider Not Found",
				fmt.Sprintf("IAM has no OIDC provider %s in this account.", arn))
			return
		}
		resp.Diagnostics.AddError("Cannot Read OIDC Provider", describeAWSError(err))
		return
	}
	m.ARN = types.StringValue(arn)
	m.URL = types.StringValue(oidcurl.FromKey(p.url))
	m.ClientIDs = stringSet(p.clientIDs)
	m.Thumbprints = stringSet(p.thumbprints)
	m.Tags = tagsValue(p.tags, false)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// findProviderByURL returns the ARN of the provider registered for url. An exact match
// wins; otherwise a unique match differing only by a trailing slash (Auth0 issuers end in
// one, other spellings often do not) is accepted, and two of them are ambiguous.
func findProviderByURL(ctx context.Context, api awsclient.IAMAPI, url string) (string, error) {
	out, err := api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return "", fmt.Errorf("listing OIDC providers: %s", describeAWSError(err))
	}
	want := oidcurl.KeyOf(url)
	var near, all []string
	for _, e := range out.OpenIDConnectProviderList {
		arn := aws.ToString(e.Arn)
		parsed, err := oidcurl.ParseProviderARN(arn)
		if err != nil {
			continue
		}
		all = append(all, oidcurl.FromKey(parsed.Key))
		switch {
		case parsed.Key == want:
			return arn, nil
		case strings.TrimRight(parsed.Key, "/") == strings.TrimRight(want, "/"):
			near = append(near, arn)
		}
	}
	switch len(near) {
	case 1:
		return near[0], nil
	case 0:
		slices.Sort(all)
		if len(all) == 0 {
			return "", fmt.Errorf("no OIDC provider in this account has URL %q; the account has no OIDC providers", url)
		}
		return "", fmt.Errorf("no OIDC provider in this account has URL %q; it has: %s", url, strings.Join(all, ", "))
	default:
		slices.Sort(near)
		return "", fmt.Errorf("URL %q matches two OIDC providers that differ only by a trailing slash: %s. Give the exact URL or the arn", url, strings.Join(near, " and "))
	}
}

// lookupURLValidator accepts a provider URL with or without https://.
type lookupURLValidator struct{}

func (lookupURLValidator) Description(context.Context) string {
	return "must be an IAM OIDC provider URL, with or without https://"
}

func (v lookupURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (lookupURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if !strings.Contains(raw, "://") {
		raw = oidcurl.FromKey(raw)
	}
	if _, err := oidcurl.Parse(raw); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid OIDC Provider URL", err.Error())
	}
}

// providerARNValidator accepts IAM OIDC provider ARNs.
type providerARNValidator struct{}

func (providerARNValidator) Description(context.Context) string {
	return "must be an IAM OIDC provider ARN, arn:<partition>:iam::<account>:oidc-provider/<host><path>"
}

func (v providerARNValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (providerARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := oidcurl.ParseProviderARN(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid OIDC Provider ARN", err.Error())
	}
}
