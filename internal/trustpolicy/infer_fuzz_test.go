package trustpolicy

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// specReader turns fuzz bytes into choices among values that exercise every
// path of Build and Infer: known and unknown claims, keys spelled in another
// case, operators Build would and would not choose, patterns and literals,
// empty values, session tags, and condition blocks.
type specReader struct{ data []byte }

func (r *specReader) byte() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

func (r *specReader) pick(from []string) string { return from[int(r.byte())%len(from)] }

func (r *specReader) some(from []string, most int) []string {
	n := int(r.byte()) % (most + 1)
	var out []string
	for range n {
		out = append(out, r.pick(from))
	}
	return out
}

var (
	fuzzPrincipals = []string{githubARN, gitlabARN, eksARN, oktaARN, keycloak, Google, Cognito, Facebook, Amazon,
		"arn:aws:iam::" + account + ":oidc-provider/accounts.google.com", "arn:aws-cn:iam::" + account + ":oidc-provider/IDP.example.com/Path/"}
	fuzzValues = []string{"sts.amazonaws.com", "a*", "x?y", "", "client", "repo:octo-org/octo-repo:ref:refs/heads/main",
		"repo:octo-org/*", "*", "system:serviceaccount:ns:sa", "${aws:username}", "true", "authenticated"}
	fuzzClaims = []string{"repository_id", "amr", "azp", "aud", "sub", "oaud", "app_id", "id", "google/organization_number",
		"token.actions.githubusercontent.com:repository_id", "TOKEN.ACTIONS.GITHUBUSERCONTENT.COM:actor", "sts:RoleSessionName",
		"STS:rolesessionname", "sts:SourceIdentity", "aws:RequestTag/team", "aws:TagKeys", "aws:PrincipalTag/x",
		"custom:department", "groups", "gitlab.com:project_id", "Repository_ID"}
	fuzzOperators = []string{"", "", "StringEquals", "StringLike", "ForAnyValue:StringLike", "ForAllValues:StringEquals",
		"StringNotEquals", "StringEqualsIfExists", "Null", "Bogus"}
	fuzzVariables = []string{"token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub",
		"token.actions.githubusercontent.com:iss", "token.actions.githubusercontent.com:new_claim", "sts:SourceIdentity",
		"aws:RequestTag/team", "accounts.google.com:oaud", "cognito-identity.amazonaws.com:amr", "x"}
	fuzzTagKeys = []string{"team", "Team", "cost-center", "dept*", ""}
)

func (r *specReader) spec() Spec {
	var s Spec
	for range 1 + int(r.byte())%3 {
		var t Trust
		if p := r.pick(fuzzPrincipals); IsBuiltIn(p) {
			t.BuiltIn = p
		} else {
			t.ProviderARN = p
		}
		t.Audiences = r.some(fuzzValues, 2)
		t.Subjects = r.some(fuzzValues, 3)
		for range int(r.byte()) % 3 {
			t.Claims = append(t.Claims, Claim{Claim: r.pick(fuzzClaims), Values: r.some(fuzzValues, 2), Operator: r.pick(fuzzOperators)})
		}
		for range int(r.byte()) % 3 {
			t.Conditions = append(t.Conditions, RawCondition{Test: r.pick(fuzzOperators[2:]), Variable: r.pick(fuzzVariables), Values: r.some(fuzzValues, 2)})
		}
		if r.byte()%2 == 1 {
			st := &SessionTags{AllowedKeys: r.some(fuzzTagKeys, 2), TransitiveKeys: r.some(fuzzTagKeys, 2)}
			for range int(r.byte()) % 3 {
				st.RequestTags = append(st.RequestTags, TagCondition{Key: r.pick(fuzzTagKeys), Values: r.some(fuzzValues, 2)})
			}
			t.SessionTags = st
		}
		t.AllowAnySubject = r.byte()%4 == 0
		s.Statements = append(s.Statements, t)
	}
	return s
}

// FuzzInfer: for every Spec that Build accepts, Infer reads the policy back
// into trust blocks that Build writes as exactly the same document, and
// leaves nothing out. Infer never panics on any document.
func FuzzInfer(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 1, 1, 1, 0, 0, 0},
		{3, 2, 4, 5, 6, 2, 7, 8, 9, 1, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		bytes.Repeat([]byte{7, 13, 2}, 30),
		bytes.Repeat([]byte{1, 255, 128, 64, 3}, 40),
	} {
		f.Add(seed, "")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "import", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add([]byte{}, string(b))
		}
	}
	f.Fuzz(func(t *testing.T, choices []byte, doc string) {
		if doc != "" {
			// Any document: no panic, and what Infer keeps is buildable.
			if inf, err := Infer(doc); err == nil {
				if _, err := Build(inf.Spec); err != nil && len(inf.Spec.Statements) > 0 {
					t.Fatalf("Infer kept trust blocks Build refuses: %v\n%#v", err, inf.Spec)
				}
			}
			return
		}
		spec := (&specReader{data: choices}).spec()
		built, err := Build(spec)
		if err != nil {
			return
		}
		inf, err := Infer(built)
		if err != nil {
			t.Fatalf("Infer of a built policy: %v\n%s", err, built)
		}
		if len(inf.Unexpressed) > 0 {
			t.Fatalf("Infer left out %q of a built policy\nspec: %#v\n%s", inf.Unexpressed, spec, built)
		}
		again, err := Build(inf.Spec)
		if err != nil {
			t.Fatalf("Build of the inferred spec: %v\n%#v", err, inf.Spec)
		}
		if again != built {
			t.Fatalf("Build(Infer(Build(spec))) differs from Build(spec)\nspec: %#v\ninferred: %#v\nbuilt:\n%s\nrebuilt:\n%s", spec, inf.Spec, built, again)
		}
	})
}

// TestInfer_roundTripsGeneratedSpecs runs the FuzzInfer property over a fixed
// set of generated specs, so plain go test covers it too.
func TestInfer_roundTripsGeneratedSpecs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	built := 0
	for range 500 {
		choices := make([]byte, 64)
		for i := range choices {
			choices[i] = byte(rng.IntN(256))
		}
		spec := (&specReader{data: choices}).spec()
		doc, err := Build(spec)
		if err != nil {
			continue
		}
		built++
		inf, err := Infer(doc)
		if err != nil || len(inf.Unexpressed) > 0 {
			t.Fatalf("Infer: %v, left out %q\nspec: %#v\n%s", err, inf.Unexpressed, spec, doc)
		}
		again, err := Build(inf.Spec)
		if err != nil || again != doc {
			t.Fatalf("Build(Infer(Build(spec))) = %v\n%s\nwant\n%s\nspec: %#v\ninferred: %#v", err, again, doc, spec, inf.Spec)
		}
	}
	if built < 300 {
		t.Fatalf("only %d of 500 generated specs built; the generator should mostly produce buildable specs", built)
	}
}
