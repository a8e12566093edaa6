package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/discovery"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

var (
	_ datasource.DataSource              = (*discoveryDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*discoveryDataSource)(nil)
)

func newDiscoveryDataSource() datasource.DataSource { return &discoveryDataSource{} }

type discoveryDataSource struct {
	data *providerData
}

type discoveryDataSourceModel struct {
	Issuer   types.String `tfsdk:"issuer"`
	CABundle types.String `tfsdk:"ca_bundle"`
	Strict   types.Bool   `tfsdk:"strict"`

	JWKSURI                          types.String `tfsdk:"jwks_uri"`
	JWKSHost                         types.String `tfsdk:"jwks_host"`
	AuthorizationEndpoint            types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint                    types.String `tfsdk:"token_endpoint"`
	ClaimsSupported                  types.List   `tfsdk:"claims_supported"`
	ResponseTypesSupported           types.List   `tfsdk:"response_types_supported"`
	SubjectTypesSupported            types.List   `tfsdk:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported types.List   `tfsdk:"id_token_signing_alg_values_supported"`
	Document                         types.String `tfsdk:"document"`
	Keys                             types.List   `tfsdk:"keys"`
	AWSCompatible                    types.Bool   `tfsdk:"aws_compatible"`
	Problems                         types.List   `tfsdk:"problems"`
	Warnings                         types.List   `tfsdk:"warnings"`
}

// jwkSummaryModel is one entry of keys.
type jwkSummaryModel struct {
	KeyID     types.String `tfsdk:"kid"`
	KeyType   types.String `tfsdk:"kty"`
	Algorithm types.String `tfsdk:"alg"`
	Use       types.String `tfsdk:"use"`
}

var jwkSummaryAttrTypes = map[string]attr.Type{
	"kid": types.StringType,
	"kty": types.StringType,
	"alg": types.StringType,
	"use": types.StringType,
}

// findingModel is one entry of problems or warnings.
type findingModel struct {
	Code    types.String `tfsdk:"code"`
	Message types.String `tfsdk:"message"`
}

var findingAttrTypes = map[string]attr.Type{
	"code":    types.StringType,
	"message": types.StringType,
}

func (d *discoveryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_discovery"
}

func (d *discoveryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	strList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	findings := func(desc string) schema.ListNestedAttribute {
		return schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: desc,
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"code": schema.StringAttribute{
					Computed:            true,
					MarkdownDescription: "Stable identifier of the finding, for conditions and checks; see the lists above.",
				},
				"message": schema.StringAttribute{
					Computed:            true,
					MarkdownDescription: "What was found and what it means for AWS.",
				},
			}},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an OpenID Connect identity provider's discovery document and key set (JWKS) " +
			"the way AWS does, and says whether AWS can trust the IdP.\n\n" +
			"The document is read from `<issuer without trailing slash>/.well-known/openid-configuration`, then the " +
			"JWKS from its `jwks_uri`, over https with certificate verification, through the provider's proxy settings, " +
			"without following redirects, within " + idpfetch.DefaultTimeout.String() + " per URL and " +
			fmt.Sprintf("%d KiB", idpfetch.DefaultMaxBodyBytes>>10) + " per body. Every data source in a run that reads " +
			"the same URL shares one fetch.\n\n" +
			"The verdict comes in two tiers, because IdPs that work with AWS do not all follow AWS's documented checklist:\n\n" +
			"* `problems` (and `aws_compatible = false`) are what make AWS refuse the IdP or fail every token: " +
			"`issuer_mismatch` (the document's `issuer` differs from `issuer` as given, compared exactly, trailing slash included), " +
			"`issuer_missing`, `issuer_not_registrable` (not https, a port, a query...), `issuer_template` (a multi-tenant " +
			"`{tenantid}` issuer), `jwks_uri_missing`, `jwks_uri_invalid`, `jwks_unreachable`, `jwks_invalid`, `jwks_empty`, " +
			"`jwks_no_usable_key`. Each is a warning, or an error with `strict = true`.\n" +
			"* `warnings` are departures from the checklist that AWS tolerates in practice: `id_token_response_type_missing`, " +
			"`public_subject_type_missing`, `claims_supported_missing`, `claims_supported_incomplete`, `rs256_not_listed`, " +
			"`member_malformed`, `jwks_key_unusable`, `jwks_private_key`. They are only returned, never shown as diagnostics.\n\n" +
			"A discovery document that cannot be fetched or is not a JSON object is an error that says what was fetched " +
			"and what came back.",
		Attributes: map[string]schema.Attribute{
			// Required attributes
			"issuer": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Issuer URL, exactly as the IdP's tokens carry it in `iss`, for example " +
					"`https://token.actions.githubusercontent.com` or, for Auth0, `https://example.eu.auth0.com/` with its trailing slash.",
				Validators: []validator.String{httpsURLValidator{issuer: true}},
			},

			// Optional attributes
			"ca_bundle": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: caBundleDescription,
				Validators:          []validator.String{caBundleValidator{}},
			},
			"strict": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: strictDescription,
			},

			// Computed attributes
			"jwks_uri": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The document's `jwks_uri`: where AWS reads the signing keys. Null when absent.",
			},
			"jwks_host": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Host of `jwks_uri`, lower case: the host whose certificate chain gives the thumbprint " +
					"(see `awsoidc_thumbprint`). Null when `jwks_uri` has none.",
			},
			"authorization_endpoint": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The document's `authorization_endpoint`; null when absent.",
			},
			"token_endpoint": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The document's `token_endpoint`; null when absent.",
			},
			"claims_supported":         strList("The document's `claims_supported`; null when not published."),
			"response_types_supported": strList("The document's `response_types_supported`; null when not published."),
			"subject_types_supported":  strList("The document's `subject_types_supported`; null when not published."),
			"id_token_signing_alg_values_supported": strList(
				"The document's `id_token_signing_alg_values_supported`; null when not published."),
			"document": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The discovery document exactly as served; read other members with `jsondecode`.",
			},
			"keys": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The keys of the JWKS, in order, as they describe themselves. Empty when the JWKS " +
					"could not be read (see `problems`).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"kid": schema.StringAttribute{Computed: true, MarkdownDescription: "Key ID; null when absent."},
					"kty": schema.StringAttribute{Computed: true, MarkdownDescription: "Key type, such as `RSA` or `EC`; null when absent."},
					"alg": schema.StringAttribute{Computed: true, MarkdownDescription: "Algorithm, such as `RS256`; null when absent."},
					"use": schema.StringAttribute{Computed: true, MarkdownDescription: "Intended use, such as `sig`; null when absent."},
				}},
			},
			"aws_compatible": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether AWS can trust the IdP and verify its tokens: `true` exactly when `problems` is empty.",
			},
			"problems": findings("What makes AWS refuse the IdP or fail every token, with `code` and `message`. " +
				"Each is also a warning, or an error with `strict = true`."),
			"warnings": findings("Departures from AWS's documented checklist that AWS tolerates, with `code` and `message` " +
				"saying what each may affect."),
		},
	}
}

