package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// IAM's limits for a role.
const (
	maxRoleNameLen         = 64
	roleNameSuffixLen      = 26 // a UTC timestamp to the second and 12 hexadecimal digits
	maxRoleNamePrefixLen   = maxRoleNameLen - roleNameSuffixLen
	maxRolePathLen         = 512
	maxRoleDescriptionLen  = 1000
	minSessionDuration     = 3600
	maxSessionDuration     = 43200
	maxTrustPolicyQuota    = 4096 // ACLSizePerRole can be raised to this
	maxInlinePolicyNameLen = 128
	maxInlinePoliciesSize  = 10240 // all inline policies of a role, whitespace not counted
	defaultRoleNamePrefix  = "terraform-"
)

var (
	roleNamePattern   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	rolePathPattern   = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	descriptionChars  = regexp.MustCompile(`^[\t\n\r\x20-\x7E\x{A1}-\x{FF}]*$`)
	policyARNPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\x21-\x7E]+$`)
	policyARNExamples = "such as arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/deploy"
)

var (
	_ resource.Resource                   = (*roleResource)(nil)
	_ resource.ResourceWithConfigure      = (*roleResource)(nil)
	_ resource.ResourceWithImportState    = (*roleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*roleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*roleResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*roleResource)(nil)
)

func newRoleResource() resource.Resource { return &roleResource{} }

type roleResource struct {
	data *providerData
}

type roleResourceModel struct {
	Trust                types.List           `tfsdk:"trust"`
	Name                 types.String         `tfsdk:"name"`
	NamePrefix           types.String         `tfsdk:"name_prefix"`
	Path                 types.String         `tfsdk:"path"`
	Description          types.String         `tfsdk:"description"`
	MaxSessionDuration   types.String         `tfsdk:"max_session_duration"` // a whole number, see numberAsStringNote
	PermissionsBoundary  types.String         `tfsdk:"permissions_boundary"`
	ManagedPolicyARNs    types.Set            `tfsdk:"managed_policy_arns"`
	InlinePolicies       policyDocumentsValue `tfsdk:"inline_policies"`
	TrustPolicySizeQuota types.String         `tfsdk:"trust_policy_size_quota"` // a whole number, see numberAsStringNote
	Tags                 types.Map            `tfsdk:"tags"`
	TagsAll              types.Map            `tfsdk:"tags_all"`
	AssumeRolePolicy     types.String         `tfsdk:"assume_role_policy"`
	ARN                  types.String         `tfsdk:"arn"`
	UniqueID             types.String         `tfsdk:"unique_id"`
	CreateDate           types.String         `tfsdk:"create_date"`
}

func (r *roleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role"
}

func (r *roleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 2,
		MarkdownDescription: "An IAM role that identities from OpenID Connect providers assume with `AssumeRoleWithWebIdentity`.\n\n" +
			"The trust policy is built from `trust` blocks rather than written as JSON, and checked at plan time: audiences are required, " +
			"exact and wildcard subjects are ORed (never ANDed), `StringLike` is used exactly when a value has `*` or `?`, " +
			"conditions on claims AWS does not expose are refused (use session tags for custom attributes), " +
			"and a trust that would let a stranger in is refused: issuers anyone can get tokens from (GitHub Actions' shared issuer, gitlab.com, HCP Terraform, Buildkite, Pulumi Cloud) " +
			"must pin the owner, built-in issuers a literal audience, EKS clusters the namespace, and Cognito roles must decide about guest identities. " +
			"The result is `assume_role_policy`, known at plan time; a trust policy changed outside Terraform shows as a diff and is restored by apply. " +
			"A role that already exists keeps planning, refreshing and destroying when its configuration breaks a rule without changing the policy (a newer rule, say): " +
			"the rule is then a warning, since nothing would be written.\n\n" +
			"Import rebuilds the `trust` blocks from IAM's policy, so `terraform plan -generate-config-out` writes a configuration that plans with no changes. " +
			"Parts of a policy no block can say (another principal type, a Deny of its own) are listed in one warning at import; applying the configuration would drop them.\n\n" +
			"`managed_policy_arns` and `inline_policies`, when set, are managed exclusively: policies attached or written outside Terraform are removed by apply. " +
			"Leave either unset to manage those permissions elsewhere.\n\n" +
			"Creating a role right after its OIDC provider can briefly fail with `Invalid principal in policy` while IAM propagates the provider; " +
			"create and trust updates retry that, throttling and concurrent modification with backoff, a bounded number of times.",
		Attributes: map[string]schema.Attribute{
			// Optional attributes
			"name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Name of the role: 1 to 64 letters, digits and `+=,.@_-`, unique in the account regardless of case. " +
					"When neither `name` nor `name_prefix` is set, a unique name starting with `" + defaultRoleNamePrefix + "` is chosen. Changing it replaces the role.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, maxRoleNameLen),
					stringvalidator.RegexMatches(roleNamePattern, "may hold only letters, digits and + = , . @ _ -"),
					stringvalidator.ConflictsWith(path.MatchRoot("name_prefix")),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"name_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Creates a unique name beginning with this prefix: 1 to %d characters (the rest of the 64 is a timestamp and random digits). "+
					"Conflicts with `name`. Changing it replaces the role.", maxRoleNamePrefixLen),
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, maxRoleNamePrefixLen),
					stringvalidator.RegexMatches(roleNamePattern, "may hold only letters, digits and + = , . @ _ -"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"path": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString("/"),
				MarkdownDescription: "Path of the role: `/` (the default) or `/` followed by printable ASCII and ending in `/`, such as `/ci/`; at most 512 characters. " +
					"Changing it replaces the role.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, maxRolePathLen),
					stringvalidator.RegexMatches(rolePathPattern, "must be / or begin and end with / and hold only printable ASCII characters, such as /ci/"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Description of the role, at most 1000 characters of printable Latin-1 text. Changed in place.",
				Validators: []validator.String{
					stringvalidator.LengthAtMost(maxRoleDescriptionLen),
					stringvalidator.RegexMatches(descriptionChars, "may hold only printable Latin-1 characters, tabs and line breaks (IAM refuses others, such as curly quotes)"),
				},
			},
			"max_session_duration": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Longest session, in seconds, that `AssumeRoleWithWebIdentity` may ask for: a whole number from %d to %d. "+
					"When unset, IAM's default of %d applies (and is restored if the role is changed outside Terraform); state then holds null. Changed in place. ",
					minSessionDuration, maxSessionDuration, minSessionDuration) + numberAsStringNote("max_session_duration", "7200"),
				Validators: []validator.String{sessionDurationValidator},
			},
			"permissions_boundary": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "ARN of the managed policy that bounds the role's permissions. Changed in place.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(policyARNPattern, "must be an IAM managed policy ARN "+policyARNExamples),
				},
			},
			"managed_policy_arns": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "ARNs of the managed policies attached to the role, managed exclusively: apply detaches any other policy attached outside Terraform. " +
					"Set `[]` to have none. When unset, attachments are left alone (state still shows them), so other tools can manage them. " +
					"IAM allows 10 per role unless the quota is raised.",
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(policyARNPattern, "must be an IAM managed policy ARN "+policyARNExamples)),
				},
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
			"inline_policies": schema.MapAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				CustomType:  newPolicyDocumentsType(),
				MarkdownDescription: "Inline policies of the role, policy name to policy JSON (`jsonencode(...)` or `data.aws_iam_policy_document.x.json`), managed exclusively: " +
					"apply deletes any other inline policy written outside Terraform. Documents are compared by meaning, so reformatted JSON never diffs. " +
					"Set `{}` to have none; when unset, inline policies are left alone. Names are 1 to 128 of `[\\w+=,.@-]`; " +
					"all documents together are at most 10,240 characters, whitespace not counted.",
				Validators: []validator.Map{
					mapvalidator.KeysAre(
						stringvalidator.LengthBetween(1, maxInlinePolicyNameLen),
						stringvalidator.RegexMatches(roleNamePattern, "may hold only letters, digits and + = , . @ _ -"),
					),
					mapvalidator.ValueStringsAre(identityPolicyValidator{}),
				},
				PlanModifiers: []planmodifier.Map{mapplanmodifier.UseStateForUnknown(), keepEquivalentPolicyDocuments{}},
			},
			"trust_policy_size_quota": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The account's trust policy size quota (IAM's `Role trust policy length`), in characters without whitespace: a whole number, %d unless raised, at most %d. "+
					"The rendered trust policy is checked against it at plan time. ", trustpolicy.DefaultMaxPolicySize, maxTrustPolicyQuota) +
					numberAsStringNote("trust_policy_size_quota", "4096"),
				Validators: []validator.String{trustPolicyQuotaValidator},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags for the role: at most 50, keys 1 to 128 characters, values up to 256. Merged over the provider's `default_tags`.",
				Validators:          tagsValidators(),
			},
			// Computed attributes
			"tags_all": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "All tags of the role, `default_tags` included.",
			},
			"assume_role_policy": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The trust policy built from the `trust` blocks, as JSON. Compared by meaning: member order, value order, a single value " +
					"written as a list and statement `Sid`s never diff. Known at plan, also for a trusted provider created in the same apply; " +
					"only when the provider configuration does not know the account (`skip_credentials_validation` and `skip_requesting_account_id` both set) is it known after apply in that case.",
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the role: `arn:<partition>:iam::<account>:role<path><name>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"unique_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "IAM's stable unique ID of the role (`AROA…`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"create_date": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the role was created, in RFC 3339 format.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			trustpolicy.AttrTrust: trustBlockSchema(),
		},
	}
}

