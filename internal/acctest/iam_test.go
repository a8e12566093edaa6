package acctest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	tfjson "github.com/hashicorp/terraform-json"
)

func TestReadIAM_readsEveryAttributeOfTheObjectsInScopeOnly(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	ctx := context.Background()
	c := m.IAMClient()
	token := uniqueName("snap")
	scope := IAMScope{ProviderHostContains: "." + token + ".", RoleNamePrefix: token + "-"}

	mustCreateProvider := func(host string, clientIDs, thumbprints []string, tags map[string]string) string {
		t.Helper()
		out, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://" + host), ClientIDList: clientIDs, ThumbprintList: thumbprints, Tags: sdkTags(tags),
		})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(out.OpenIDConnectProviderArn)
		t.Cleanup(func() {
			_, _ = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		})
		return arn
	}
	inScope := mustCreateProvider("idp."+token+".example.com/tenant", []string{"b", "a"}, []string{strings.Repeat("AB", 20)}, map[string]string{"team": "x"})
	mustCreateProvider("idp."+token+"-other.example.com", []string{"a"}, nil, nil) // another test's

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + inScope + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	policy, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(token + "-p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	policyARN := aws.ToString(policy.Policy.Arn)
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, name := range []string{token + "-role", token + "x-not-ours"} {
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String("/ci/"),
			AssumeRolePolicyDocument: aws.String(trust), Tags: sdkTags(map[string]string{"env": "test"})}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(policyARN)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("objects"), PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(policyARN)})
			_, _ = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("objects")})
			_, _ = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		})
	}
	t.Cleanup(func() { _, _ = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)}) })

	snap, err := m.ReadIAM(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	wantProviders := []IAMProvider{{
		ARN: inScope, URL: "idp." + token + ".example.com/tenant",
		ClientIDs: []string{"a", "b"}, Thumbprints: []string{strings.Repeat("ab", 20)}, Tags: map[string]string{"team": "x"},
	}}
	if !reflect.DeepEqual(snap.Providers, wantProviders) {
		t.Errorf("providers\n%+v\nexpected\n%+v", snap.Providers, wantProviders)
	}
	if len(snap.Roles) != 1 {
		t.Fatalf("roles %+v, expected exactly %s-role", snap.Roles, token)
	}
	r := snap.Roles[0]
	if r.Name != token+"-role" || r.ARN != "arn:aws:iam::"+AccountID+":role/ci/"+token+"-role" || r.Path != "/ci/" || !strings.HasPrefix(r.ID, "AROA") {
		t.Errorf("role %+v: expected name, ARN with path /ci/ and an AROA ID", r)
	}
	if !samePolicy(r.TrustPolicy, trust) {
		t.Errorf("trust policy %q, expected one meaning %q", r.TrustPolicy, trust)
	}
	if !reflect.DeepEqual(r.ManagedPolicies, []string{policyARN}) || len(r.InlinePolicies) != 1 || !samePolicy(r.InlinePolicies["objects"], inline) {
		t.Errorf("policies: managed %v, inline %v", r.ManagedPolicies, r.InlinePolicies)
	}
	if !reflect.DeepEqual(r.Tags, map[string]string{"env": "test"}) {
		t.Errorf("tags %v", r.Tags)
	}
	if snap.Count() != 2 {
		t.Errorf("Count() = %d, expected 2", snap.Count())
	}
}

