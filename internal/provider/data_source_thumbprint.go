package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/discovery"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/thumbprint"
)

var (
	_ datasource.DataSource                     = (*thumbprintDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*thumbprintDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*thumbprintDataSource)(nil)
)

// defaultExpiryWarningDays is how close to expiry a served certificate is reported when
// expiry_warning_days is not set.
const defaultExpiryWarningDays = 30

func newThumbprintDataSource() datasource.DataSource { return &thumbprintDataSource{} }

type thumbprintDataSource struct {
	data *providerData
}

type thumbprintDataSourceModel struct {
	URL               types.String `tfsdk:"url"`
	Issuer            types.String `tfsdk:"issuer"`
	CABundle          types.String `tfsdk:"ca_bundle"`
	ExpiryWarningDays types.Int64  `tfsdk:"expiry_warning_days"`
	Strict            types.Bool   `tfsdk:"strict"`
	AllowUnverified   types.Bool   `tfsdk:"allow_unverified_chain"`

	Thumbprint   types.String `tfsdk:"thumbprint"`
	Thumbprints  types.List   `tfsdk:"thumbprints"`
	Hosts        types.List   `tfsdk:"hosts"`
	Certificates types.List   `tfsdk:"certificates"`
	Problems     types.List   `tfsdk:"problems"`
}

// servedCertificateModel is one entry of certificates.
type servedCertificateModel struct {
	Host      types.String `tfsdk:"host"`
	Position  types.Int64  `tfsdk:"position"`
	Subject   types.String `tfsdk:"subject"`
	Issuer    types.String `tfsdk:"issuer"`
	Serial    types.String `tfsdk:"serial"`
	NotBefore types.String `tfsdk:"not_before"`
	NotAfter  types.String `tfsdk:"not_after"`
	SHA1      types.String `tfsdk:"sha1"`
	IsCA      types.Bool   `tfsdk:"is_ca"`
}

var servedCertificateAttrTypes = map[string]attr.Type{
	"host":       types.StringType,
	"position":   types.Int64Type,
	"subject":    types.StringType,
	"issuer":     types.StringType,
	"serial":     types.StringType,
	"not_before": types.StringType,
	"not_after":  types.StringType,
	"sha1":       types.StringType,
	"is_ca":      types.BoolType,
}

// chainProblemModel is one entry of problems.
type chainProblemModel struct {
	Host     types.String `tfsdk:"host"`
	Code     types.String `tfsdk:"code"`
	Message  types.String `tfsdk:"message"`
	Position types.Int64  `tfsdk:"position"`
}

var chainProblemAttrTypes = map[string]attr.Type{
	"host":     types.StringType,
	"code":     types.StringType,
	"message":  types.StringType,
	"position": types.Int64Type,
}

func (d *thumbprintDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_thumbprint"
}

