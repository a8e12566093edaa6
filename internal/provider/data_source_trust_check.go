package provider

import (
	"context"
	"encoding/json"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/idtoken"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

var (
	_ datasource.DataSource                     = (*trustCheckDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*trustCheckDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*trustCheckDataSource)(nil)
)

func newTrustCheckDataSource() datasource.DataSource { return &trustCheckDataSource{} }

type trustCheckDataSource struct {
	data *providerData
}

type trustCheckModel struct {
	trustCheckCommon
	KeepClaims types.Set `tfsdk:"keep_claims"`
}

// reasonModel is one entry of reasons.
type reasonModel struct {
	Statement types.Int64  `tfsdk:"statement"`
	Effect    types.String `tfsdk:"effect"`
	Action    types.String `tfsdk:"action"`
	Key       types.String `tfsdk:"key"`
	Operator  types.String `tfsdk:"operator"`
	Expected  types.List   `tfsdk:"expected"`
	Actual    types.List   `tfsdk:"actual"`
	Result    types.Bool   `tfsdk:"result"`
	Note      types.String `tfsdk:"note"`
}

var reasonAttrTypes = map[string]attr.Type{
	"statement": types.Int64Type,
	"effect":    types.StringType,
	"action":    types.StringType,
	"key":       types.StringType,
	"operator":  types.StringType,
	"expected":  types.ListType{ElemType: types.StringType},
	"actual":    types.ListType{ElemType: types.StringType},
	"result":    types.BoolType,
	"note":      types.StringType,
}

func (d *trustCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_trust_check"
}

func (d *trustCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: trustCheckDocs.intro + " Give the trust policy (`trust_policy`, for example `awsoidc_role.x.assume_role_policy`, or `role_arn`) " +
			"and either a real token in `token_file` or just its `claims`.\n\n" +
			"With `token_file`, " + trustCheckDocs.verification + "\n\n" +
			"**Tokens and personal data stay out of state.** Every argument and result of a data source is written to the state and the plan, whatever `sensitive` says, " +
			"so this data source takes no token, only the path of a file holding one: the file is read when the data source is read, and only its path is stored. " +
			"Of the token's claims only `" + strings.Join(defaultKeptClaims, "`, `") + "` are kept by default, since they name no person; " +
			"list others (`sub`, `repository`, …) in `keep_claims`. A value of a claim not kept appears nowhere in the results: " +
			"`token_claims` leaves the claim out, and `reasons` and `summary` show `(claim \"<name>\" not kept)` instead of the value. " +
			"`sub` is not kept by default because workforce identity providers (Google, Okta, Entra ID) put a person's account ID in it. " +
			"A token that exists only as a value in Terraform (an ephemeral variable, for example) goes to the ephemeral resource `awsoidc_trust_check`, whose results are never stored.\n\n" +
			trustCheckDocs.evaluation,
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"trust_policy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: trustCheckDocs.trustPolicy,
			},
			"role_arn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: trustCheckDocs.roleARN,
			},
			"token_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: trustCheckDocs.tokenFile + " Exactly one of `token_file` and `claims`.",
			},
			"claims": schema.DynamicAttribute{
				Optional:            true,
				MarkdownDescription: trustCheckDocs.claims + " They are part of the configuration, and so of the state: use made-up claims, not a person's.",
			},
			"keep_claims": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Names of the token's claims to keep in the results besides `" + strings.Join(defaultKeptClaims, "`, `") + "`, " +
					"for example `[\"sub\", \"repository\"]`. Only with `token_file`.",
				Validators: []validator.Set{
					setvalidator.AlsoRequires(path.MatchRoot("token_file")),
					setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"provider_arn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: trustCheckDocs.provider,
			},
			"client_ids": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: trustCheckDocs.clientIDs,
			},
			// Computed attributes
			"allowed": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: trustCheckDocs.allowed,
			},
			"matched_statement": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: trustCheckDocs.matched,
			},
			"summary": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: trustCheckDocs.summary,
			},
			"reasons": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.ObjectType{AttrTypes: reasonAttrTypes},
				MarkdownDescription: trustCheckDocs.reasons,
			},
			"token_problems": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.ObjectType{AttrTypes: findingAttrTypes},
				MarkdownDescription: trustCheckDocs.problems,
			},
			"token_claims": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The claims evaluated, as JSON; with `token_file`, only those kept (see `keep_claims`).",
			},
		},
	}
}

func (d *trustCheckDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("trust_policy"), path.MatchRoot("role_arn")),
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("token_file"), path.MatchRoot("claims")),
	}
}

func (d *trustCheckDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *trustCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m trustCheckModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	keep := setStrings(ctx, m.KeepClaims, &resp.Diagnostics)
	if !m.check(ctx, d.data, trustCheckInput{filter: true, keep: keep}, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// dynamicToGo turns a Terraform value into the plain Go value a JSON decoder would give.
func dynamicToGo(v attr.Value) map[string]any {
	out, _ := toGo(v).(map[string]any)
	return out
}

func toGo(v attr.Value) any {
	if v == nil || v.IsNull() || v.IsUnknown() {
		return nil
	}
	switch t := v.(type) {
	case basetypes.StringValue:
		return t.ValueString()
	case basetypes.BoolValue:
		return t.ValueBool()
	case basetypes.NumberValue:
		// As json.Number, so no digit is lost on the way to the evaluator.
		n := t.ValueBigFloat()
		if i, acc := n.Int(nil); acc == big.Exact {
			return json.Number(i.String())
		}
		return json.Number(n.Text('f', -1))
	case basetypes.ObjectValue:
		return mapToGo(t.Attributes())
	case basetypes.MapValue:
		return mapToGo(t.Elements())
	case basetypes.ListValue:
		return listToGo(t.Elements())
	case basetypes.TupleValue:
		return listToGo(t.Elements())
	case basetypes.SetValue:
		return listToGo(t.Elements())
	case basetypes.DynamicValue:
		return toGo(t.UnderlyingValue())
	}
	return nil
}

func mapToGo(in map[string]attr.Value) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = toGo(v)
	}
	return out
}

func listToGo(in []attr.Value) []any {
	out := make([]any, 0, len(in))
	for _, v := range in {
		out = append(out, toGo(v))
	}
	return out
}

func reasonsValue(ctx context.Context, in []trustpolicy.Reason, diags *diag.Diagnostics) types.List {
	out := make([]reasonModel, len(in))
	for i, r := range in {
		out[i] = reasonModel{
			Statement: types.Int64Value(int64(r.Statement)),
			Effect:    types.StringValue(r.Effect),
			Action:    types.StringValue(r.Action),
			Key:       types.StringValue(r.Key),
			Operator:  types.StringValue(r.Operator),
			Expected:  stringList(r.Expected),
			Actual:    stringList(r.Actual),
			Result:    types.BoolValue(r.Result),
			Note:      types.StringValue(r.Note),
		}
	}
	return objectList(ctx, reasonAttrTypes, out, diags)
}

func problemsValue(ctx context.Context, in []idtoken.Problem, diags *diag.Diagnostics) types.List {
	out := make([]findingModel, len(in))
	for i, p := range in {
		out[i] = findingModel{Code: types.StringValue(string(p.Code)), Message: types.StringValue(p.Message)}
	}
	return objectList(ctx, findingAttrTypes, out, diags)
}
