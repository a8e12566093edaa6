package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idtoken"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
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
	Token            types.String  `tfsdk:"token"`
	Claims           types.Dynamic `tfsdk:"claims"`
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
			"Give the trust policy (`trust_policy`, for example `awsoidc_role.x.assume_role_policy`, or `role_arn`) and either a real `token` or just its `claims`.\n\n" +
			"With a `token`, it is first verified as STS does: signature against the keys the issuer publishes (read through the provider's proxy and CA settings), " +
			"`kid`, `iss` against the trusted provider, `aud` against the provider's client IDs, `exp`, `nbf` and `iat` (5 minutes of clock skew). " +
			"With `claims`, only the policy is evaluated.\n\n" +
			"The evaluation models `StringEquals`, `StringLike`, their `Not`, `IgnoreCase` and `IfExists` forms, `Null`, the `ForAnyValue:` and `ForAllValues:` qualifiers " +
			"(`ForAllValues:` is true when the claim is absent), wildcards, several statements, explicit `Deny`, Google's `aud`/`azp`/`oaud` mapping, Cognito's multi-valued `amr`, " +
			"and session tags (`https://aws.amazon.com/tags` needs `sts:TagSession`).\n\n" +
			"It does **not** model: permissions boundaries, SCPs and RCPs (they do not apply to the trust decision but do to what the session may do), " +
			"numeric, date, IP and ARN condition operators (treated as not matching in `Allow`), policy variables other than those of the request, " +
			"STS's own limits on session names and durations, the IdP certificate thumbprint check, and anything STS changes after this provider was released. " +
			"Use it in `check` blocks and tests, for example: the main branch may deploy, a fork may not.",
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"trust_policy": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The role's trust policy JSON. Exactly one of `trust_policy` and `role_arn`.",
			},
			"role_arn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "ARN of a role whose trust policy is read from IAM.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "An ID token to verify and evaluate. Exactly one of `token` and `claims`.",
			},
			"claims": schema.DynamicAttribute{
				Optional: true,
				MarkdownDescription: "A token's claims as the identity provider writes them, an object of strings, numbers, booleans and lists, " +
					"e.g. `{ iss = \"https://token.actions.githubusercontent.com\", aud = \"sts.amazonaws.com\", sub = \"repo:org/app:ref:refs/heads/main\" }`.",
			},
			"provider_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The identity provider the call comes through: an IAM OIDC provider ARN or a built-in issuer such as `accounts.google.com`. " +
					"Defaults to the provider of the token's `iss`, or to the only provider the policy trusts.",
			},
			"client_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The IAM OIDC provider's client IDs, to check a `token`'s `aud` against. " +
					"Defaults to those IAM holds for `provider_arn` when it exists in this account.",
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
				Computed:            true,
				ElementType:         types.ObjectType{AttrTypes: findingAttrTypes},
				MarkdownDescription: "Why STS would refuse the token itself (`code`, `message`): `malformed`, `issuer_mismatch`, `keys_unavailable`, `unknown_kid`, `bad_signature`, `expired`, `not_yet_valid`, `issued_in_future`, `no_expiry`, `audience_mismatch`. Empty with `claims`.",
			},
			"token_claims": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The claims evaluated, as JSON.",
			},
		},
	}
}