func (r *roleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (m roleResourceModel) validateOptions() trustpolicy.ValidateOptions {
	// Unset, unknown or not validated yet: 0, which is IAM's default quota.
	quota, _ := parseWholeNumber(m.TrustPolicySizeQuota.ValueString())
	return trustpolicy.ValidateOptions{MaxPolicySize: int(min(quota, maxTrustPolicyQuota))}
}

// ValidateConfig checks what does not depend on the role's trust. The trust rules run in
// ModifyPlan, which sees the role's state: they say what trust policy may be written to IAM,
// so a role that already has the policy its blocks build only gets warnings, and a newer
// rule never stands in the way of planning or destroying it (terraform destroy plans the
// whole configuration first).
func (r *roleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m roleResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// IAM counts all inline policies of a role together.
	docs := m.InlinePolicies.documents()
	total := 0
	for _, doc := range docs {
		total += trustpolicy.PolicySize(doc)
	}
	if total > maxInlinePoliciesSize {
		resp.Diagnostics.AddAttributeError(path.Root("inline_policies"), "Inline Policies Too Large",
			fmt.Sprintf("The %d inline policies hold %d characters (whitespace not counted); IAM allows at most %d per role, all inline policies together "+
				"(IAM User Guide, IAM and AWS STS quotas: \"Role policy size\"; IAM refuses more with LimitExceeded). "+
				"Move some statements into a managed policy and list it in managed_policy_arns.", len(docs), total, maxInlinePoliciesSize))
	}
}

// ModifyPlan renders the trust policy and checks it. Every check that needs nothing from
// IAM runs here, at plan time; one that needs a value not known yet (a provider ARN when
// the account is unknown, say) runs when Terraform plans again during apply, before the
// role is created or changed. A destroy plan is not checked at all.
func (r *roleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var plan roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *roleResourceModel
	if !req.State.Raw.IsNull() {
		state = &roleResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	var defaults map[string]string
	if r.data != nil {
		defaults = r.data.defaultTags
	}
	if plan.Tags.IsUnknown() {
		plan.TagsAll = types.MapUnknown(types.StringType)
	} else {
		plan.TagsAll = tagsValue(mergeTags(defaults, stringMap(ctx, plan.Tags, &resp.Diagnostics)), false)
	}

	ts := readTrustSpec(ctx, plan.Trust, &resp.Diagnostics)
	if plan.TrustPolicySizeQuota.IsUnknown() {
		ts.unknown = append(ts.unknown, path.Root("trust_policy_size_quota"))
	}
	doc, built := "", false
	if ts.complete() {
		if d, err := trustpolicy.Build(ts.spec); err == nil {
			doc, built = d, true
		}
	}
	// Same meaning as what IAM has: keep IAM's spelling, so a role written by another tool
	// never diffs, and let the rules warn rather than refuse.
	unchanged := built && state != nil && !state.AssumeRolePolicy.IsNull() && !state.AssumeRolePolicy.IsUnknown() &&
		equivalentTrust(doc, state.AssumeRolePolicy.ValueString())
	resp.Diagnostics.Append(ts.validate(plan.validateOptions(), unchanged)...)
	switch {
	case unchanged:
		plan.AssumeRolePolicy = state.AssumeRolePolicy
	case built:
		plan.AssumeRolePolicy = types.StringValue(doc)
	default:
		// Not known yet, or not renderable (the findings above say why).
		plan.AssumeRolePolicy = types.StringUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *roleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	api := r.data.aws.IAM
	name := plan.Name.ValueString()
	if plan.Name.IsUnknown() || plan.Name.IsNull() {
		prefix := defaultRoleNamePrefix
		if !plan.NamePrefix.IsNull() {
			prefix = plan.NamePrefix.ValueString()
		}
		name = uniqueRoleName(prefix)
	}
	trust := plan.AssumeRolePolicy.ValueString()
	tagsAll := stringMap(ctx, plan.TagsAll, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		Path:                     aws.String(plan.Path.ValueString()),
		AssumeRolePolicyDocument: aws.String(trust),
		MaxSessionDuration:       aws.Int32(sessionSeconds(sessionDuration(plan.MaxSessionDuration))),
		Tags:                     iamTags(tagsAll),
	}
	if !plan.Description.IsNull() {
		in.Description = aws.String(plan.Description.ValueString())
	}
	if !plan.PermissionsBoundary.IsNull() {
		in.PermissionsBoundary = aws.String(plan.PermissionsBoundary.ValueString())
	}
	out, err := createRole(ctx, api, in)
	if err != nil {
		switch {
		case awsclient.IsAlreadyExists(err):
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Role Already Exists",
				fmt.Sprintf("IAM already has a role named %q (role names are unique in an account regardless of case). "+
					"Choose another name, or manage that role with this resource by importing it: an import block with id = %q and this resource's address in to, "+
					"or terraform import with this resource's address and %s. Import rebuilds the trust blocks from the role's policy.", name, name, name))
		case awsclient.IsInvalidPrincipal(err):
			resp.Diagnostics.AddAttributeError(path.Root(trustpolicy.AttrTrust), "OIDC Provider Not Yet Visible to IAM", propagationDetail(err, "No role was created."))
		default:
			resp.Diagnostics.AddError("Cannot Create Role", fmt.Sprintf("Creating role %q: %s", name, describeRetriedError(err)))
		}
		return
	}

	// Save the role before anything else can fail, so it is never orphaned: a failure
	// below leaves it in state, tainted, for the next apply to replace.
	created := plan
	created.Name = types.StringValue(name)
	created.ARN = types.StringValue(aws.ToString(out.arn))
	created.UniqueID = types.StringValue(aws.ToString(out.roleID))
	created.CreateDate = types.StringValue(formatCreateDate(out.createDate))
	created.ManagedPolicyARNs = stringSet(nil)
	created.InlinePolicies = policyDocumentsFrom(nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &created)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "created IAM role", map[string]any{"name": name, "arn": created.ARN.ValueString()})

	if !config.ManagedPolicyARNs.IsNull() {
		want := setStrings(ctx, plan.ManagedPolicyARNs, &resp.Diagnostics)
		if !r.syncManagedPolicies(ctx, name, nil, want, &resp.Diagnostics) {
			return
		}
	}
	if !config.InlinePolicies.IsNull() {
		if !r.syncInlinePolicies(ctx, name, nil, plan.InlinePolicies.documents(), &resp.Diagnostics) {
			return
		}
	}

	final := created
	final.ManagedPolicyARNs = plan.ManagedPolicyARNs
	final.InlinePolicies = plan.InlinePolicies
	found, diags := r.read(ctx, &final, plan.Tags.IsNull())
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddError("Role Vanished", fmt.Sprintf("IAM created role %q but could not find it right after. Run terraform apply again.", name))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &final)...)
}

