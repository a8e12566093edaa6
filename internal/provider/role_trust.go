package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// The trust block of awsoidc_role: its schema, its values, and their translation into a
// trustpolicy.Spec. Every rule about what a trust policy may say lives in trustpolicy;
// this file only moves values and findings between Terraform and it.

type roleTrustModel struct {
	ProviderARN     types.String `tfsdk:"provider_arn"`
	BuiltIn         types.String `tfsdk:"built_in"`
	Audiences       types.Set    `tfsdk:"audiences"`
	Subjects        types.Set    `tfsdk:"subjects"`
	Claims          types.Map    `tfsdk:"claims"`
	AllowAnySubject types.Bool   `tfsdk:"allow_any_subject"`
	SessionTags     types.Object `tfsdk:"session_tags"`
	Conditions      types.List   `tfsdk:"condition"`
}

type roleConditionModel struct {
	Test     types.String `tfsdk:"test"`
	Variable types.String `tfsdk:"variable"`
	Values   types.Set    `tfsdk:"values"`
}

type roleSessionTagsModel struct {
	RequestTags    types.Map `tfsdk:"request_tags"`
	AllowedKeys    types.Set `tfsdk:"allowed_keys"`
	TransitiveKeys types.Set `tfsdk:"transitive_keys"`
}

var stringSetType = types.SetType{ElemType: types.StringType}

var sessionTagsAttrTypes = map[string]attr.Type{
	trustpolicy.AttrRequestTags:    types.MapType{ElemType: stringSetType},
	trustpolicy.AttrAllowedKeys:    stringSetType,
	trustpolicy.AttrTransitiveKeys: stringSetType,
}

var conditionAttrTypes = map[string]attr.Type{
	trustpolicy.AttrTest:     types.StringType,
	trustpolicy.AttrVariable: types.StringType,
	trustpolicy.AttrValues:   stringSetType,
}

var trustAttrTypes = map[string]attr.Type{
	trustpolicy.AttrProviderARN:     types.StringType,
	trustpolicy.AttrBuiltIn:         types.StringType,
	trustpolicy.AttrAudiences:       stringSetType,
	trustpolicy.AttrSubjects:        stringSetType,
	trustpolicy.AttrClaims:          types.MapType{ElemType: stringSetType},
	trustpolicy.AttrAllowAnySubject: types.BoolType,
	trustpolicy.AttrSessionTags:     types.ObjectType{AttrTypes: sessionTagsAttrTypes},
	trustpolicy.AttrCondition:       types.ListType{ElemType: types.ObjectType{AttrTypes: conditionAttrTypes}},
}

