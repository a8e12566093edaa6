package provider

import (
	"context"
	"encoding/json"
	"fmt"
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
	TrustPolicy      types.String  `tfsdk:"trust_policy"`
	RoleARN          types.String  `tfsdk:"role_arn"`
	TokenFile        types.String  `tfsdk:"token_file"`
	Claims           types.Dynamic `tfsdk:"claims"`
	KeepClaims       types.Set     `tfsdk:"keep_claims"`
	Provider         types.String  `tfsdk:"provider_arn"`
	ClientIDs        types.Set     `tfsdk:"client_ids"`
	Allowed          types.Bool    `tfsdk:"allowed"`
	MatchedStatement types.Int64   `tfsdk:"matched_statement"`
	Summary          types.String  `tfsdk:"summary"`
	Reasons          types.List    `tfsdk:"reasons"`
	TokenProblems    types.List    `tfsdk:"token_problems"`
	TokenClaims      types.String  `tfsdk:"token_claims"`
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
		MarkdownDescription: "Answers \"would this token be allowed to assume this role?\" as STS would, and says why, before anyone runs a pipeline. " +
			"Give the trust policy (`trust_policy`, for example `awsoidc_role.x.assume_role_policy`, or `role_arn`) and either a real token in `token_file` or just its `claims`.\n\n" +
			"With `token_file`, the token is first verified as STS does: signature against the keys the trusted issuer publishes (read through the provider's proxy and CA settings; " +
			"only keys published for signatures, `use` absent or `sig`, and for the token's `alg` count), `kid`, `iss` against the trusted provider " +
			"(Google's `accounts.google.com` with or without `https://`), `aud` against the provider's client IDs, `exp`, `nbf` and `iat` (5 minutes of clock skew). " +
			"Keys are read only from an issuer the trust policy trusts, never from a URL the token names: a token whose `iss` no trusted provider has is refused without any request. " +
			"With `claims`, only the policy is evaluated.\n\n" +
			"**Tokens and personal data stay out of state.** Every argument and result of a data source is written to the state and the plan, whatever `sensitive` says, " +
			"so this data source takes no token, only the path of a file holding one: the file is read when the data source is read, and only its path is stored. " +
			"Of the token's claims only `" + strings.Join(defaultKeptClaims, "`, `") + "` are kept by default, since they name no person; " +
			"list others (`sub`, `repository`, …) in `keep_claims`. A value of a claim not kept appears nowhere in the results: " +
			"`token_claims` leaves the claim out, and `reasons` and `summary` show `(claim \"<name>\" not kept)` instead of the value. " +
			"`sub` is not kept by default because workforce identity providers (Google, Okta, Entra ID) put a person's account ID in it.\n\n" +
			"The evaluation models `StringEquals`, `StringLike`, their `Not`, `IgnoreCase` and `IfExists` forms, `Null`, the `ForAnyValue:` and `ForAllValues:` qualifiers " +
			"(`ForAllValues:` is true when the claim is absent), wildcards, several statements, explicit `Deny`, Google's `aud`/`azp`/`oaud` mapping, Cognito's multi-valued `amr`, " +
			"and session tags (`https://aws.amazon.com/tags` needs `sts:TagSession`). Numbers keep every digit, however long.\n\n" +
			"It does **not** model: permissions boundaries, SCPs and RCPs (they do not apply to the trust decision but do to what the session may do), " +
			"numeric, date, IP and ARN condition operators (treated as not matching in `Allow`), policy variables other than those of the request, " +
			"STS's own limits on session names and durations, the IdP certificate thumbprint check, and anything STS changes after this provider was released. " +
			"When the audience cannot be checked (the IAM provider does not exist yet, or is in another account) a warning says so. " +
			"Use it in `check` blocks and tests, for example: the main branch may deploy, a fork may not.",
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"trust_policy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The role's trust policy JSON. Exactly one of `trust_policy` and `role_arn`.",
			},
			"role_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ARN of a role whose trust policy is read from IAM. It must be in the account of the provider's credentials; " +
					"for a role of another account, use a provider configured for that account.",
			},
			"token_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of a file holding an ID token to verify and evaluate, for example the file `AWS_WEB_IDENTITY_TOKEN_FILE` names. " +
					"Read when the data source is read; only the path is stored. Exactly one of `token_file` and `claims`.",
			},
			"claims": schema.DynamicAttribute{
				Optional: true,
				MarkdownDescription: "A token's claims as the identity provider writes them, an object of strings, numbers, booleans and lists, " +
					"e.g. `{ iss = \"https://token.actions.githubusercontent.com\", aud = \"sts.amazonaws.com\", sub = \"repo:org/app:ref:refs/heads/main\" }`. " +
					"They are part of the configuration, and so of the state: use made-up claims, not a person's.",
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
				Optional: true,
				MarkdownDescription: "The identity provider the call comes through: an IAM OIDC provider ARN or a built-in issuer such as `accounts.google.com`. " +
					"Defaults to the provider the policy trusts for the token's `iss`, or to the only provider the policy trusts.",
			},
			"client_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The IAM OIDC provider's client IDs, to check a token's `aud` against. " +
					"Defaults to those IAM holds for `provider_arn` when it exists in this account; when it does not, a warning says the audience was not checked.",
			},
			// Computed attributes
			"allowed": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether STS would let the token assume the role.",
			},
			"matched_statement": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Index of the trust policy statement that allows the call, -1 when none does.",
			},
			"summary": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "One sentence saying why the call is allowed or denied.",
			},
			"reasons": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.ObjectType{AttrTypes: reasonAttrTypes},
				MarkdownDescription: "Every check made, statement by statement: `statement`, `effect`, `action`, `key` (`Principal`, `Action` or a condition key), `operator`, `expected` and `actual` values, `result`, `note`.",
			},
			"token_problems": schema.ListAttribute{
				Computed:    true,
				ElementType: types.ObjectType{AttrTypes: findingAttrTypes},
				MarkdownDescription: "Why STS would refuse the token itself (`code`, `message`): `malformed`, `issuer_mismatch` (also for an `iss` no trusted provider has), " +
					"`keys_unavailable`, `unknown_kid`, `unusable_key` (the key is published for encryption or for another algorithm), `bad_signature`, `expired`, `not_yet_valid`, " +
					"`issued_in_future`, `no_expiry`, `audience_mismatch`. Empty with `claims`.",
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
	if d.data == nil {
		resp.Diagnostics.AddError("Provider Not Configured",
			"The data source was read before the provider was configured. This is a bug in the provider; please report it.")
		return
	}

	policyText, policyPath := m.TrustPolicy.ValueString(), path.Root("trust_policy")
	if !m.RoleARN.IsNull() {
		policyPath = path.Root("role_arn")
		var ok bool
		if policyText, ok = rolePolicy(ctx, d.data.aws, m.RoleARN.ValueString(), policyPath, &resp.Diagnostics); !ok {
			return
		}
	}
	policy, err := trustpolicy.Parse(policyText)
	if err != nil {
		resp.Diagnostics.AddAttributeError(policyPath, "Invalid Trust Policy", err.Error())
		return
	}

	var (
		claims   map[string]any
		problems []idtoken.Problem
		filter   *claimFilter
	)
	provider := m.Provider.ValueString()
	if m.TokenFile.IsNull() {
		claims = dynamicToGo(m.Claims.UnderlyingValue())
		if _, ok := claims[""]; ok || claims == nil {
			resp.Diagnostics.AddAttributeError(path.Root("claims"), "Invalid Claims",
				"claims must be an object of claim names to strings, numbers, booleans or lists, for example { sub = \"repo:org/app:ref:refs/heads/main\" }.")
			return
		}
	} else {
		raw, err := readTokenFile(m.TokenFile.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("token_file"), "Cannot Read Token File",
				fmt.Sprintf("The token to check could not be read: %s. token_file must name a file holding one ID token (a JWT).", err))
			return
		}
		tc := tokenCheck{raw: raw, provider: provider}
		if !m.ClientIDs.IsNull() {
			tc.clientIDs = setStrings(ctx, m.ClientIDs, &resp.Diagnostics)
			if tc.clientIDs == nil {
				tc.clientIDs = []string{}
			}
		}
		var res idtoken.Result
		res, provider = verifyToken(ctx, d.data, policy, tc, &resp.Diagnostics)
		claims, problems = res.Claims, res.Problems
		f := newClaimFilter(claims, setStrings(ctx, m.KeepClaims, &resp.Diagnostics))
		filter = &f
	}
	if provider == "" {
		provider = soleProvider(policy, claims)
	}

	decision := trustpolicy.EvaluatePolicy(policy, trustpolicy.Request{Provider: provider, Claims: claims})
	allowed := decision.Allowed && len(problems) == 0
	summary := decision.Summary
	if len(problems) > 0 {
		summary = fmt.Sprintf("denied: STS would refuse the token itself (%s)", problems[0].Message)
		if decision.Allowed {
			summary += "; its claims would otherwise satisfy the trust policy"
		}
	}
	reasons, shown := decision.Reasons, claims
	if filter != nil {
		reasons, shown, summary = filter.reasons(reasons), filter.kept, filter.text(summary)
	}

	m.Allowed = types.BoolValue(allowed)
	m.MatchedStatement = types.Int64Value(int64(decision.MatchedStatement))
	m.Summary = types.StringValue(summary)
	m.Reasons = reasonsValue(ctx, reasons, &resp.Diagnostics)
	m.TokenProblems = problemsValue(ctx, problems, &resp.Diagnostics)
	claimsJSON, err := json.Marshal(shown)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Encode Claims", fmt.Sprintf("The claims could not be written as JSON: %s. This is a bug in the provider; please report it.", err))
		return
	}
	m.TokenClaims = types.StringValue(string(claimsJSON))
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