// createRole calls CreateRole, retrying what propagation and load cause. When a retry is
// answered "already exists" (an earlier attempt created the role but its answer was lost),
// the role is taken as created if it is the one asked for, rather than orphaned.
func createRole(ctx context.Context, api awsclient.IAMAPI, in *iam.CreateRoleInput) (*roleCreated, error) {
	attempts := 0
	out, err := api.CreateRole(ctx, in, awsclient.WithPropagationRetry, countAttempts(&attempts))
	if err == nil {
		return &roleCreated{arn: out.Role.Arn, roleID: out.Role.RoleId, createDate: out.Role.CreateDate}, nil
	}
	if !awsclient.IsAlreadyExists(err) || attempts < 2 {
		return nil, err
	}
	got, gerr := api.GetRole(ctx, &iam.GetRoleInput{RoleName: in.RoleName})
	if gerr != nil {
		return nil, err
	}
	role := got.Role
	doc, derr := trustpolicy.Decode(aws.ToString(role.AssumeRolePolicyDocument))
	if derr != nil || aws.ToString(role.Path) != aws.ToString(in.Path) || !equivalentTrust(doc, aws.ToString(in.AssumeRolePolicyDocument)) {
		return nil, err
	}
	tflog.Warn(ctx, "CreateRole was retried after an attempt whose answer was lost; the role it created is used", map[string]any{"name": aws.ToString(in.RoleName)})
	return &roleCreated{arn: role.Arn, roleID: role.RoleId, createDate: role.CreateDate}, nil
}