func trustBlockSchema() schema.ListNestedBlock {
	return schema.ListNestedBlock{
		MarkdownDescription: "One identity provider the role trusts, and what its tokens must say. At least one. " +
			"Conditions within a block are ANDed; blocks are ORed. One block per provider: merge conditions rather than repeating a provider.",
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				trustpolicy.AttrProviderARN: schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "ARN of the IAM OIDC provider to trust, usually `awsoidc_provider.<name>.arn`. " +
						"Condition keys are derived from it (`<host><path>:aud`, `:sub`, …). Exactly one of `provider_arn` and `built_in`. " +
						"For a provider created in the same apply, `awsoidc_provider` plans its ARN (it is a function of partition, account and URL), so every check runs at plan time; " +
						"only when the account is not known (`skip_credentials_validation` and `skip_requesting_account_id` both set) do the checks that need the issuer wait for apply, where they run before the role is created.",
				},
				trustpolicy.AttrBuiltIn: schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "An issuer AWS trusts without an IAM OIDC provider: " + markdownList(trustpolicy.BuiltInIssuers()) +
						". Exactly one of `provider_arn` and `built_in`.",
				},
				trustpolicy.AttrAudiences: schema.SetAttribute{
					Optional:    true,
					ElementType: types.StringType,
					MarkdownDescription: "Audiences (`aud`, the client ID the token was issued to) to accept; required and non-empty. " +
						"For GitHub Actions and EKS this is usually `sts.amazonaws.com`; for Google, your OAuth client ID; for Cognito, the identity pool ID. " +
						"A value with `*` or `?` is matched with `StringLike`, others with `StringEquals`. " +
						"A pattern is refused for built-in issuers and issuers anyone can get tokens from (a stranger mints their own client, pool or app ID) and warned about elsewhere.",
				},
				trustpolicy.AttrSubjects: schema.SetAttribute{
					Optional:    true,
					ElementType: types.StringType,
					MarkdownDescription: "Subjects (`sub`) to accept. Exact values use `StringEquals`, values with `*` or `?` use `StringLike`; " +
						"the two kinds go in separate statements, so they are ORed, never ANDed. Required for issuers anyone can get tokens from " +
						"(GitHub Actions' shared issuer, gitlab.com, HCP Terraform, Buildkite, Pulumi Cloud), where each subject must name the owner literally " +
						"before any wildcard, under every subject format the issuer lets a tenant choose (`repo:my-org/my-repo:ref:refs/heads/main` or " +
						"`repository_owner_id:123456:*`, not `repo:*` or `*:repository_owner_id:123456`), and for EKS clusters, where each subject must name the " +
						"namespace (`system:serviceaccount:payments:api`). See \"What is refused and what to write instead\" below.",
				},
				trustpolicy.AttrClaims: schema.MapAttribute{
					Optional:    true,
					ElementType: stringSetType,
					MarkdownDescription: "Further conditions: claim name to the values accepted, for example `{ repository_id = [\"123456\"] }` for GitHub Actions, " +
						"`{ amr = [\"authenticated\"] }` for Cognito (required: write `[\"unauthenticated\"]` instead for a role meant for guest identities), `{ oaud = [\"…\"] }` for Google. Only claims AWS exposes as condition keys for the issuer are accepted " +
						"(STS drops every other claim, so a condition on one could never match); custom attributes such as groups or department reach AWS as session tags instead. " +
						"A name may also be a full key (`<host><path>:claim`) or `sts:RoleSessionName` / `sts:SourceIdentity`. " +
						"The operator follows from the values: `StringEquals`, `StringLike` for values with `*` or `?`, `ForAnyValue:StringLike` for multi-valued claims such as `amr`. " +
						"For a key this provider does not know yet, or another operator, use a `condition` block.",
				},
				trustpolicy.AttrAllowAnySubject: schema.BoolAttribute{
					Optional: true,
					MarkdownDescription: "Opt out of the subject check. For issuers anyone can get tokens from it is accepted only together with a claim that pins the owner " +
						"to a literal value (GitHub Actions: `repository_owner_id`, `repository_id`, `enterprise_id` or `repository`; gitlab.com: `namespace_id` or `project_id`; " +
						"Buildkite: `organization_id`, `organization_slug` or `pipeline_id`), for example `claims = { repository_owner_id = [\"123456\"] }`; " +
						"HCP Terraform and Pulumi Cloud expose no such claim, so there it is refused. For an EKS cluster it is the deliberate choice of every workload in the cluster.",
				},
			},
			Blocks: map[string]schema.Block{
				trustpolicy.AttrCondition: schema.ListNestedBlock{
					MarkdownDescription: "A condition written as IAM spells it, ANDed with the others: for a condition key AWS exposes that this provider does not know yet " +
						"(AWS adds keys; the provider-specific keys of January 2026 came that way), or an operator the other attributes do not choose. " +
						"On a key this provider knows, the block gets the same checks as `audiences`, `subjects` or `claims`; on any other key, plan shows a warning naming the key, " +
						"since a condition on a key STS does not set never matches (or, negated, always does). Either way the condition counts toward the policy size " +
						"and is evaluated by `awsoidc_trust_check`. Roles imported with conditions no other attribute can say get them as `condition` blocks.",
					NestedObject: schema.NestedBlockObject{
						Attributes: map[string]schema.Attribute{
							trustpolicy.AttrTest: schema.StringAttribute{
								Required: true,
								MarkdownDescription: "The condition operator: " + markdownList(trustpolicy.KnownOperators()) +
									", optionally with `IfExists` or a `ForAnyValue:` prefix (`ForAllValues:` is refused in an Allow statement: it is true for a token without the claim).",
							},
							trustpolicy.AttrVariable: schema.StringAttribute{
								Required:            true,
								MarkdownDescription: "The full condition key, for example `token.actions.githubusercontent.com:repository_owner_id` or `sts:RoleSessionName`.",
							},
							trustpolicy.AttrValues: schema.SetAttribute{
								Required:            true,
								ElementType:         types.StringType,
								MarkdownDescription: "The values the operator compares with.",
							},
						},
					},
				},
				trustpolicy.AttrSessionTags: schema.SingleNestedBlock{
					MarkdownDescription: "Allow session tags (`sts:TagSession`): the IdP's `https://aws.amazon.com/tags` claim becomes principal tags, " +
						"so groups, department and other attributes reach AWS policies as `aws:PrincipalTag/<key>`. An empty block allows any tags; the attributes constrain them.",
					Attributes: map[string]schema.Attribute{
						trustpolicy.AttrRequestTags: schema.MapAttribute{
							Optional:            true,
							ElementType:         stringSetType,
							MarkdownDescription: "Tag key to the values it must have (`aws:RequestTag/<key>`); values with `*` or `?` are patterns. A token without the tag is refused.",
						},
						trustpolicy.AttrAllowedKeys: schema.SetAttribute{
							Optional:            true,
							ElementType:         types.StringType,
							MarkdownDescription: "When set, tokens carrying any other tag key are refused (a `Deny` on `aws:TagKeys`). Must include every `request_tags` key.",
						},
						trustpolicy.AttrTransitiveKeys: schema.SetAttribute{
							Optional:            true,
							ElementType:         types.StringType,
							MarkdownDescription: "When set, tokens marking any other key transitive are refused (a `Deny` on `sts:TransitiveTagKeys`).",
						},
					},
				},
			},
		},
	}
}

