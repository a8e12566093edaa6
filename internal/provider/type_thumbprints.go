package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// thumbprintsType is a set of certificate thumbprints compared case-insensitively: IAM
// returns lower case, people paste upper case, and neither should ever show a diff.
type thumbprintsType struct {
	basetypes.SetType
}

var (
	_ basetypes.SetTypable                    = thumbprintsType{}
	_ basetypes.SetValuableWithSemanticEquals = thumbprintsValue{}
)

func newThumbprintsType() thumbprintsType {
	return thumbprintsType{SetType: basetypes.SetType{ElemType: types.StringType}}
}

func (t thumbprintsType) Equal(o attr.Type) bool {
	other, ok := o.(thumbprintsType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t thumbprintsType) String() string { return "thumbprintsType" }

func (t thumbprintsType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return thumbprintsValue{SetValue: in}, nil
}

func (t thumbprintsType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	sv, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return thumbprintsValue{SetValue: sv}, nil
}

func (t thumbprintsType) ValueType(context.Context) attr.Value {
	return thumbprintsValue{SetValue: basetypes.NewSetNull(types.StringType)}
}

type thumbprintsValue struct {
	basetypes.SetValue
}

func (v thumbprintsValue) Type(context.Context) attr.Type { return newThumbprintsType() }

func (v thumbprintsValue) Equal(o attr.Value) bool {
	other, ok := o.(thumbprintsValue)
	return ok && v.SetValue.Equal(other.SetValue)
}

// SetSemanticEquals keeps the prior spelling when the thumbprints differ only in case.
func (v thumbprintsValue) SetSemanticEquals(_ context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, ok := prior.(thumbprintsValue)
	if !ok || v.IsNull() || v.IsUnknown() || p.IsNull() || p.IsUnknown() {
		return false, nil
	}
	return slices.Equal(lowerSorted(v.SetValue), lowerSorted(p.SetValue)), nil
}

func lowerSorted(s basetypes.SetValue) []string {
	out := make([]string, 0, len(s.Elements()))
	for _, e := range s.Elements() {
		if sv, ok := e.(types.String); ok {
			out = append(out, strings.ToLower(sv.ValueString()))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func thumbprintsFromStrings(in []string) thumbprintsValue {
	elems := make([]attr.Value, 0, len(in))
	for _, s := range in {
		elems = append(elems, types.StringValue(s))
	}
	return thumbprintsValue{SetValue: basetypes.NewSetValueMust(types.StringType, elems)}
}

// keepPriorThumbprintSpelling plans the prior value when the configuration differs from it
// only in case or order, which Terraform allows for functionally equal values.
type keepPriorThumbprintSpelling struct{}

var _ planmodifier.Set = keepPriorThumbprintSpelling{}

func (keepPriorThumbprintSpelling) Description(context.Context) string {
	return "thumbprints that differ only in case are the same"
}

func (m keepPriorThumbprintSpelling) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepPriorThumbprintSpelling) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if req.StateValue.IsNull() || req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if slices.Equal(lowerSorted(req.ConfigValue), lowerSorted(req.StateValue)) {
		resp.PlanValue = req.StateValue
	}
}