// roleCreated is what CreateRole tells about the new role.
type roleCreated struct {
	arn, roleID *string
	createDate  *time.Time
}

// countAttempts counts the attempts a call makes, retries included.
func countAttempts(n *int) func(*iam.Options) {
	return func(o *iam.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			// Added after the retry middleware, so it runs once per attempt.
			return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsoidcCountAttempts",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					*n++
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	}
}

// propagationDetail explains an "Invalid principal in policy" that outlasted the retries.
func propagationDetail(err error, outcome string) string {
	return fmt.Sprintf("IAM answered %q on each of %d attempts: it had not yet seen the OIDC identity provider the trust policy names. "+
		"This happens for a few seconds after a provider is created. %s Run terraform apply again. "+
		"If it persists, check that each provider_arn names an existing IAM OIDC provider in this account.",
		describeAWSError(err), attemptsOf(err), outcome)
}

// describeRetriedError says how often a call was tried when the retries ran out.
func describeRetriedError(err error) string {
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) {
		return fmt.Sprintf("%s (gave up after %d attempts)", describeAWSError(err), maxErr.Attempt)
	}
	return describeAWSError(err)
}

func attemptsOf(err error) int {
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) {
		return maxErr.Attempt
	}
	return 1
}

func (r *roleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, diags := r.read(ctx, &state, state.Tags.IsNull())
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if !found {
		tflog.Warn(ctx, "IAM role not found; removing it from state", map[string]any{"name": state.Name.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// read refreshes m from IAM by role name, keeping the prior spelling of every policy
// document that means the same as IAM's. It reports found=false when IAM has no such role.
func (r *roleResource) read(ctx context.Context, m *roleResourceModel, tagsWereNull bool) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	name := m.Name.ValueString()
	role, err := getRole(ctx, r.data.aws.IAM, name)
	if awsclient.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		diags.AddError("Cannot Read Role", fmt.Sprintf("Reading role %q: %s", name, describeAWSError(err)))
		return false, diags
	}

	m.Name = types.StringValue(role.name)
	m.ARN = types.StringValue(role.arn)
	m.UniqueID = types.StringValue(role.id)
	m.CreateDate = types.StringValue(role.created)
	m.Path = types.StringValue(role.path)
	// Unset stays null while IAM has its default; anything else is shown, so a change made
	// outside Terraform diffs against the default.
	if !m.MaxSessionDuration.IsNull() || role.maxSession != minSessionDuration {
		m.MaxSessionDuration = types.StringValue(strconv.FormatInt(role.maxSession, 10))
	}
	if role.description != "" || !m.Description.IsNull() {
		m.Description = types.StringValue(role.description)
	}
	m.PermissionsBoundary = types.StringNull()
	if role.boundary != "" {
		m.PermissionsBoundary = types.StringValue(role.boundary)
	}
	if m.Trust.IsNull() || len(m.Trust.Elements()) == 0 {
		// Imported (or imported by an earlier version, which kept no blocks): rebuild them.
		m.Trust = trustFromPolicy(role.name, role.trust, &diags)
	}

	prior := ""
	if !m.AssumeRolePolicy.IsNull() && !m.AssumeRolePolicy.IsUnknown() {
		prior = m.AssumeRolePolicy.ValueString()
	}
	m.AssumeRolePolicy = types.StringValue(documentForState(role.trust, prior, true))

	m.ManagedPolicyARNs = stringSet(role.managed)
	priorDocs := m.InlinePolicies.documents()
	docs := make(map[string]string, len(role.inline))
	for n, doc := range role.inline {
		docs[n] = documentForState(doc, priorDocs[n], false)
	}
	m.InlinePolicies = policyDocumentsFrom(docs)

	var configured map[string]string
	if !m.Tags.IsNull() && !m.Tags.IsUnknown() {
		configured = stringMap(ctx, m.Tags, &diags)
	}
	m.TagsAll = tagsValue(role.tags, false)
	m.Tags = tagsValue(ownTags(role.tags, r.data.defaultTags, configured), tagsWereNull)
	return true, diags
}

// documentForState picks what state holds for a policy IAM returned: the prior text when it
// means the same, otherwise IAM's document. trust marks a trust policy, which is compared
// with Sids ignored and kept in canonical indented form when it parses.
func documentForState(fromIAM, prior string, trust bool) string {
	if prior != "" && (trust && equivalentTrust(fromIAM, prior) || !trust && equivalentPolicies(fromIAM, prior)) {
		return prior
	}
	if trust {
		if p, err := trustpolicy.Parse(fromIAM); err == nil {
			if s, err := trustpolicy.Render(p, true); err == nil {
				return s
			}
		}
	}
	return fromIAM
}

func (r *roleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config roleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	api := r.data.aws.IAM
	name := state.Name.ValueString()
	roleName := aws.String(name)

	if !plan.Description.Equal(state.Description) || sessionDuration(plan.MaxSessionDuration) != sessionDuration(state.MaxSessionDuration) {
		// UpdateRole sets both: a member left out would be cleared.
		_, err := api.UpdateRole(ctx, &iam.UpdateRoleInput{
			RoleName:           roleName,
			Description:        aws.String(plan.Description.ValueString()),
			MaxSessionDuration: aws.Int32(sessionSeconds(sessionDuration(plan.MaxSessionDuration))),
		})
		if err != nil {
			resp.Diagnostics.AddError("Cannot Update Role", fmt.Sprintf("Updating the description and session duration of role %q: %s", name, describeAWSError(err)))
			return
		}
	}

	if newDoc := plan.AssumeRolePolicy.ValueString(); !equivalentTrust(newDoc, state.AssumeRolePolicy.ValueString()) {
		_, err := api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: roleName, PolicyDocument: aws.String(newDoc)}, awsclient.WithPropagationRetry)
		if err != nil {
			if awsclient.IsInvalidPrincipal(err) {
				resp.Diagnostics.AddAttributeError(path.Root(trustpolicy.AttrTrust), "OIDC Provider Not Yet Visible to IAM", propagationDetail(err, "The trust policy was not changed."))
			} else {
				resp.Diagnostics.AddAttributeError(path.Root(trustpolicy.AttrTrust), "Cannot Update Trust Policy", fmt.Sprintf("Updating the trust policy of role %q: %s", name, describeRetriedError(err)))
			}
			return
		}
	}

	if !plan.PermissionsBoundary.Equal(state.PermissionsBoundary) {
		var err error
		if plan.PermissionsBoundary.IsNull() {
			_, err = api.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: roleName})
		} else {
			_, err = api.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: roleName, PermissionsBoundary: aws.String(plan.PermissionsBoundary.ValueString())})
		}
		if err != nil && !(plan.PermissionsBoundary.IsNull() && awsclient.IsNotFound(err)) {
			resp.Diagnostics.AddAttributeError(path.Root("permissions_boundary"), "Cannot Change Permissions Boundary", describeAWSError(err))
			return
		}
	}

	untag, tag := tagDiff(stringMap(ctx, state.TagsAll, &resp.Diagnostics), stringMap(ctx, plan.TagsAll, &resp.Diagnostics))
	if len(untag) > 0 {
		if _, err := api.UntagRole(ctx, &iam.UntagRoleInput{RoleName: roleName, TagKeys: untag}); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Cannot Remove Tags", describeAWSError(err))
			return
		}
	}
	if len(tag) > 0 {
		if _, err := api.TagRole(ctx, &iam.TagRoleInput{RoleName: roleName, Tags: iamTags(tag)}); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Cannot Add Tags", describeAWSError(err))
			return
		}
	}

	if !config.ManagedPolicyARNs.IsNull() {
		have := setStrings(ctx, state.ManagedPolicyARNs, &resp.Diagnostics)
		want := setStrings(ctx, plan.ManagedPolicyARNs, &resp.Diagnostics)
		if !r.syncManagedPolicies(ctx, name, have, want, &resp.Diagnostics) {
			return
		}
	}
	if !config.InlinePolicies.IsNull() {
		if !r.syncInlinePolicies(ctx, name, state.InlinePolicies.documents(), plan.InlinePolicies.documents(), &resp.Diagnostics) {
			return
		}
	}

	found, diags := r.read(ctx, &plan, plan.Tags.IsNull())
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddError("Role Vanished", fmt.Sprintf("Role %q was deleted while it was being updated.", name))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// syncManagedPolicies attaches what want adds to have, then detaches what it drops, so the
// role never has fewer permissions than both versions share.
func (r *roleResource) syncManagedPolicies(ctx context.Context, name string, have, want []string, diags *diag.Diagnostics) bool {
	api := r.data.aws.IAM
	for _, arn := range want {
		if slices.Contains(have, arn) {
			continue
		}
		if _, err := api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil {
			diags.AddAttributeError(path.Root("managed_policy_arns"), "Cannot Attach Policy", fmt.Sprintf("Attaching %s to role %q: %s", arn, name, describeAWSError(err)))
			return false
		}
	}
	for _, arn := range have {
		if slices.Contains(want, arn) {
			continue
		}
		_, err := api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)})
		if err != nil && !awsclient.IsNotFound(err) {
			diags.AddAttributeError(path.Root("managed_policy_arns"), "Cannot Detach Policy", fmt.Sprintf("Detaching %s from role %q: %s", arn, name, describeAWSError(err)))
			return false
		}
	}
	return true
}