func markdownList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "`" + s + "`"
	}
	return strings.Join(quoted, ", ")
}

// trustSpec is the trust blocks as a Spec, with the paths of values not known yet.
type trustSpec struct {
	spec    trustpolicy.Spec
	unknown []path.Path
	// whole is true when the trust list itself is unknown (a dynamic block over a value
	// not known yet): nothing can be checked or rendered.
	whole bool
}

// complete reports whether the spec holds every configured value, so it can be rendered.
func (ts trustSpec) complete() bool {
	if ts.whole || len(ts.unknown) > 0 {
		return false
	}
	for _, t := range ts.spec.Statements {
		if t.ProviderUnknown {
			return false
		}
	}
	return true
}

// readTrustSpec reads trust blocks into a Spec. Values not known yet are left out and their
// paths recorded, so that findings they could cause are set aside until apply, when
// Terraform validates the configuration again with every value known.
func readTrustSpec(ctx context.Context, list types.List, diags *diag.Diagnostics) trustSpec {
	var ts trustSpec
	if list.IsUnknown() {
		ts.whole = true
		return ts
	}
	if list.IsNull() {
		return ts
	}
	var blocks []roleTrustModel
	diags.Append(list.ElementsAs(ctx, &blocks, false)...)
	for i, b := range blocks {
		at := path.Root(trustpolicy.AttrTrust).AtListIndex(i)
		var t trustpolicy.Trust
		mark := func(p path.Path) { ts.unknown = append(ts.unknown, p) }

		switch {
		case b.ProviderARN.IsUnknown():
			t.ProviderUnknown = true
		default:
			t.ProviderARN = b.ProviderARN.ValueString()
		}
		switch {
		case b.BuiltIn.IsUnknown():
			mark(at.AtName(trustpolicy.AttrBuiltIn))
			if t.ProviderARN == "" {
				t.ProviderUnknown = true
			}
		default:
			t.BuiltIn = b.BuiltIn.ValueString()
		}
		t.Audiences = knownStrings(ctx, b.Audiences, at.AtName(trustpolicy.AttrAudiences), mark, diags)
		t.Subjects = knownStrings(ctx, b.Subjects, at.AtName(trustpolicy.AttrSubjects), mark, diags)
		for _, c := range knownStringSets(ctx, b.Claims, at.AtName(trustpolicy.AttrClaims), mark, diags) {
			t.Claims = append(t.Claims, trustpolicy.Claim{Claim: c.key, Values: c.values})
		}
		if b.AllowAnySubject.IsUnknown() {
			mark(at.AtName(trustpolicy.AttrSubjects))
		}
		t.AllowAnySubject = b.AllowAnySubject.ValueBool()

		st := at.AtName(trustpolicy.AttrSessionTags)
		switch {
		case b.SessionTags.IsUnknown():
			mark(st)
		case !b.SessionTags.IsNull():
			var m roleSessionTagsModel
			diags.Append(b.SessionTags.As(ctx, &m, basetypes.ObjectAsOptions{})...)
			tags := &trustpolicy.SessionTags{
				AllowedKeys:    knownStrings(ctx, m.AllowedKeys, st.AtName(trustpolicy.AttrAllowedKeys), mark, diags),
				TransitiveKeys: knownStrings(ctx, m.TransitiveKeys, st.AtName(trustpolicy.AttrTransitiveKeys), mark, diags),
			}
			for _, rt := range knownStringSets(ctx, m.RequestTags, st.AtName(trustpolicy.AttrRequestTags), mark, diags) {
				tags.RequestTags = append(tags.RequestTags, trustpolicy.TagCondition{Key: rt.key, Values: rt.values})
			}
			t.SessionTags = tags
		}
		t.Conditions = readConditionBlocks(ctx, b.Conditions, at.AtName(trustpolicy.AttrCondition), mark, diags)
		ts.spec.Statements = append(ts.spec.Statements, t)
	}
	return ts
}

