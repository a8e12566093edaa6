package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// IAM's limits for an OIDC provider.
const (
	maxClientIDs     = 100
	maxClientIDLen   = 255
	maxThumbprints   = 5
	thumbprintLength = 40
)

var thumbprintPattern = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// privateThumbprintsConfigured remembers whether thumbprints came from the configuration,
// so removing them from it can be told apart from never having set them.
const privateThumbprintsConfigured = "thumbprints_configured"

var (
	_ resource.Resource                   = (*providerResource)(nil)
	_ resource.ResourceWithConfigure      = (*providerResource)(nil)
	_ resource.ResourceWithImportState    = (*providerResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*providerResource)(nil)
	_ resource.ResourceWithValidateConfig = (*providerResource)(nil)
)

func newProviderResource() resource.Resource { return &providerResource{} }

type providerResource struct {
	data *providerData
}

type providerResourceModel struct {
	URL         types.String     `tfsdk:"url"`
	ClientIDs   types.Set        `tfsdk:"client_ids"`
	Thumbprints thumbprintsValue `tfsdk:"thumbprints"`
	Tags        types.Map        `tfsdk:"tags"`
	TagsAll     types.Map        `tfsdk:"tags_all"`
	ARN         types.String     `tfsdk:"arn"`
}

func (r *providerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_provider"
}

func (r *providerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An IAM OpenID Connect identity provider: the object that lets IAM roles trust tokens from an " +
			"identity provider (Okta, Auth0, Keycloak, GitHub Actions, GitLab, EKS, HCP Terraform, …).\n\n" +
			"The URL is checked at plan time against IAM's rules. Client IDs and thumbprints change in place; " +
			"thumbprints compare case-insensitively; client ID order never matters.",
		Attributes: map[string]schema.Attribute{
			// Required attributes
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Issuer URL, exactly as the identity provider writes it in the `iss` claim of its tokens: `https://`, " +
					"no port, no query, no fragment, at most 255 characters. A trailing slash is significant: " +
					"`https://tenant.auth0.com/` and `https://tenant.auth0.com` are different providers. " +
					"Google, Facebook, Login with Amazon and Cognito identity pools are built into AWS and need no provider. Changing it replaces the provider.",
				Validators:    []validator.String{providerURLValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"client_ids": schema.SetAttribute{
				Required:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Client IDs (audiences) tokens may be issued to: 1 to 100, each 1 to 255 characters. For GitHub Actions and EKS this is usually `sts.amazonaws.com`. Changed in place.",
				Validators:          []validator.Set{clientIDsValidator{}},
			},
			// Optional attributes
			"thumbprints": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				CustomType:  newThumbprintsType(),
				MarkdownDescription: "SHA-1 thumbprints of the certificate that signs the identity provider's TLS certificate, as `awsoidc_thumbprint` returns them: 0 to 5, " +
					"each 40 hexadecimal characters, compared case-insensitively. When omitted, IAM derives one itself. " +
					"IAM refuses an empty list, so removing thumbprints from the configuration keeps those IAM has (a warning says so).",
				Validators:    []validator.Set{thumbprintsValidator{}},
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown(), keepPriorThumbprintSpelling{}},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags for the provider: at most 50, keys 1 to 128 characters, values up to 256. Merged over the provider's `default_tags`.",
				Validators:          tagsValidators(),
			},
			// Computed attributes
			"tags_all": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "All tags of the provider, `default_tags` included.",
			},
			"arn": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "ARN of the provider: `arn:<partition>:iam::<account>:oidc-provider/<host><path>`. Use it as `provider_arn` of `awsoidc_role`. " +
					"Known at plan time, since it follows from the partition, the account and `url`, so a role trusting a provider created in the same apply " +
					"is fully checked and rendered by `terraform plan`. Only when the provider configuration skips the account lookup " +
					"(`skip_credentials_validation` and `skip_requesting_account_id` both set) is it known after apply.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *providerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *providerResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m providerResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A URL IAM accepts that still never matches the issuer's tokens.
	if !m.URL.IsNull() && !m.URL.IsUnknown() {
		if u, err := oidcurl.Parse(m.URL.ValueString()); err == nil {
			for _, la := range trustpolicy.LookAlikes(u.Key()) {
				resp.Diagnostics.AddAttributeWarning(path.Root("url"), findingSummary(trustpolicy.RuleIssuerLookAlike), fmt.Sprintf("%q: %s", u.String(), la.Message))
			}
		}
	}
	if m.Thumbprints.IsNull() || m.Thumbprints.IsUnknown() {
		return
	}
	// IAM keeps each thumbprint once; two spellings of one would mean the configuration
	// and IAM never agree on how many there are.
	seen := map[string]string{}
	for _, e := range m.Thumbprints.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			continue
		}
		low := strings.ToLower(s.ValueString())
		if prev, dup := seen[low]; dup {
			resp.Diagnostics.AddAttributeError(path.Root("thumbprints"), "Duplicate Thumbprint",
				fmt.Sprintf("%q and %q are the same thumbprint in different case. Keep one.", prev, s.ValueString()))
		}
		seen[low] = s.ValueString()
	}
}