// syncInlinePolicies writes the documents of want that are new or mean something else than
// in have, then deletes the policies want no longer names.
func (r *roleResource) syncInlinePolicies(ctx context.Context, name string, have, want map[string]string, diags *diag.Diagnostics) bool {
	api := r.data.aws.IAM
	for _, pn := range sortedKeys(want) {
		if old, ok := have[pn]; ok && equivalentPolicies(old, want[pn]) {
			continue
		}
		_, err := api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn), PolicyDocument: aws.String(want[pn])})
		if err != nil {
			diags.AddAttributeError(path.Root("inline_policies").AtMapKey(pn), "Cannot Write Inline Policy", fmt.Sprintf("Writing inline policy %q of role %q: %s", pn, name, describeAWSError(err)))
			return false
		}
	}
	for _, pn := range sortedKeys(have) {
		if _, ok := want[pn]; ok {
			continue
		}
		_, err := api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
		if err != nil && !awsclient.IsNotFound(err) {
			diags.AddAttributeError(path.Root("inline_policies"), "Cannot Delete Inline Policy", fmt.Sprintf("Deleting inline policy %q of role %q: %s", pn, name, describeAWSError(err)))
			return false
		}
	}
	return true
}

func (r *roleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	if err := deleteRole(ctx, r.data.aws.IAM, name); err != nil {
		resp.Diagnostics.AddError("Cannot Delete Role", fmt.Sprintf("Deleting role %q: %s", name, describeAWSError(err)))
	}
}