// readConditionBlocks reads condition blocks, marking a block whose operator, key or values
// are not known yet.
func readConditionBlocks(ctx context.Context, l types.List, p path.Path, mark func(path.Path), diags *diag.Diagnostics) []trustpolicy.RawCondition {
	if l.IsUnknown() {
		mark(p)
		return nil
	}
	var out []trustpolicy.RawCondition
	for i, e := range l.Elements() {
		ip := p.AtListIndex(i)
		obj, ok := e.(types.Object)
		if !ok {
			diags.AddAttributeError(ip, "Unexpected Value Type", fmt.Sprintf("Expected a condition block, got %T. This is a bug in the provider; please report it.", e))
			continue
		}
		if obj.IsUnknown() || obj.IsNull() {
			mark(ip)
			continue
		}
		var c roleConditionModel
		diags.Append(obj.As(ctx, &c, basetypes.ObjectAsOptions{})...)
		if c.Test.IsUnknown() || c.Variable.IsUnknown() {
			mark(ip)
		}
		out = append(out, trustpolicy.RawCondition{
			Test:     c.Test.ValueString(),
			Variable: c.Variable.ValueString(),
			Values:   knownStrings(ctx, c.Values, ip, mark, diags),
		})
	}
	return out
}

// knownStrings returns the known values of a set of strings, marking p when the set or any
// value in it is not known yet.
func knownStrings(ctx context.Context, s types.Set, p path.Path, mark func(path.Path), diags *diag.Diagnostics) []string {
	if s.IsUnknown() {
		mark(p)
		return nil
	}
	if s.IsNull() {
		return nil
	}
	var out []string
	for _, e := range s.Elements() {
		v, ok := e.(types.String)
		if !ok {
			diags.AddAttributeError(p, "Unexpected Value Type", fmt.Sprintf("Expected a string, got %T. This is a bug in the provider; please report it.", e))
			continue
		}
		if v.IsUnknown() {
			mark(p)
			continue
		}
		out = append(out, v.ValueString())
	}
	slices.Sort(out)
	return out
}

