package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// policyDocumentsType is a map of policy name to policy JSON whose documents compare by
// meaning: reformatted JSON, reordered members and a single value written as a list are the
// same policy, and never show a diff.
//
// Equality is decided for the whole map: Terraform accepts a planned value only when it is
// the configured or the prior one, so a map mixing prior and configured documents would be
// refused. When any document really changed, the configured map is planned as written.
type policyDocumentsType struct {
	basetypes.MapType
}

var (
	_ basetypes.MapTypable                    = policyDocumentsType{}
	_ basetypes.MapValuableWithSemanticEquals = policyDocumentsValue{}
)

func newPolicyDocumentsType() policyDocumentsType {
	return policyDocumentsType{MapType: basetypes.MapType{ElemType: types.StringType}}
}

func (t policyDocumentsType) Equal(o attr.Type) bool {
	other, ok := o.(policyDocumentsType)
	return ok && t.MapType.Equal(other.MapType)
}

func (t policyDocumentsType) String() string { return "policyDocumentsType" }

func (t policyDocumentsType) ValueFromMap(_ context.Context, in basetypes.MapValue) (basetypes.MapValuable, diag.Diagnostics) {
	return policyDocumentsValue{MapValue: in}, nil
}

func (t policyDocumentsType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.MapType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	mv, ok := v.(basetypes.MapValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return policyDocumentsValue{MapValue: mv}, nil
}

func (t policyDocumentsType) ValueType(context.Context) attr.Value {
	return policyDocumentsValue{MapValue: basetypes.NewMapNull(types.StringType)}
}

type policyDocumentsValue struct {
	basetypes.MapValue
}

func (v policyDocumentsValue) Type(context.Context) attr.Type { return newPolicyDocumentsType() }

func (v policyDocumentsValue) Equal(o attr.Value) bool {
	other, ok := o.(policyDocumentsValue)
	return ok && v.MapValue.Equal(other.MapValue)
}

// MapSemanticEquals keeps the prior map when both name the same policies and each pair of
// documents means the same.
func (v policyDocumentsValue) MapSemanticEquals(_ context.Context, prior basetypes.MapValuable) (bool, diag.Diagnostics) {
	p, ok := prior.(policyDocumentsValue)
	if !ok || v.IsNull() || v.IsUnknown() || p.IsNull() || p.IsUnknown() {
		return false, nil
	}
	return sameDocuments(v.documents(), p.documents()), nil
}

// documents returns the known documents by name; unknown ones are left out.
func (v policyDocumentsValue) documents() map[string]string {
	out := map[string]string{}
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	for k, e := range v.Elements() {
		if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out[k] = s.ValueString()
		}
	}
	return out
}

// sameDocuments reports whether a and b name the same policies with equivalent documents.
func sameDocuments(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for name, doc := range a {
		other, ok := b[name]
		if !ok || !equivalentPolicies(doc, other) {
			return false
		}
	}
	return true
}

// equivalentPolicies is trustpolicy.Equivalent with "cannot tell" read as "different", so
// a document that does not parse is written rather than silently kept.
func equivalentPolicies(a, b string) bool {
	if a == b {
		return true
	}
	eq, err := trustpolicy.Equivalent(a, b)
	return err == nil && eq
}

func policyDocumentsFrom(in map[string]string) policyDocumentsValue {
	elems := make(map[string]attr.Value, len(in))
	for k, s := range in {
		elems[k] = types.StringValue(s)
	}
	return policyDocumentsValue{MapValue: basetypes.NewMapValueMust(types.StringType, elems)}
}

// keepEquivalentPolicyDocuments plans the prior documents when the configured ones mean
// the same: semantic equality covers what IAM returns, this covers configuration rewritten
// by hand (reformatted, members reordered, heredoc instead of jsonencode).
type keepEquivalentPolicyDocuments struct{}

var _ planmodifier.Map = keepEquivalentPolicyDocuments{}

func (keepEquivalentPolicyDocuments) Description(context.Context) string {
	return "policy documents that mean the same are the same"
}

func (m keepEquivalentPolicyDocuments) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepEquivalentPolicyDocuments) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	config := policyDocumentsValue{MapValue: req.ConfigValue}
	state := policyDocumentsValue{MapValue: req.StateValue}
	if len(config.documents()) == len(req.ConfigValue.Elements()) && sameDocuments(config.documents(), state.documents()) {
		resp.PlanValue = req.StateValue
	}
}