// deleteRole removes what IAM requires gone before a role can be deleted (managed and inline
// policies, instance profile memberships), whoever added it, then the role. It lists only
// the names it must remove, without reading the role or its policy documents. A role or
// attachment already gone is success.
func deleteRole(ctx context.Context, api awsclient.IAMAPI, name string) error {
	roleName := aws.String(name)
	var managed []string
	attached := iam.NewListAttachedRolePoliciesPaginator(api, &iam.ListAttachedRolePoliciesInput{RoleName: roleName})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if awsclient.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing attached policies: %w", err)
		}
		for _, p := range page.AttachedPolicies {
			managed = append(managed, aws.ToString(p.PolicyArn))
		}
	}
	var inline []string
	names := iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: roleName})
	for names.HasMorePages() {
		page, err := names.NextPage(ctx)
		if awsclient.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing inline policies: %w", err)
		}
		inline = append(inline, page.PolicyNames...)
	}
	for _, arn := range managed {
		if _, err := api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: roleName, PolicyArn: aws.String(arn)}); err != nil && !awsclient.IsNotFound(err) {
			return fmt.Errorf("detaching %s: %w", arn, err)
		}
	}
	for _, pn := range inline {
		if _, err := api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: roleName, PolicyName: aws.String(pn)}); err != nil && !awsclient.IsNotFound(err) {
			return fmt.Errorf("deleting inline policy %q: %w", pn, err)
		}
	}
	profiles := iam.NewListInstanceProfilesForRolePaginator(api, &iam.ListInstanceProfilesForRoleInput{RoleName: roleName})
	for profiles.HasMorePages() {
		page, err := profiles.NextPage(ctx)
		if awsclient.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing instance profiles: %w", err)
		}
		for _, ip := range page.InstanceProfiles {
			_, err := api.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{RoleName: roleName, InstanceProfileName: ip.InstanceProfileName})
			if err != nil && !awsclient.IsNotFound(err) {
				return fmt.Errorf("removing the role from instance profile %q: %w", aws.ToString(ip.InstanceProfileName), err)
			}
		}
	}
	if _, err := api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: roleName}); err != nil && !awsclient.IsNotFound(err) {
		return err
	}
	return nil
}