type keyedStrings struct {
	key    string
	values []string
}

// knownStringSets reads a map of string sets, sorted by key.
func knownStringSets(ctx context.Context, m types.Map, p path.Path, mark func(path.Path), diags *diag.Diagnostics) []keyedStrings {
	if m.IsUnknown() {
		mark(p)
		return nil
	}
	if m.IsNull() {
		return nil
	}
	elems := m.Elements()
	keys := make([]string, 0, len(elems))
	for k := range elems {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]keyedStrings, 0, len(keys))
	for _, k := range keys {
		s, ok := elems[k].(types.Set)
		if !ok {
			diags.AddAttributeError(p.AtMapKey(k), "Unexpected Value Type", fmt.Sprintf("Expected a set of strings, got %T. This is a bug in the provider; please report it.", elems[k]))
			continue
		}
		out = append(out, keyedStrings{key: k, values: knownStrings(ctx, s, p.AtMapKey(k), mark, diags)})
	}
	return out
}

// validate runs trustpolicy.Validate and turns its findings into attribute diagnostics,
// setting aside those that may only come from values not known yet.
//
// The rules say what trust policy may be written to IAM. When unchanged is set, the role
// already has this policy and the plan writes nothing, so its errors are given as warnings:
// a role that a newer rule, or an edit that leaves the policy as it is, finds fault with can
// still be planned, refreshed and destroyed.
func (ts trustSpec) validate(opts trustpolicy.ValidateOptions, unchanged bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if ts.whole {
		return diags
	}
	for _, f := range trustpolicy.Validate(ts.spec, opts) {
		p := findingPath(f)
		if ts.dependsOnUnknown(f, p) {
			continue
		}
		msg := f.Message
		if f.Rule == trustpolicy.RulePolicySize {
			p = ts.largestBlock()
			msg += ". The quota checked is trust_policy_size_quota, 2048 when unset."
		}
		summary := findingSummary(f.Rule)
		switch {
		case f.Severity != trustpolicy.SeverityError:
			diags.AddAttributeWarning(p, summary, msg)
		case unchanged:
			diags.AddAttributeWarning(p, summary, msg+". This role already has this trust policy in IAM and the plan does not change it, "+
				"so this is a warning: the rule refuses a trust policy when it is created or changed. Fix the configuration to stop this warning.")
		default:
			diags.AddAttributeError(p, summary, msg)
		}
	}
	return diags
}

// largestBlock points a finding about the whole policy at the trust block that renders the
// most text, the one to trim first: at its subjects, which usually make up the bulk, or at
// its provider. (Terraform shows a diagnostic on a block itself at the resource line.)
func (ts trustSpec) largestBlock() path.Path {
	best, bestSize := 0, -1
	for i, t := range ts.spec.Statements {
		doc, err := trustpolicy.Build(trustpolicy.Spec{Statements: []trustpolicy.Trust{t}})
		if err != nil {
			continue
		}
		if n := trustpolicy.PolicySize(doc); n > bestSize {
			best, bestSize = i, n
		}
	}
	p := path.Root(trustpolicy.AttrTrust).AtListIndex(best)
	if best >= len(ts.spec.Statements) {
		return path.Root(trustpolicy.AttrTrust)
	}
	switch t := ts.spec.Statements[best]; {
	case len(t.Subjects) > 0:
		return p.AtName(trustpolicy.AttrSubjects)
	case t.BuiltIn != "":
		return p.AtName(trustpolicy.AttrBuiltIn)
	default:
		return p.AtName(trustpolicy.AttrProviderARN)
	}
}

