package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

const (
	readPolicy        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	readReformatted   = "{\n  \"Statement\": {\n    \"Resource\": [\"*\"],\n    \"Action\": [\"s3:ListBucket\", \"s3:GetObject\", \"s3:GetObject\"],\n    \"Effect\": \"Allow\"\n  },\n  \"Version\": \"2012-10-17\"\n}\n"
	readURLEncoded    = `%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AListBucket%22%2C%22s3%3AGetObject%22%5D%2C%22Resource%22%3A%22%2A%22%7D%5D%7D`
	writePolicy       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`
	denyReadPolicy    = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	notAPolicyAtAll   = `s3:GetObject`
	notAPolicyButSame = `s3:GetObject`
)

func docs(m map[string]string) policyDocumentsValue { return policyDocumentsFrom(m) }

func TestRolePolicyDocuments_semanticEqualityIsByMeaningForTheWholeMap(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name        string
		proposed    policyDocumentsValue
		prior       basetypes.MapValuable
		usePrior    bool
		explanation string
	}{
		{"reformatted, reordered, duplicated and list-versus-single", docs(map[string]string{"read": readReformatted}), docs(map[string]string{"read": readPolicy}), true, ""},
		{"URL-encoded as IAM returns it", docs(map[string]string{"read": readURLEncoded}), docs(map[string]string{"read": readPolicy}), true, ""},
		{"identical text that is not a policy", docs(map[string]string{"x": notAPolicyAtAll}), docs(map[string]string{"x": notAPolicyButSame}), true, ""},
		{"both empty", docs(map[string]string{}), docs(map[string]string{}), true, ""},
		{"effect changed", docs(map[string]string{"read": denyReadPolicy}), docs(map[string]string{"read": readPolicy}), false, "a real change"},
		{"renamed", docs(map[string]string{"get": readPolicy}), docs(map[string]string{"read": readPolicy}), false, "names are part of the value"},
		{"one added", docs(map[string]string{"read": readPolicy, "write": writePolicy}), docs(map[string]string{"read": readPolicy}), false, ""},
		{"one removed", docs(map[string]string{}), docs(map[string]string{"read": readPolicy}), false, ""},
		{"one reformatted and one changed", docs(map[string]string{"read": readReformatted, "write": denyReadPolicy}), docs(map[string]string{"read": readPolicy, "write": writePolicy}), false,
			"Terraform accepts only the configured or the prior map, never a mix"},
		{"prior null", docs(map[string]string{"read": readPolicy}), policyDocumentsValue{MapValue: types.MapNull(types.StringType)}, false, ""},
		{"prior of another type", docs(map[string]string{"read": readPolicy}), types.MapValueMust(types.StringType, map[string]attr.Value{"read": types.StringValue(readPolicy)}), false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, diags := c.proposed.MapSemanticEquals(ctx, c.prior)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if got != c.usePrior {
				t.Errorf("MapSemanticEquals = %v, want %v %s", got, c.usePrior, c.explanation)
			}
		})
	}
}

func TestRolePolicyDocuments_typeRoundTripsThroughTerraformValues(t *testing.T) {
	ctx := context.Background()
	typ := newPolicyDocumentsType()
	v := docs(map[string]string{"read": readPolicy})
	tv, err := v.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	back, err := typ.ValueFromTerraform(ctx, tv)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(v) {
		t.Errorf("round trip gave %v, want %v", back, v)
	}
	if !v.Type(ctx).Equal(typ) || typ.Equal(types.MapType{ElemType: types.StringType}) {
		t.Error("the custom type must equal itself and differ from a plain map of strings")
	}
}

func TestRolePolicyDocuments_planKeepsPriorDocumentsOnlyWhenAllMeanTheSame(t *testing.T) {
	ctx := context.Background()
	m := func(in map[string]string) types.Map { return docs(in).MapValue }
	prior := m(map[string]string{"read": readPolicy, "write": writePolicy})
	cases := []struct {
		name     string
		config   types.Map
		state    types.Map
		wantPlan types.Map
	}{
		{"reformatted", m(map[string]string{"read": readReformatted, "write": writePolicy}), prior, prior},
		{"one changed: the configuration as written",
			m(map[string]string{"read": readReformatted, "write": denyReadPolicy}), prior,
			m(map[string]string{"read": readReformatted, "write": denyReadPolicy})},
		{"no prior state", m(map[string]string{"read": readReformatted}), types.MapNull(types.StringType), m(map[string]string{"read": readReformatted})},
		{"configuration unset", types.MapNull(types.StringType), prior, types.MapNull(types.StringType)},
		{"a document not known yet",
			types.MapValueMust(types.StringType, map[string]attr.Value{"read": types.StringUnknown(), "write": types.StringValue(writePolicy)}), prior,
			types.MapValueMust(types.StringType, map[string]attr.Value{"read": types.StringUnknown(), "write": types.StringValue(writePolicy)})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := planmodifier.MapRequest{ConfigValue: c.config, StateValue: c.state, PlanValue: c.config}
			resp := &planmodifier.MapResponse{PlanValue: req.PlanValue}
			keepEquivalentPolicyDocuments{}.PlanModifyMap(ctx, req, resp)
			if !resp.PlanValue.Equal(c.wantPlan) {
				t.Errorf("planned %v, want %v", resp.PlanValue, c.wantPlan)
			}
		})
	}
}

func TestRoleDocumentForState_keepsPriorSpellingOrCanonicalizesIAMs(t *testing.T) {
	trustFromIAM := `{"Statement":[{"Action":"sts:AssumeRoleWithWebIdentity","Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/idp.example.com"}}],"Version":"2012-10-17"}`
	canonical := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\n        \"Federated\": \"arn:aws:iam::123456789012:oidc-provider/idp.example.com\"\n      },\n      \"Action\": \"sts:AssumeRoleWithWebIdentity\"\n    }\n  ]\n}"
	cases := []struct {
		name, fromIAM, prior string
		canonical            bool
		want                 string
	}{
		{"same meaning: prior kept", readPolicy, readReformatted, false, readReformatted},
		{"changed: IAM's text", denyReadPolicy, readPolicy, false, denyReadPolicy},
		{"no prior: IAM's text", readPolicy, "", false, readPolicy},
		{"trust policy without prior: canonical form", trustFromIAM, "", true, canonical},
		{"trust policy that does not parse: as IAM has it", notAPolicyAtAll, "", true, notAPolicyAtAll},
	}
	for _, c := range cases {
		if got := documentForState(c.fromIAM, c.prior, c.canonical); got != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

func TestRoleUniqueName_fitsIAMsLimitWithTheLongestPrefix(t *testing.T) {
	prefix := strings.Repeat("p", maxRoleNamePrefixLen)
	a, b := uniqueRoleName(prefix), uniqueRoleName(prefix)
	if len(a) != maxRoleNameLen {
		t.Errorf("name %q is %d characters, want exactly %d with a %d-character prefix", a, len(a), maxRoleNameLen, len(prefix))
	}
	if !roleNamePattern.MatchString(a) || !regexp.MustCompile(`^p{38}\d{14}[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("name %q is not prefix + timestamp + 12 hexadecimal digits", a)
	}
	if a == b {
		t.Errorf("two names in a row are both %q", a)
	}
}

func TestRoleImportState_acceptsANameOrAnARN(t *testing.T) {
	cases := map[string]string{
		"deploy": "deploy",
		"arn:aws:iam::123456789012:role/ci/deploy":  "deploy",
		"arn:aws-cn:iam::123456789012:role/a.b@c=d": "a.b@c=d",
	}
	for id, want := range cases {
		if got, ok := roleNameFromImportID(id); !ok || got != want {
			t.Errorf("roleNameFromImportID(%q) = %q, %v; want %q", id, got, ok, want)
		}
	}
	for _, id := range []string{"", "deploy role", "arn:aws:iam::123456789012:policy/x", strings.Repeat("a", 65)} {
		if got, ok := roleNameFromImportID(id); ok {
			t.Errorf("roleNameFromImportID(%q) = %q, want a refusal", id, got)
		}
	}
}
