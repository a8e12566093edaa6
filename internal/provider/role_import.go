package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// Importing a role: the ID, the trust blocks rebuilt from IAM's policy, and the state
// written by earlier versions of this resource.

func (r *roleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, ok := roleNameFromImportID(req.ID)
	if !ok {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Import a role by its name (1 to 64 letters, digits and +=,.@_-) or its role ARN; found %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}

// roleNameFromImportID accepts a role name or a role ARN, which names the role after the
// last slash of its path.
func roleNameFromImportID(id string) (string, bool) {
	name := id
	if strings.HasPrefix(id, "arn:") {
		if !strings.Contains(id, ":role/") {
			return "", false
		}
		name = id[strings.LastIndex(id, "/")+1:]
	}
	if len(name) > maxRoleNameLen || !roleNamePattern.MatchString(name) {
		return "", false
	}
	return name, true
}

// trustFromPolicy rebuilds trust blocks from a trust policy IAM returned, for a role read
// without them (imported). What no block can say is listed in one warning.
func trustFromPolicy(name, doc string, diags *diag.Diagnostics) types.List {
	inf, err := trustpolicy.Infer(doc)
	if err != nil {
		diags.AddAttributeWarning(path.Root(trustpolicy.AttrTrust), "Trust Policy Not Read",
			fmt.Sprintf("The trust policy of role %q could not be read into trust blocks: %s. "+
				"Write the trust blocks yourself; until then, plan refuses the role for lacking them.", name, err))
		return trustListFromSpec(trustpolicy.Spec{}, diags)
	}
	if len(inf.Unexpressed) > 0 {
		diags.AddAttributeWarning(path.Root(trustpolicy.AttrTrust), "Trust Policy Not Fully Expressible",
			fmt.Sprintf("The trust policy of role %q says what no trust block can say:\n  - %s\n\n"+
				"The trust blocks hold everything else. A plan with them would replace IAM's trust policy with the one they build, "+
				"dropping the parts above; terraform plan shows that change before anything is written. To keep those parts, "+
				"move them to a role of their own (for example one that a principal of type AWS assumes), "+
				"or manage this role with a resource that takes the policy document as written, such as aws_iam_role.",
				name, strings.Join(inf.Unexpressed, "\n  - ")))
	}
	return trustListFromSpec(inf.Spec, diags)
}

var conditionObjectType = types.ObjectType{AttrTypes: conditionAttrTypes}

// trustListFromSpec is the Terraform value of trust blocks for a Spec: unset fields null,
// no condition blocks an empty list (as Terraform reads a configuration without them).
func trustListFromSpec(spec trustpolicy.Spec, diags *diag.Diagnostics) types.List {
	str := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	set := func(vals []string) types.Set {
		if len(vals) == 0 {
			return types.SetNull(types.StringType)
		}
		return stringSet(vals)
	}
	setMap := func(entries map[string][]string) types.Map {
		if len(entries) == 0 {
			return types.MapNull(stringSetType)
		}
		elems := make(map[string]attr.Value, len(entries))
		for k, v := range entries {
			elems[k] = stringSet(v)
		}
		m, d := types.MapValue(stringSetType, elems)
		diags.Append(d...)
		return m
	}
	blocks := make([]attr.Value, 0, len(spec.Statements))
	for _, t := range spec.Statements {
		claims := map[string][]string{}
		for _, c := range t.Claims {
			claims[c.Claim] = append(claims[c.Claim], c.Values...)
		}
		sessionTags := types.ObjectNull(sessionTagsAttrTypes)
		if st := t.SessionTags; st != nil {
			requestTags := map[string][]string{}
			for _, rt := range st.RequestTags {
				requestTags[rt.Key] = append(requestTags[rt.Key], rt.Values...)
			}
			v, d := types.ObjectValue(sessionTagsAttrTypes, map[string]attr.Value{
				trustpolicy.AttrRequestTags:    setMap(requestTags),
				trustpolicy.AttrAllowedKeys:    set(st.AllowedKeys),
				trustpolicy.AttrTransitiveKeys: set(st.TransitiveKeys),
			})
			diags.Append(d...)
			sessionTags = v
		}
		conds := make([]attr.Value, 0, len(t.Conditions))
		for _, c := range t.Conditions {
			v, d := types.ObjectValue(conditionAttrTypes, map[string]attr.Value{
				trustpolicy.AttrTest:     types.StringValue(c.Test),
				trustpolicy.AttrVariable: types.StringValue(c.Variable),
				trustpolicy.AttrValues:   stringSet(c.Values),
			})
			diags.Append(d...)
			conds = append(conds, v)
		}
		condList, d := types.ListValue(conditionObjectType, conds)
		diags.Append(d...)
		block, d := types.ObjectValue(trustAttrTypes, map[string]attr.Value{
			trustpolicy.AttrProviderARN:     str(t.ProviderARN),
			trustpolicy.AttrBuiltIn:         str(t.BuiltIn),
			trustpolicy.AttrAudiences:       set(t.Audiences),
			trustpolicy.AttrSubjects:        set(t.Subjects),
			trustpolicy.AttrClaims:          setMap(claims),
			trustpolicy.AttrAllowAnySubject: types.BoolNull(),
			trustpolicy.AttrSessionTags:     sessionTags,
			trustpolicy.AttrCondition:       condList,
		})
		diags.Append(d...)
		blocks = append(blocks, block)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: trustAttrTypes}, blocks)
	diags.Append(d...)
	return list
}