func (d *trustCheckDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("trust_policy"), path.MatchRoot("role_arn")),
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("token"), path.MatchRoot("claims")),
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

	policyText, policyPath := m.TrustPolicy.ValueString(), path.Root("trust_policy")
	if arn := m.RoleARN.ValueString(); arn != "" {
		policyPath = path.Root("role_arn")
		var err error
		if policyText, err = roleTrustPolicy(ctx, d.data.aws.IAM, arn); err != nil {
			resp.Diagnostics.AddAttributeError(policyPath, "Cannot Read Role", err.Error())
			return
		}
	}
	policy, err := trustpolicy.Parse(policyText)
	if err != nil {
		resp.Diagnostics.AddAttributeError(policyPath, "Invalid Trust Policy", err.Error())
		return
	}

	var claims map[string]any
	var problems []idtoken.Problem
	if m.Token.IsNull() {
		claims = dynamicToGo(m.Claims.UnderlyingValue())
		if _, ok := claims[""]; ok || claims == nil {
			resp.Diagnostics.AddAttributeError(path.Root("claims"), "Invalid Claims",
				"claims must be an object of claim names to strings, numbers, booleans or lists, for example { sub = \"repo:org/app:ref:refs/heads/main\" }.")
			return
		}
	}
	provider := m.Provider.ValueString()
	if !m.Token.IsNull() {
		var res idtoken.Result
		res, provider = d.verify(ctx, m, policy, provider, &resp.Diagnostics)
		claims, problems = res.Claims, res.Problems
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

	m.Allowed = types.BoolValue(allowed)
	m.MatchedStatement = types.Int64Value(int64(decision.MatchedStatement))
	m.Summary = types.StringValue(summary)
	m.Reasons = reasonsValue(ctx, decision.Reasons, &resp.Diagnostics)
	m.TokenProblems = problemsValue(ctx, problems, &resp.Diagnostics)
	claimsJSON, _ := json.Marshal(claims)
	m.TokenClaims = types.StringValue(string(claimsJSON))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// verify checks the token as STS would and returns the provider it comes through.
func (d *trustCheckDataSource) verify(ctx context.Context, m trustCheckModel, policy trustpolicy.Policy, provider string, diags *diag.Diagnostics) (idtoken.Result, string) {
	raw := m.Token.ValueString()
	// Read iss first, unverified, to know which provider to check the token against.
	peeked, _ := idtoken.Peek(raw)
	iss, _ := peeked["iss"].(string)
	if provider == "" {
		provider = providerForIssuer(policy, iss)
	}
	opts := idtoken.Options{}
	if provider != "" {
		opts.Issuer = issuerOf(provider)
	}
	if !m.ClientIDs.IsNull() {
		opts.Audiences = setStrings(ctx, m.ClientIDs, diags)
	} else if strings.HasPrefix(provider, "arn:") {
		if p, err := getOIDCProvider(ctx, d.data.aws.IAM, provider); err == nil {
			opts.Audiences = p.clientIDs
		} else if !awsclient.IsNotFound(err) {
			diags.AddWarning("Cannot Read OIDC Provider", fmt.Sprintf("The token's audience was not checked against %s: %s", provider, describeAWSError(err)))
		}
	}
	fetch := func(ctx context.Context, url string) ([]byte, error) {
		r, err := d.data.idp.Get(ctx, url)
		if err != nil {
			return nil, err
		}
		return r.Body, nil
	}
	return idtoken.Verify(ctx, raw, fetch, opts), provider
}

// issuerOf is the https URL a token through provider must carry in iss.
func issuerOf(provider string) string {
	if a, err := oidcurl.ParseProviderARN(provider); err == nil {
		return a.URL()
	}
	return oidcurl.FromKey(provider)
}

// federated lists the Federated principals of the policy's statements.
func federated(policy trustpolicy.Policy) []string {
	var out []string
	for _, s := range policy.Statements {
		if s.Principal == nil {
			continue
		}
		for _, p := range s.Principal.ByType["Federated"] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// providerForIssuer picks the trusted provider whose URL is the token's iss.
func providerForIssuer(policy trustpolicy.Policy, iss string) string {
	for _, p := range federated(policy) {
		if iss != "" && oidcurl.Equal(issuerOf(p), iss) {
			return p
		}
	}
	return ""
}

// soleProvider is the provider claims without an iss come through: the only one trusted.
func soleProvider(policy trustpolicy.Policy, claims map[string]any) string {
	if iss, _ := claims["iss"].(string); iss != "" {
		return providerForIssuer(policy, iss)
	}
	if ps := federated(policy); len(ps) == 1 {
		return ps[0]
	}
	return ""
}

func roleTrustPolicy(ctx context.Context, api awsclient.IAMAPI, roleARN string) (string, error) {
	name := roleARN[strings.LastIndex(roleARN, "/")+1:]
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("reading the trust policy of %s: %s", roleARN, describeAWSError(err))
	}
	return aws.ToString(out.Role.AssumeRolePolicyDocument), nil
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
		f, _ := t.ValueBigFloat().Float64()
		if i, acc := t.ValueBigFloat().Int(nil); acc == big.Exact {
			return json.Number(i.String())
		}
		return f
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