func sdkTags(m map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for k, v := range m {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

func TestReadIAM_refusesAScopeThatWouldReadOtherTestsObjects(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	for _, scope := range []IAMScope{{}, {ProviderHostContains: "x"}, {RoleNamePrefix: "x"}} {
		if _, err := m.ReadIAM(context.Background(), scope); err == nil {
			t.Errorf("ReadIAM(%+v) read everything, expected an error", scope)
		}
	}
}

const (
	arnA = "arn:aws:iam::123456789012:oidc-provider/a.example.com"
	arnB = "arn:aws:iam::123456789012:oidc-provider/b.example.com"
)

func trustFor(arn, sub string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + arn + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:sub":"` + sub + `"}}}]}`
}

// iamWorld is two providers and a role, as IAM holds them.
func iamWorld() *IAMSnapshot {
	return &IAMSnapshot{
		Providers: []IAMProvider{
			{ARN: arnA, URL: "a.example.com", ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{strings.Repeat("ab", 20)}, Tags: map[string]string{"k": "v"}},
			{ARN: arnB, URL: "b.example.com", ClientIDs: []string{"x", "y"}, Tags: map[string]string{}},
		},
		Roles: []IAMRole{{
			Name: "deploy", ARN: "arn:aws:iam::123456789012:role/deploy", ID: "AROAEXAMPLE", Path: "/",
			TrustPolicy:     trustFor(arnA, "repo:o/r"),
			ManagedPolicies: []string{"arn:aws:iam::123456789012:policy/p"},
			InlinePolicies:  map[string]string{"objects": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`},
			Tags:            map[string]string{},
		}},
	}
}

// stateWorld is the Terraform state that matches iamWorld, written as Terraform would:
// upper-case thumbprints as configured, URLs with their scheme, the trust policy with
// another layout and a single value written as a list.
func stateWorld() *tfjson.State {
	return &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{Resources: []*tfjson.StateResource{
		{Address: "awsoidc_provider.a", Mode: tfjson.ManagedResourceMode, Type: TypeProvider, AttributeValues: map[string]any{
			"arn": arnA, "url": "https://a.example.com", "client_ids": []any{"sts.amazonaws.com"},
			"thumbprints": []any{strings.Repeat("AB", 20)}, "tags_all": map[string]any{"k": "v"},
		}},
		{Address: "awsoidc_provider.b", Mode: tfjson.ManagedResourceMode, Type: TypeProvider, AttributeValues: map[string]any{
			"arn": arnB, "url": "https://b.example.com", "client_ids": []any{"y", "x"}, "thumbprints": []any{}, "tags_all": map[string]any{},
		}},
		{Address: "awsoidc_role.deploy", Mode: tfjson.ManagedResourceMode, Type: TypeRole, AttributeValues: map[string]any{
			"name": "deploy", "arn": "arn:aws:iam::123456789012:role/deploy", "unique_id": "AROAEXAMPLE", "path": "/",
			"assume_role_policy": "{\n  \"Statement\": [{\"Action\": [\"sts:AssumeRoleWithWebIdentity\"], \"Effect\": \"Allow\",\n" +
				"  \"Condition\": {\"StringEquals\": {\"x:sub\": [\"repo:o/r\"]}}, \"Principal\": {\"Federated\": [\"" + arnA + "\"]}}],\n  \"Version\": \"2012-10-17\"\n}",
			"managed_policy_arns": []any{"arn:aws:iam::123456789012:policy/p"},
			"inline_policies":     map[string]any{"objects": `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},"Version":"2012-10-17"}`},
			"tags_all":            map[string]any{},
		}},
		{Address: "data.awsoidc_provider.x", Mode: tfjson.DataResourceMode, Type: TypeProvider, AttributeValues: map[string]any{"arn": "ignored"}},
	}}}}
}

func attrs(s *tfjson.State, address string) map[string]any {
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues
		}
	}
	panic("no resource " + address)
}

func TestCompareIAM_findsEveryWayStateAndIAMCanDisagree(t *testing.T) {
	tests := []struct {
		name   string
		change func(*IAMSnapshot, *tfjson.State)
		want   IAMDiff // only the lengths of its lists are compared
		phrase string  // in Err()
	}{
		{name: "agree by meaning", change: func(*IAMSnapshot, *tfjson.State) {}},
		{
			name: "swapped ARNs",
			change: func(_ *IAMSnapshot, s *tfjson.State) {
				attrs(s, "awsoidc_provider.a")["arn"], attrs(s, "awsoidc_provider.b")["arn"] = arnB, arnA
			},
			// Each provider's URL, client IDs, thumbprints and tags are IAM's for the other.
			want:   IAMDiff{Mismatches: make([]string, 8)},
			phrase: "awsoidc_provider.a.url: state https://a.example.com, IAM b.example.com",
		},
		{
			name:   "state holds an ARN IAM lacks",
			change: func(_ *IAMSnapshot, s *tfjson.State) { attrs(s, "awsoidc_provider.b")["arn"] = arnB + "x" },
			want:   IAMDiff{Missing: make([]string, 1), Orphans: make([]string, 1)},
			phrase: "in IAM but not in state (orphans):\n  OIDC provider " + arnB,
		},
		{
			name: "two resources hold one provider",
			change: func(_ *IAMSnapshot, s *tfjson.State) {
				b := attrs(s, "awsoidc_provider.b")
				b["arn"], b["url"], b["client_ids"], b["thumbprints"], b["tags_all"] = arnA, "https://a.example.com", []any{"sts.amazonaws.com"}, []any{strings.Repeat("ab", 20)}, map[string]any{"k": "v"}
			},
			want:   IAMDiff{Duplicates: make([]string, 1), Orphans: make([]string, 1)},
			phrase: "provider " + arnA + " held by awsoidc_provider.a, awsoidc_provider.b",
		},
		{
			name: "IAM holds a role state lacks",
			change: func(i *IAMSnapshot, _ *tfjson.State) {
				i.Roles = append(i.Roles, IAMRole{Name: "None", ARN: "arn:aws:iam::123456789012:role/None", TrustPolicy: `{"Vers`})
			},
			want:   IAMDiff{Orphans: make([]string, 1)},
			phrase: "role None",
		},
		{
			name:   "state holds a role IAM lacks",
			change: func(i *IAMSnapshot, _ *tfjson.State) { i.Roles = nil },
			want:   IAMDiff{Missing: make([]string, 1)},
			phrase: `awsoidc_role.deploy: role "deploy"`,
		},
		{
			name:   "trust policy means something else",
			change: func(i *IAMSnapshot, _ *tfjson.State) { i.Roles[0].TrustPolicy = trustFor(arnA, "repo:o/*") },
			want:   IAMDiff{Mismatches: make([]string, 1)},
			phrase: "awsoidc_role.deploy.assume_role_policy",
		},
		{
			name:   "trust policy names another provider",
			change: func(i *IAMSnapshot, _ *tfjson.State) { i.Roles[0].TrustPolicy = trustFor(arnB, "repo:o/r") },
			want:   IAMDiff{Mismatches: make([]string, 1)},
			phrase: "awsoidc_role.deploy.assume_role_policy",
		},
		{
			name: "role ARN, ID and path",
			change: func(_ *IAMSnapshot, s *tfjson.State) {
				r := attrs(s, "awsoidc_role.deploy")
				r["arn"], r["unique_id"], r["path"] = "arn:aws:iam::123456789012:role/other", "AROAOTHER", "/x/"
			},
			want: IAMDiff{Mismatches: make([]string, 3)},
		},
		{
			name: "policies and tags",
			change: func(i *IAMSnapshot, _ *tfjson.State) {
				i.Roles[0].ManagedPolicies = nil
				i.Roles[0].InlinePolicies["objects"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`
				i.Roles[0].Tags = map[string]string{"extra": "tag"}
			},
			want:   IAMDiff{Mismatches: make([]string, 3)},
			phrase: "awsoidc_role.deploy.inline_policies[objects]",
		},
		{
			name:   "an inline policy only IAM has",
			change: func(i *IAMSnapshot, _ *tfjson.State) { i.Roles[0].InlinePolicies["sneaky"] = `{}` },
			want:   IAMDiff{Mismatches: make([]string, 1)},
			phrase: "awsoidc_role.deploy.inline_policies: state [objects], IAM [objects sneaky]",
		},
		{
			name: "client IDs, thumbprints and tags",
			change: func(i *IAMSnapshot, _ *tfjson.State) {
				i.Providers[0].ClientIDs = []string{"other"}
				i.Providers[0].Thumbprints = []string{strings.Repeat("cd", 20)}
				i.Providers[1].Tags = map[string]string{"k": "v"}
			},
			want: IAMDiff{Mismatches: make([]string, 3)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, state := iamWorld(), stateWorld()
			tt.change(snap, state)
			got := CompareIAM(snap, state)
			if len(got.Missing) != len(tt.want.Missing) || len(got.Orphans) != len(tt.want.Orphans) ||
				len(got.Duplicates) != len(tt.want.Duplicates) || len(got.Mismatches) != len(tt.want.Mismatches) {
				t.Errorf("CompareIAM found %d missing, %d orphans, %d duplicates, %d mismatches; expected %d, %d, %d, %d:\n%v",
					len(got.Missing), len(got.Orphans), len(got.Duplicates), len(got.Mismatches),
					len(tt.want.Missing), len(tt.want.Orphans), len(tt.want.Duplicates), len(tt.want.Mismatches), got.Err())
			}
			if got.Compared != 3 {
				t.Errorf("compared %d state resources, expected the 3 managed ones", got.Compared)
			}
			if got.Empty() != (got.Err() == nil) {
				t.Errorf("Empty() = %t but Err() = %v", got.Empty(), got.Err())
			}
			if tt.phrase != "" && (got.Err() == nil || !strings.Contains(got.Err().Error(), tt.phrase)) {
				t.Errorf("Err() = %v, expected it to say %q", got.Err(), tt.phrase)
			}
		})
	}
}

func TestCompareIAM_anEmptyStateOwnsNothing(t *testing.T) {
	if d := CompareIAM(&IAMSnapshot{}, nil); !d.Empty() {
		t.Errorf("nil state against empty IAM: %v", d.Err())
	}
	if d := CompareIAM(iamWorld(), &tfjson.State{}); len(d.Orphans) != 3 {
		t.Errorf("empty state against 3 objects: %v, expected 3 orphans", d.Err())
	}
}