func (r *providerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var plan, config providerResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
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

	// The ARN follows from partition, account and URL; planning it lets a role that trusts
	// this provider be rendered and checked by terraform plan, before anything is created.
	if plan.ARN.IsUnknown() && !plan.URL.IsUnknown() && r.data != nil && r.data.aws != nil && r.data.aws.AccountID != "" {
		if u, err := oidcurl.Parse(plan.URL.ValueString()); err == nil {
			plan.ARN = types.StringValue(u.ProviderARN(r.data.aws.Partition, r.data.aws.AccountID))
		}
	}

	if !req.State.Raw.IsNull() && config.Thumbprints.IsNull() {
		configured, d := req.Private.GetKey(ctx, privateThumbprintsConfigured)
		resp.Diagnostics.Append(d...)
		if string(configured) == "true" && len(plan.Thumbprints.Elements()) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("thumbprints"), "Thumbprints Kept",
				fmt.Sprintf("thumbprints was removed from the configuration, but IAM refuses an empty thumbprint list, so the %d thumbprint(s) IAM has are kept. "+
					"IAM verifies the identity provider against its trusted root CAs and uses thumbprints only as a fallback. "+
					"To change them, set thumbprints to the new list.", len(plan.Thumbprints.Elements())))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *providerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan providerResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clientIDs := setStrings(ctx, plan.ClientIDs, &resp.Diagnostics)
	thumbprints := lowerAll(setStrings(ctx, plan.Thumbprints.SetValue, &resp.Diagnostics))
	tagsAll := stringMap(ctx, plan.TagsAll, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	in := &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String(plan.URL.ValueString()),
		ClientIDList:   clientIDs,
		ThumbprintList: thumbprints,
		Tags:           iamTags(tagsAll),
	}
	arn, err := createOIDCProvider(ctx, r.data.aws, in)
	if err != nil {
		if awsclient.IsAlreadyExists(err) {
			u, _ := oidcurl.Parse(plan.URL.ValueString())
			how := "import it by its ARN, which data \"awsoidc_provider\" with url = " + strconv.Quote(plan.URL.ValueString()) + " reads"
			if r.data.aws.AccountID != "" {
				arn := u.ProviderARN(r.data.aws.Partition, r.data.aws.AccountID)
				how = fmt.Sprintf("import it: an import block with this resource's address in to and id = %q, or terraform import with this resource's address and %s", arn, arn)
			}
			resp.Diagnostics.AddAttributeError(path.Root("url"), "OIDC Provider Already Exists",
				fmt.Sprintf("IAM already has an OIDC provider for %s; an account has one provider per URL. To manage it with this resource, %s. "+
					"To use it without managing it, remove this resource and read the provider with data \"awsoidc_provider\".",
					plan.URL.ValueString(), how))
			return
		}
		resp.Diagnostics.AddError("Cannot Create OIDC Provider", describeAWSError(err))
		return
	}

	// Save the ARN before anything else can fail, so the new provider is never orphaned.
	planned := plan.ARN
	plan.ARN = types.StringValue(arn)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateThumbprintsConfigured, boolJSON(len(thumbprints) > 0))...)
	tflog.Info(ctx, "created IAM OIDC provider", map[string]any{"arn": plan.ARN.ValueString()})
	if !planned.IsUnknown() && !planned.IsNull() && planned.ValueString() != plan.ARN.ValueString() {
		// Roles were planned with the planned ARN; they must not be created with it.
		resp.Diagnostics.AddAttributeError(path.Root("arn"), "Unexpected OIDC Provider ARN",
			fmt.Sprintf("The plan said IAM would name this provider %s, but IAM named it %s. "+
				"This is a bug in the provider; please report it. The provider exists and is kept in state under IAM's ARN, so nothing is orphaned; "+
				"resources that trust it were planned with the other ARN, and this apply leaves them alone. Until it is fixed, set skip_credentials_validation and skip_requesting_account_id to true "+
				"in the provider configuration (the ARN is then known only after apply) and run terraform untaint on this resource before applying again.",
				planned.ValueString(), plan.ARN.ValueString()))
		return
	}

	found, diags := r.read(ctx, &plan, plan.Tags.IsNull())
	resp.Diagnostics.Append(diags...)
	if diags.HasError() || !found {
		if !found {
			resp.Diagnostics.AddError("OIDC Provider Vanished", "IAM created "+plan.ARN.ValueString()+" but could not find it right after. Run terraform apply again.")
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// createOIDCProvider calls CreateOpenIDConnectProvider and returns the new provider's ARN.
// When a retry is answered "already exists" (an earlier attempt created the provider but
// its answer was lost), the provider is taken as created if it is the one asked for (same
// URL, client IDs, tags, and thumbprints when some were given), rather than orphaned.
func createOIDCProvider(ctx context.Context, c *awsclient.Client, in *iam.CreateOpenIDConnectProviderInput) (string, error) {
	attempts := 0
	out, err := c.IAM.CreateOpenIDConnectProvider(ctx, in, countAttempts(&attempts))
	if err == nil {
		return aws.ToString(out.OpenIDConnectProviderArn), nil
	}
	if !awsclient.IsAlreadyExists(err) || attempts < 2 {
		return "", err
	}
	u, perr := oidcurl.Parse(aws.ToString(in.Url))
	if perr != nil {
		return "", err
	}
	arn := u.ProviderARN(c.Partition, c.AccountID)
	p, gerr := getOIDCProvider(ctx, c.IAM, arn)
	if gerr != nil || !isProviderAskedFor(p, in) {
		return "", err
	}
	tflog.Warn(ctx, "CreateOpenIDConnectProvider was retried after an attempt whose answer was lost; the provider it created is used", map[string]any{"arn": arn})
	return arn, nil
}

// isProviderAskedFor reports whether IAM's provider is the one in asked to create.
func isProviderAskedFor(p *oidcProvider, in *iam.CreateOpenIDConnectProviderInput) bool {
	wantTags := map[string]string{}
	for _, t := range in.Tags {
		wantTags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return oidcurl.Equal(aws.ToString(in.Url), p.url) &&
		sameStringSet(p.clientIDs, in.ClientIDList) &&
		(len(in.ThumbprintList) == 0 || sameStringSet(p.thumbprints, lowerAll(in.ThumbprintList))) &&
		maps.Equal(p.tags, wantTags)
}

func sameStringSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func (r *providerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state providerResourceModel
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
		tflog.Warn(ctx, "IAM OIDC provider not found; removing it from state", map[string]any{"arn": state.ARN.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// read refreshes m from IAM by its ARN. It reports found=false when IAM has no such provider.
func (r *providerResource) read(ctx context.Context, m *providerResourceModel, tagsWereNull bool) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	arn := m.ARN.ValueString()
	p, err := getOIDCProvider(ctx, r.data.aws.IAM, arn)
	if awsclient.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		diags.AddError("Cannot Read OIDC Provider", fmt.Sprintf("Reading %s: %s", arn, describeAWSError(err)))
		return false, diags
	}

	// IAM returns the URL without its scheme; keep the configured spelling when it names the
	// same provider, so `https://x` in configuration never diffs against IAM's `x`.
	if m.URL.IsNull() || !oidcurl.Equal(m.URL.ValueString(), p.url) {
		m.URL = types.StringValue(oidcurl.FromKey(p.url))
	}
	m.ClientIDs = stringSet(p.clientIDs)
	m.Thumbprints = thumbprintsFromStrings(p.thumbprints)

	var configured map[string]string
	if !m.Tags.IsNull() && !m.Tags.IsUnknown() {
		configured = stringMap(ctx, m.Tags, &diags)
	}
	m.TagsAll = tagsValue(p.tags, false)
	m.Tags = tagsValue(ownTags(p.tags, r.data.defaultTags, configured), tagsWereNull)
	return true, diags
}

func (r *providerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config providerResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	arn := aws.String(state.ARN.ValueString())
	api := r.data.aws.IAM

	oldIDs := setStrings(ctx, state.ClientIDs, &resp.Diagnostics)
	newIDs := setStrings(ctx, plan.ClientIDs, &resp.Diagnostics)
	// Add before removing, so the provider never has fewer audiences than both versions share.
	for _, id := range newIDs {
		if !slices.Contains(oldIDs, id) {
			if _, err := api.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String(id)}); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("client_ids"), "Cannot Add Client ID", fmt.Sprintf("Adding %q to %s: %s", id, *arn, describeAWSError(err)))
				return
			}
		}
	}
	for _, id := range oldIDs {
		if !slices.Contains(newIDs, id) {
			if _, err := api.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String(id)}); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("client_ids"), "Cannot Remove Client ID", fmt.Sprintf("Removing %q from %s: %s", id, *arn, describeAWSError(err)))
				return
			}
		}
	}

	if !config.Thumbprints.IsNull() {
		newTP := lowerAll(setStrings(ctx, plan.Thumbprints.SetValue, &resp.Diagnostics))
		oldTP := lowerAll(setStrings(ctx, state.Thumbprints.SetValue, &resp.Diagnostics))
		slices.Sort(newTP)
		slices.Sort(oldTP)
		if !slices.Equal(newTP, oldTP) && len(newTP) > 0 {
			if _, err := api.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: newTP}); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("thumbprints"), "Cannot Update Thumbprints", describeAWSError(err))
				return
			}
		}
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateThumbprintsConfigured, boolJSON(!config.Thumbprints.IsNull()))...)

	untag, tag := tagDiff(stringMap(ctx, state.TagsAll, &resp.Diagnostics), stringMap(ctx, plan.TagsAll, &resp.Diagnostics))
	if len(untag) > 0 {
		if _, err := api.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: untag}); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Cannot Remove Tags", describeAWSError(err))
			return
		}
	}
	if len(tag) > 0 {
		if _, err := api.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: iamTags(tag)}); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Cannot Add Tags", describeAWSError(err))
			return
		}
	}

	found, diags := r.read(ctx, &plan, plan.Tags.IsNull())
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddError("OIDC Provider Vanished", *arn+" was deleted while it was being updated.")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *providerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state providerResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, err := r.data.aws.IAM.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(state.ARN.ValueString()),
	})
	if err != nil && !awsclient.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot Delete OIDC Provider", fmt.Sprintf("Deleting %s: %s", state.ARN.ValueString(), describeAWSError(err)))
	}
}

func (r *providerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if _, err := oidcurl.ParseProviderARN(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import an OIDC provider by its ARN: %s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("arn"), req.ID)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateThumbprintsConfigured, boolJSON(false))...)
}

// oidcProvider is what IAM knows about one provider.
type oidcProvider struct {
	arn         string
	url         string // without scheme, as IAM returns it
	clientIDs   []string
	thumbprints []string
	tags        map[string]string
}

func getOIDCProvider(ctx context.Context, api awsclient.IAMAPI, arn string) (*oidcProvider, error) {
	out, err := api.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	p := &oidcProvider{
		arn:         arn,
		url:         aws.ToString(out.Url),
		clientIDs:   out.ClientIDList,
		thumbprints: lowerAll(out.ThumbprintList),
		tags:        map[string]string{},
	}
	// Get returns every tag of the provider (at most 50; the answer has no marker for a
	// partial list), so one call reads the whole provider.
	for _, t := range out.Tags {
		p.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return p, nil
}

func iamTags(m map[string]string) []iamtypes.Tag {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]iamtypes.Tag, 0, len(m))
	for _, k := range keys {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

func boolJSON(b bool) []byte {
	if b {
		return []byte("true")
	}
	return []byte("false")
}