func (d *thumbprintDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Derives the certificate thumbprints AWS computes for an OpenID Connect identity provider, " +
			"and explains what is wrong with the certificate chains its hosts serve.\n\n" +
			"AWS takes the SHA-1 of the **last** certificate the `jwks_uri` host serves in its TLS handshake (normally the " +
			"top intermediate CA, not the leaf), in lower-case hex. This data source reads that chain with a raw TLS " +
			"handshake with SNI, through the provider's proxy settings: no HTTP request is made to the host, so no " +
			"redirect can lead to another host. With `issuer`, it first reads the discovery document to find the " +
			"`jwks_uri` host, and also reads the issuer's host when it differs, since AWS checks both.\n\n" +
			"Today IAM verifies the `jwks_uri` host's certificate against the root CAs it trusts and falls back on the " +
			"registered thumbprints when that fails (a private CA, for example), so thumbprints matter most for such IdPs, " +
			"and a certificate rotation that changes the last certificate served then breaks every token until the " +
			"thumbprints are updated. A `check` block comparing `thumbprint` with the provider's thumbprints catches it.\n\n" +
			"Problem codes: `leaf_not_first`, `host_mismatch`, `leaf_only`, `out_of_order`, `duplicate`, `root_included`, " +
			"`expired`, `not_yet_valid`, `expiring_soon`, `untrusted` (no path to a trusted root: private CA, or an " +
			"intermediate left out), `not_verified` (any other verification failure).\n\n" +
			"**A chain that does not verify is an error.** Its thumbprint would pin whatever certificate that one " +
			"connection presented, which need not be the IdP's (an intercepting proxy, a host answering for another). " +
			"For an IdP whose certificates come from a private CA, give its root CA in `ca_bundle` (or the provider's " +
			"`custom_ca_bundle`) so the chain verifies; to pin a chain that does not verify anyway, after checking it " +
			"by other means, set `allow_unverified_chain = true`, and the chain is returned with its verification " +
			"problems as warnings. Every other problem is a warning, or an error with `strict = true`. A host that " +
			"cannot be reached, or (with `issuer`) a discovery document that cannot be read, is an error.",
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Any https URL on the host to read, for example the `jwks_uri`; only its host (and port) " +
					"is used. Exactly one of `url` and `issuer`.",
				Validators: []validator.String{httpsURLValidator{}},
			},
			"issuer": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Issuer URL: its discovery document is read to find the `jwks_uri` host, and the " +
					"issuer's own host is read too when it differs. Exactly one of `url` and `issuer`.",
				Validators: []validator.String{httpsURLValidator{issuer: true}},
			},
			"ca_bundle": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: caBundleDescription + " It decides whether a chain verifies (see `untrusted`) and, with `issuer`, whether the discovery document can be read.",
				Validators:          []validator.String{caBundleValidator{}},
			},
			"expiry_warning_days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Report a served certificate that expires within this many days "+
					"(`expiring_soon`). Defaults to %d; `0` turns the check off.", defaultExpiryWarningDays),
				Validators: []validator.Int64{int64validator.Between(0, 3650)},
			},
			"strict": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: strictDescription + " Whether the chain verifies is governed by `allow_unverified_chain` instead.",
			},
			"allow_unverified_chain": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Return the thumbprints of a chain that does not verify against the trusted roots " +
					"(`untrusted`, `not_verified`, or an expired, not yet valid or wrong-host certificate), with those " +
					"problems as warnings. By default such a chain is an error. For a private CA, prefer `ca_bundle`.",
			},

			// Computed attributes
			"thumbprint": computedString("Lower-case hex SHA-1 of the last certificate the `jwks_uri` host (with `url`: " +
				"the URL's host) serves: the thumbprint AWS computes."),
			"thumbprints": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Distinct thumbprints of every host AWS checks, `jwks_uri` host first, ready for " +
					"`awsoidc_provider`'s `thumbprints`.",
			},
			"hosts": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The hosts read, lower case, `jwks_uri` host (or the URL's host) first.",
			},
			"certificates": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every certificate each host served, in the order served.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"host": computedString("Host that served the certificate."),
					"position": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Index in the chain as served, from 0 (the server's own certificate).",
					},
					"subject":    computedString("Subject distinguished name, RFC 2253 form."),
					"issuer":     computedString("Issuer distinguished name, RFC 2253 form."),
					"serial":     computedString("Serial number, lower-case hex."),
					"not_before": computedString("Start of validity, RFC 3339 UTC."),
					"not_after":  computedString("End of validity, RFC 3339 UTC."),
					"sha1":       computedString("Lower-case hex SHA-1 of the certificate's DER: its thumbprint."),
					"is_ca": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether the certificate is a CA certificate.",
					},
				}},
			},
			"problems": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What is wrong with the served chains; empty when nothing is.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"host":    computedString("Host whose chain has the problem."),
					"code":    computedString("Stable identifier of the problem; see the list above."),
					"message": computedString("What was found and what it means for AWS."),
					"position": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Position of the certificate concerned, as in `certificates`; null when the problem is about the whole chain.",
					},
				}},
			},
		},
	}
}

func (d *thumbprintDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("url"), path.MatchRoot("issuer")),
	}
}