func (d *discoveryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *discoveryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m discoveryDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := idpClient(d.data, m.CABundle, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	issuer := m.Issuer.ValueString()

	doc, err := readDiscoveryDocument(ctx, client, issuer)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("issuer"), "Cannot Read Discovery Document", err.Error())
		return
	}
	jwks, jwksErr := readJWKS(ctx, client, doc.JWKSURI)
	verdict := discovery.Check(issuer, doc, jwks, jwksErr)

	m.JWKSURI = nullIfEmpty(doc.JWKSURI)
	m.JWKSHost = types.StringNull()
	if host, err := doc.JWKSHost(); err == nil {
		m.JWKSHost = types.StringValue(host)
	}
	m.AuthorizationEndpoint = nullIfEmpty(doc.AuthorizationEndpoint)
	m.TokenEndpoint = nullIfEmpty(doc.TokenEndpoint)
	m.ClaimsSupported = stringListOrNull(doc.ClaimsSupported)
	m.ResponseTypesSupported = stringListOrNull(doc.ResponseTypesSupported)
	m.SubjectTypesSupported = stringListOrNull(doc.SubjectTypesSupported)
	m.IDTokenSigningAlgValuesSupported = stringListOrNull(doc.IDTokenSigningAlgValuesSupported)
	m.Document = types.StringValue(string(doc.Raw))
	m.AWSCompatible = types.BoolValue(verdict.AWSCompatible)

	var keys []jwkSummaryModel
	if jwks != nil {
		for _, k := range jwks.Keys {
			keys = append(keys, jwkSummaryModel{
				KeyID: nullIfEmpty(k.KeyID), KeyType: nullIfEmpty(k.KeyType),
				Algorithm: nullIfEmpty(k.Algorithm), Use: nullIfEmpty(k.Use),
			})
		}
	}
	m.Keys = objectList(ctx, jwkSummaryAttrTypes, keys, &resp.Diagnostics)
	m.Problems = findingList(ctx, verdict.Problems, &resp.Diagnostics)
	m.Warnings = findingList(ctx, verdict.Warnings, &resp.Diagnostics)

	for _, p := range verdict.Problems {
		const summary = "Identity Provider Not Usable by AWS"
		if m.Strict.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("issuer"), summary, fmt.Sprintf("%s\n\nProblem code: %s.", p.Message, p.Code))
		} else {
			resp.Diagnostics.AddAttributeWarning(path.Root("issuer"), summary,
				fmt.Sprintf("%s\n\nProblem code: %s. With strict = true this is an error.", p.Message, p.Code))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readJWKS fetches and parses the key set behind jwks_uri. It reads nothing (nil, nil)
// when jwks_uri is not an https URL with a host, which discovery.Check reports itself.
func readJWKS(ctx context.Context, c *idpfetch.Client, jwksURI string) (*discovery.KeySet, error) {
	if !fetchableURL(jwksURI) {
		return nil, nil
	}
	resp, err := c.Get(ctx, jwksURI)
	if err != nil {
		return nil, describeFetchError(err)
	}
	return discovery.ParseJWKS(resp.Body)
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringListOrNull keeps "not published" (nil) apart from "published empty".
func stringListOrNull(in []string) types.List {
	if in == nil {
		return types.ListNull(types.StringType)
	}
	return stringList(in)
}

// objectList turns model structs into a list of objects; nil gives an empty list.
func objectList[T any](ctx context.Context, attrTypes map[string]attr.Type, in []T, diags *diag.Diagnostics) types.List {
	if in == nil {
		in = []T{}
	}
	v, ds := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: attrTypes}, in)
	diags.Append(ds...)
	return v
}

func findingList(ctx context.Context, fs []discovery.Finding, diags *diag.Diagnostics) types.List {
	out := make([]findingModel, len(fs))
	for i, f := range fs {
		out[i] = findingModel{Code: types.StringValue(string(f.Code)), Message: types.StringValue(f.Message)}
	}
	return objectList(ctx, findingAttrTypes, out, diags)
}