// dependsOnUnknown reports whether a finding could be caused by a value left out because it
// is not known yet: one at or under an unknown attribute, or one about the whole policy
// (its size) while anything is unknown.
func (ts trustSpec) dependsOnUnknown(f trustpolicy.Finding, p path.Path) bool {
	if len(ts.unknown) == 0 {
		return false
	}
	if f.Rule == trustpolicy.RulePolicySize {
		return true
	}
	for q := p; len(q.Steps()) > 0; q = q.ParentPath() {
		for _, u := range ts.unknown {
			if q.Equal(u) {
				return true
			}
		}
	}
	// A finding derived from other attributes too (the claims that could
	// pin an owner) waits while anything at or under them is unknown.
	for _, steps := range f.DependsOn {
		dep := findingPath(trustpolicy.Finding{Steps: steps})
		for _, u := range ts.unknown {
			for q := u; len(q.Steps()) > 0; q = q.ParentPath() {
				if q.Equal(dep) {
					return true
				}
			}
		}
	}
	return false
}

// findingPath turns a finding's steps into the attribute path Terraform points at: list
// indexes for trust blocks, map keys for claims and request tags, and the attribute itself
// for sets (the message names the value). A finding about the whole policy points at trust.
func findingPath(f trustpolicy.Finding) path.Path {
	p := path.Root(trustpolicy.AttrTrust)
	for i, s := range f.Steps {
		if i == 0 {
			p = path.Root(s.Name)
		} else {
			p = p.AtName(s.Name)
		}
		switch s.Name {
		case trustpolicy.AttrTrust:
			if s.Index >= 0 {
				p = p.AtListIndex(s.Index)
			}
		case trustpolicy.AttrClaims, trustpolicy.AttrRequestTags:
			if s.Key != "" || s.Index >= 0 {
				p = p.AtMapKey(s.Key)
			}
		case trustpolicy.AttrCondition:
			if s.Index >= 0 {
				p = p.AtListIndex(s.Index)
			}
		}
	}
	return p
}

// findingSummaries gives each trustpolicy rule a diagnostic summary.
var findingSummaries = map[string]string{
	trustpolicy.RuleNoTrust:           "Missing Trust Block",
	trustpolicy.RuleProvider:          "Invalid Trusted Provider",
	trustpolicy.RuleDuplicateProvider: "Provider Trusted Twice",
	trustpolicy.RuleAudiencesRequired: "Missing Audiences",
	trustpolicy.RuleAudienceValue:     "Invalid Audience",
	trustpolicy.RuleSubjectsRequired:  "Missing Subjects",
	trustpolicy.RuleSubjectCatchAll:   "Subject Matches Anyone",
	trustpolicy.RuleSubjectValue:      "Invalid Subject",
	trustpolicy.RuleClaimUnknown:      "Claim Not Exposed by AWS",
	trustpolicy.RuleClaimPrefix:       "Condition Key of Another Provider",
	trustpolicy.RuleClaimReserved:     "Claim Belongs Elsewhere",
	trustpolicy.RuleClaimValues:       "Invalid Claim Values",
	trustpolicy.RuleClaimOperator:     "Unsafe Condition Operator",
	trustpolicy.RuleClaimDuplicate:    "Duplicate Claim",
	trustpolicy.RulePolicyVariable:    "Policy Variable in Value",
	trustpolicy.RuleSessionTags:       "Invalid Session Tags",
	trustpolicy.RulePolicySize:        "Trust Policy Too Large",

	trustpolicy.RuleAudienceWildcard:   "Audience Pattern",
	trustpolicy.RuleAnySubjectUnpinned: "Owner Not Pinned",
	trustpolicy.RuleSubjectWorkload:    "Subject Matches Every Workload",
	trustpolicy.RuleCognitoGuests:      "Guest Identities Accepted",
	trustpolicy.RuleIssuerLookAlike:    "Issuer Look-Alike",
	trustpolicy.RuleConditionKey:       "Condition Key Not in Catalogue",
}

func findingSummary(rule string) string {
	if s, ok := findingSummaries[rule]; ok {
		return s
	}
	return "Invalid Trust Policy"
}