func (d *thumbprintDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *thumbprintDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m thumbprintDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := idpClient(d.data, m.CABundle, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// The hosts AWS checks: the jwks_uri host first, then the issuer's when it differs.
	var hosts []string
	at := path.Root("url")
	if m.URL.IsNull() {
		at = path.Root("issuer")
		issuer := m.Issuer.ValueString()
		doc, err := readDiscoveryDocument(ctx, client, issuer)
		if err != nil {
			resp.Diagnostics.AddAttributeError(at, "Cannot Read Discovery Document", err.Error())
			return
		}
		jwksHost, err := jwksHostOf(doc)
		if err != nil {
			resp.Diagnostics.AddAttributeError(at, "No JWKS Host",
				fmt.Sprintf("The discovery document at %s does not say where its keys are: %s.", discovery.DocumentURL(issuer), err))
			return
		}
		hosts = append(hosts, jwksHost)
		if ih := hostOf(issuer); ih != jwksHost {
			hosts = append(hosts, ih)
		}
	} else {
		hosts = append(hosts, hostOf(m.URL.ValueString()))
	}

	opts := thumbprint.Options{}
	if !m.ExpiryWarningDays.IsNull() {
		days := m.ExpiryWarningDays.ValueInt64()
		opts.ExpiryWarning = time.Duration(days) * 24 * time.Hour
		if days == 0 {
			opts.ExpiryWarning = -1 // off
		}
	}
	now := time.Now()

	var (
		tps        []string
		certs      []servedCertificateModel
		problems   []chainProblemModel
		unverified = map[string]error{} // host → why its chain does not verify
	)
	for _, host := range hosts {
		chain, err := client.ServedChain(ctx, host)
		if err != nil {
			resp.Diagnostics.AddAttributeError(at, "Cannot Read Certificate Chain", describeFetchError(err).Error())
			return
		}
		res, err := thumbprint.Analyze(host, chain.Certificates, now, opts)
		if err != nil {
			resp.Diagnostics.AddAttributeError(at, "Cannot Read Certificate Chain", err.Error())
			return
		}
		if f, ok := thumbprint.VerificationFinding(host, chain.VerifyErr, res.Problems); ok {
			res.Problems = append(res.Problems, f)
		}
		if chain.VerifyErr != nil {
			unverified[host] = chain.VerifyErr
		}
		tps = append(tps, res.Thumbprint)
		for _, c := range res.Certificates {
			certs = append(certs, servedCertificateModel{
				Host: types.StringValue(host), Position: types.Int64Value(int64(c.Position)),
				Subject: types.StringValue(c.Subject), Issuer: types.StringValue(c.Issuer),
				Serial: types.StringValue(c.SerialNumber), NotBefore: types.StringValue(c.NotBefore),
				NotAfter: types.StringValue(c.NotAfter), SHA1: types.StringValue(c.SHA1), IsCA: types.BoolValue(c.IsCA),
			})
		}
		for _, p := range res.Problems {
			pos := types.Int64Null()
			if p.Position >= 0 {
				pos = types.Int64Value(int64(p.Position))
			}
			problems = append(problems, chainProblemModel{
				Host: types.StringValue(host), Code: types.StringValue(string(p.Code)),
				Message: types.StringValue(p.Message), Position: pos,
			})
		}
	}

	m.Thumbprint = types.StringValue(tps[0])
	m.Thumbprints = stringListOrNull(thumbprint.Distinct(tps...))
	m.Hosts = stringListOrNull(hosts)
	m.Certificates = objectList(ctx, servedCertificateAttrTypes, certs, &resp.Diagnostics)
	m.Problems = objectList(ctx, chainProblemAttrTypes, problems, &resp.Diagnostics)

	allowUnverified := m.AllowUnverified.ValueBool()
	for _, host := range hosts {
		if err, ok := unverified[host]; ok && !allowUnverified {
			resp.Diagnostics.AddAttributeError(at, "Unverified Certificate Chain", fmt.Sprintf(
				"%s serves a certificate chain that does not verify against the trusted root CAs: %v.\n\n"+
					"Its thumbprint would pin whatever certificate this one connection presented, which need not be the IdP's. "+
					"If the IdP's certificates come from a private CA, add its root CA to ca_bundle (or to the provider's custom_ca_bundle) so the chain verifies. "+
					"To pin this chain anyway, once you have checked it by other means, set allow_unverified_chain = true.", host, err))
		}
	}
	for _, p := range problems {
		const summary = "Certificate Chain Problem"
		msg := fmt.Sprintf("%s: %s\n\nProblem code: %s.", p.Host.ValueString(), p.Message.ValueString(), p.Code.ValueString())
		_, hostUnverified := unverified[p.Host.ValueString()]
		switch {
		case hostUnverified && verificationCodes[thumbprint.Code(p.Code.ValueString())]:
			// Reported above as an error, or accepted with allow_unverified_chain.
			if allowUnverified {
				resp.Diagnostics.AddAttributeWarning(at, summary, msg+" Accepted with allow_unverified_chain = true.")
			}
		case m.Strict.ValueBool():
			resp.Diagnostics.AddAttributeError(at, summary, msg)
		default:
			resp.Diagnostics.AddAttributeWarning(at, summary, msg+" With strict = true this is an error.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// verificationCodes are the problems that make a chain fail verification.
var verificationCodes = map[thumbprint.Code]bool{
	thumbprint.CodeUntrusted: true, thumbprint.CodeNotVerified: true,
	thumbprint.CodeExpired: true, thumbprint.CodeNotYetValid: true, thumbprint.CodeHostMismatch: true,
}

// hostOf returns the host (and port, when written) of an https URL the schema
// validated, lower case.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
