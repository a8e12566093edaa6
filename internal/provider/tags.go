package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// IAM's tag limits.
const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

func tagsValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.SizeAtMost(maxTags),
		mapvalidator.KeysAre(
			stringvalidator.LengthBetween(1, maxTagKeyLen),
			stringvalidator.RegexMatches(tagCharacters, "may hold only letters, digits, spaces and _ . : / = + - @"),
			tagKeyPrefixValidator{},
		),
		mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(maxTagValueLen)),
	}
}

// mergeTags is default tags overlaid by the resource's own.
func mergeTags(defaults, own map[string]string) map[string]string {
	out := make(map[string]string, len(defaults)+len(own))
	maps.Copy(out, defaults)
	maps.Copy(out, own)
	return out
}

// ownTags is what of all tags belongs in `tags`: everything but default tags with their
// default values, unless the configuration names that key itself.
func ownTags(all, defaults, configured map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range all {
		if dv, isDefault := defaults[k]; isDefault && dv == v {
			if _, own := configured[k]; !own {
				continue
			}
		}
		out[k] = v
	}
	return out
}

// tagDiff lists what to untag and what to (re)tag to go from have to want.
func tagDiff(have, want map[string]string) (untag []string, tag map[string]string) {
	tag = map[string]string{}
	for k := range have {
		if _, ok := want[k]; !ok {
			untag = append(untag, k)
		}
	}
	for k, v := range want {
		if ov, ok := have[k]; !ok || ov != v {
			tag[k] = v
		}
	}
	return untag, tag
}

func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// tagsValue renders tags for state: null when empty and the prior value was null, so a
// configuration without tags never diffs against an empty map.
func tagsValue(in map[string]string, nullIfEmpty bool) types.Map {
	if len(in) == 0 && nullIfEmpty {
		return types.MapNull(types.StringType)
	}
	out, _ := types.MapValueFrom(context.Background(), types.StringType, in)
	return out
}

var tagCharacters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// tagKeyPrefixValidator refuses keys AWS reserves for itself.
type tagKeyPrefixValidator struct{}

func (tagKeyPrefixValidator) Description(context.Context) string {
	return "must not start with aws: (reserved by AWS)"
}

func (v tagKeyPrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (tagKeyPrefixValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if k := req.ConfigValue.ValueString(); strings.HasPrefix(strings.ToLower(k), "aws:") {
		resp.Diagnostics.AddAttributeError(req.Path, "Reserved Tag Key",
			fmt.Sprintf("Tag key %q starts with aws:, which AWS reserves for its own tags. Choose another key.", k))
	}
}