// iamRole is what IAM knows about one role.
type iamRole struct {
	name, arn, id, path, description, boundary string
	created                                    string
	maxSession                                 int64
	trust                                      string // decoded
	tags                                       map[string]string
	managed                                    []string
	inline                                     map[string]string // decoded documents by name
}

func getRole(ctx context.Context, api awsclient.IAMAPI, name string) (*iamRole, error) {
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	rl := out.Role
	trust, err := trustpolicy.Decode(aws.ToString(rl.AssumeRolePolicyDocument))
	if err != nil {
		return nil, fmt.Errorf("the trust policy IAM returned: %w", err)
	}
	// GetRole returns the role's tags (IAM API reference, Role.Tags), so no ListRoleTags.
	role := &iamRole{
		name:        aws.ToString(rl.RoleName),
		arn:         aws.ToString(rl.Arn),
		id:          aws.ToString(rl.RoleId),
		path:        aws.ToString(rl.Path),
		description: aws.ToString(rl.Description),
		created:     formatCreateDate(rl.CreateDate),
		maxSession:  int64(aws.ToInt32(rl.MaxSessionDuration)),
		trust:       trust,
		tags:        map[string]string{},
		inline:      map[string]string{},
	}
	if role.maxSession == 0 {
		role.maxSession = minSessionDuration
	}
	if rl.PermissionsBoundary != nil {
		role.boundary = aws.ToString(rl.PermissionsBoundary.PermissionsBoundaryArn)
	}
	for _, t := range rl.Tags {
		role.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}

	// Attachments and inline policies each come from their own paginated call.
	attached := iam.NewListAttachedRolePoliciesPaginator(api, &iam.ListAttachedRolePoliciesInput{RoleName: rl.RoleName})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range page.AttachedPolicies {
			role.managed = append(role.managed, aws.ToString(p.PolicyArn))
		}
	}
	slices.Sort(role.managed)
	inline := iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: rl.RoleName})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, pn := range page.PolicyNames {
			got, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: rl.RoleName, PolicyName: aws.String(pn)})
			if awsclient.IsNotFound(err) {
				continue // deleted between the list and the get
			}
			if err != nil {
				return nil, err
			}
			doc, err := trustpolicy.Decode(aws.ToString(got.PolicyDocument))
			if err != nil {
				return nil, fmt.Errorf("inline policy %q as IAM returned it: %w", pn, err)
			}
			role.inline[pn] = doc
		}
	}
	return role, nil
}

func formatCreateDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// uniqueRoleName appends a UTC timestamp and random digits to prefix, so names sort by
// creation and two creations in the same second still differ.
func uniqueRoleName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + time.Now().UTC().Format("20060102150405") + hex.EncodeToString(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// identityPolicyValidator checks an inline policy document at plan time: JSON that parses as
// a policy, with no Principal (IAM refuses one in a policy attached to a role).
type identityPolicyValidator struct{}

var _ validator.String = identityPolicyValidator{}

func (identityPolicyValidator) Description(context.Context) string {
	return "must be an IAM policy document in JSON, without Principal"
}

func (v identityPolicyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (identityPolicyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	p, err := trustpolicy.Parse(req.ConfigValue.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Policy Document",
			fmt.Sprintf("%s is not a policy document IAM accepts: %s. Write it with jsonencode({ Version = \"2012-10-17\", Statement = [...] }).", req.Path, err))
		return
	}
	for i, st := range p.Statements {
		if st.Principal != nil || st.NotPrincipal != nil {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid Policy Document",
				fmt.Sprintf("Statement[%d] of %s has a Principal: a policy attached to a role applies to the role itself, and IAM refuses a Principal in it. "+
					"Remove it; who may assume the role is said by the trust blocks.", i, req.Path))
		}
	}
}

// sessionDuration is the session length a max_session_duration value asks for: IAM's
// default when unset.
func sessionDuration(v types.String) int64 {
	if v.IsNull() || v.IsUnknown() {
		return minSessionDuration
	}
	if n, ok := parseWholeNumber(v.ValueString()); ok {
		return n
	}
	// Refused at plan time by sessionDurationValidator, so never reached.
	return minSessionDuration
}

// equivalentTrust is trustpolicy.EquivalentTrust with "cannot tell" read as "different".
func equivalentTrust(a, b string) bool {
	if a == b {
		return true
	}
	eq, err := trustpolicy.EquivalentTrust(a, b)
	return err == nil && eq
}

// sessionSeconds converts a max_session_duration, validated at plan time to 3600–43200,
// to the API's int32 without a silent overflow.
func sessionSeconds(v int64) int32 {
	return int32(min(max(v, 0), math.MaxInt32)) //nolint:gosec // clamped to the int32 range just above
}