// UpgradeState brings state written by earlier versions of this resource to version 2.
// The framework runs only the upgrader for the state's own version, so each goes straight
// to version 2:
//   - version 0 stored max_session_duration as 3600 when it was not configured; since
//     version 1 it is null then (see the attribute);
//   - versions 0 and 1 stored max_session_duration and trust_policy_size_quota as numbers;
//     since version 2 they are strings holding the number (see numberAsStringNote).
func (r *roleResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: upgradeRoleStateV0},
		1: {StateUpgrader: upgradeRoleStateV1},
	}
}

// roleNumberAttributes are the attributes version 2 turned from numbers into strings.
var roleNumberAttributes = []string{"max_session_duration", "trust_policy_size_quota"}

func upgradeRoleStateV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	upgradeRoleState(ctx, req, resp, func(attrs map[string]json.RawMessage) {
		if v, ok := attrs["max_session_duration"]; ok && strings.TrimSpace(string(v)) == fmt.Sprint(minSessionDuration) {
			attrs["max_session_duration"] = json.RawMessage("null")
		}
	})
}

func upgradeRoleStateV1(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	upgradeRoleState(ctx, req, resp, nil)
}

// upgradeRoleState applies the changes of one version's upgrade (before, if any), then
// turns the number attributes into strings.
func upgradeRoleState(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse, before func(map[string]json.RawMessage)) {
	if req.RawState == nil || req.RawState.JSON == nil {
		resp.Diagnostics.AddError("Cannot Upgrade Role State", "The prior state has no JSON to upgrade. This is a bug in the provider; please report it.")
		return
	}
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(req.RawState.JSON, &attrs); err != nil {
		resp.Diagnostics.AddError("Cannot Upgrade Role State", fmt.Sprintf("The prior state is not a JSON object: %s. This is a bug in the provider; please report it.", err))
		return
	}
	if before != nil {
		before(attrs)
	}
	for _, name := range roleNumberAttributes {
		v, ok := attrs[name]
		if !ok {
			continue
		}
		s, err := numberAsString(v)
		if err != nil {
			resp.Diagnostics.AddError("Cannot Upgrade Role State", fmt.Sprintf("%s in the prior state: %s. This is a bug in the provider; please report it.", name, err))
			return
		}
		attrs[name] = s
	}
	out, err := json.Marshal(attrs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Upgrade Role State", err.Error())
		return
	}
	resp.DynamicValue = &tfprotov6.DynamicValue{JSON: out}
}

// numberAsString turns a JSON number into the JSON string of its decimal digits, as
// Terraform converts a whole number to a string; null, and a string already, stay as they
// are.
func numberAsString(v json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case nil, string:
		return v, nil
	case json.Number:
		s := x.String()
		// Terraform writes whole numbers as digits; read 7.2e3 or 7200.0 the same way.
		if f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven); err == nil && f.IsInt() {
			i, _ := f.Int(nil)
			s = i.String()
		}
		return json.Marshal(s)
	}
	return nil, fmt.Errorf("found %s, expected a number or null", v)
}
