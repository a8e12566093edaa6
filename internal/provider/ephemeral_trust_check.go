package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ ephemeral.EphemeralResource                     = (*trustCheckEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure        = (*trustCheckEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*trustCheckEphemeral)(nil)
)

func newTrustCheckEphemeral() ephemeral.EphemeralResource { return &trustCheckEphemeral{} }

// trustCheckEphemeral is awsoidc_trust_check for a token that must not be stored: an
// ephemeral resource's arguments and results are never written to the plan or the
// state, so it may take the token itself and show every claim.
type trustCheckEphemeral struct {
	data *providerData
}

type trustCheckEphemeralModel struct {
	trustCheckCommon
	Token types.String `tfsdk:"token"`
}

func (e *trustCheckEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_trust_check"
}

func (e *trustCheckEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: trustCheckDocs.intro + " The ephemeral form of the data source `awsoidc_trust_check`: " +
			"its arguments and results are never written to the plan or the state (Terraform 1.10 or later), so it takes the token itself, " +
			"for example from an ephemeral variable or another ephemeral resource, and shows every claim. Its results can be used where " +
			"ephemeral values can: `check` blocks, preconditions and postconditions, locals, provider blocks and other ephemeral resources.\n\n" +
			"Give the trust policy (`trust_policy` or `role_arn`) and one of `token`, `token_file` and `claims`. With `token` or `token_file`, " +
			trustCheckDocs.verification + "\n\n" + trustCheckDocs.evaluation,
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"trust_policy": schema.StringAttribute{Optional: true, MarkdownDescription: trustCheckDocs.trustPolicy},
			"role_arn":     schema.StringAttribute{Optional: true, MarkdownDescription: trustCheckDocs.roleARN},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "An ID token to verify and evaluate; it may be an ephemeral value. Exactly one of `token`, `token_file` and `claims`.",
				Validators:          []validator.String{stringvalidator.LengthBetween(minTokenLen, maxTokenLen)},
			},
			"token_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: trustCheckDocs.tokenFile + " Exactly one of `token`, `token_file` and `claims`.",
			},
			"claims":       schema.DynamicAttribute{Optional: true, MarkdownDescription: trustCheckDocs.claims},
			"provider_arn": schema.StringAttribute{Optional: true, MarkdownDescription: trustCheckDocs.provider},
			"client_ids": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: trustCheckDocs.clientIDs,
			},
			// Computed attributes
			"allowed":           schema.BoolAttribute{Computed: true, MarkdownDescription: trustCheckDocs.allowed},
			"matched_statement": schema.Int64Attribute{Computed: true, MarkdownDescription: trustCheckDocs.matched},
			"summary":           schema.StringAttribute{Computed: true, MarkdownDescription: trustCheckDocs.summary},
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
			"token_claims": schema.StringAttribute{Computed: true, MarkdownDescription: "The claims evaluated, every one of them, as JSON."},
		},
	}
}

func (e *trustCheckEphemeral) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("trust_policy"), path.MatchRoot("role_arn")),
		ephemeralvalidator.ExactlyOneOf(path.MatchRoot("token"), path.MatchRoot("token_file"), path.MatchRoot("claims")),
	}
}

func (e *trustCheckEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *trustCheckEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m trustCheckEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.check(ctx, e.data, trustCheckInput{token: m.Token.ValueString()}, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
