package trustpolicy

import (
	"strings"
	"testing"
)

const idpARN = "arn:aws:iam::111122223333:oidc-provider/idp.example.com"

// allowWith is a one-statement trust policy for idpARN with the given
// Condition element.
func allowWith(condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + idpARN +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":` + condition + `}]}`
}

// wantReason picks the reason for Key/Operator (in the first statement
// that has one) and checks its result and note.
type wantReason struct {
	key, op string
	result  bool
	note    string
}

func TestEvaluate_operatorsQualifiersAndIssuers(t *testing.T) {
	sub := func(v string) map[string]any { return map[string]any{"aud": "app", "sub": v} }
	cases := []struct {
		name    string
		policy  string
		req     Request
		allowed bool
		reason  *wantReason
		summary string
	}{
		{name: "StringEquals matches the exact subject",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringEquals", true, ""}},
		{name: "StringEquals refuses another subject",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), req: Request{Provider: idpARN, Claims: sub("bob")},
			reason: &wantReason{"idp.example.com:sub", "StringEquals", false, ""}, summary: `expected "alice", found "bob"`},
		{name: "StringEquals is case-sensitive",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), req: Request{Provider: idpARN, Claims: sub("Alice")},
			reason: &wantReason{"idp.example.com:sub", "StringEquals", false, ""}},
		{name: "StringEquals ORs several values",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":["alice","bob"]}}`), req: Request{Provider: idpARN, Claims: sub("bob")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringEquals", true, ""}},
		{name: "keys in one block are ANDed",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":"alice","idp.example.com:aud":"other"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"idp.example.com:aud", "StringEquals", false, ""}},
		{name: "StringNotEquals holds for a value outside the list",
			policy: allowWith(`{"StringNotEquals":{"idp.example.com:sub":["mallory","eve"]}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringNotEquals", true, ""}},
		{name: "StringNotEquals fails for any listed value",
			policy: allowWith(`{"StringNotEquals":{"idp.example.com:sub":["mallory","eve"]}}`), req: Request{Provider: idpARN, Claims: sub("eve")},
			reason: &wantReason{"idp.example.com:sub", "StringNotEquals", false, ""}},
		{name: "StringNotEquals is true when the key is absent",
			policy: allowWith(`{"StringNotEquals":{"idp.example.com:azp":"evil"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:azp", "StringNotEquals", true, "negated operator is true when the key is absent"}},
		{name: "StringEqualsIgnoreCase ignores case",
			policy: allowWith(`{"StringEqualsIgnoreCase":{"idp.example.com:sub":"ALICE"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringEqualsIgnoreCase", true, ""}},
		{name: "StringNotEqualsIgnoreCase fails on a case-different equal",
			policy: allowWith(`{"StringNotEqualsIgnoreCase":{"idp.example.com:sub":"ALICE"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"idp.example.com:sub", "StringNotEqualsIgnoreCase", false, ""}},
		{name: "StringLike star spans slashes and colons",
			policy: allowWith(`{"StringLike":{"idp.example.com:sub":"repo:org/*"}}`), req: Request{Provider: idpARN, Claims: sub("repo:org/app:ref:refs/heads/a/b")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringLike", true, ""}},
		{name: "StringLike question mark is exactly one character",
			policy: allowWith(`{"StringLike":{"idp.example.com:sub":"v?"}}`), req: Request{Provider: idpARN, Claims: sub("v10")},
			reason: &wantReason{"idp.example.com:sub", "StringLike", false, ""}},
		{name: "StringLike question mark matches one multibyte character",
			policy: allowWith(`{"StringLike":{"idp.example.com:sub":"v?"}}`), req: Request{Provider: idpARN, Claims: sub("vé")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringLike", true, ""}},
		{name: "StringLike is case-sensitive",
			policy: allowWith(`{"StringLike":{"idp.example.com:sub":"repo:org/*"}}`), req: Request{Provider: idpARN, Claims: sub("repo:ORG/app")},
			reason: &wantReason{"idp.example.com:sub", "StringLike", false, ""}},
		{name: "StringLike on an absent claim is false",
			policy: allowWith(`{"StringLike":{"idp.example.com:azp":"*"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"idp.example.com:azp", "StringLike", false, `the token has no "azp" claim`}},
		{name: "StringNotLike fails when the pattern matches",
			policy: allowWith(`{"StringNotLike":{"idp.example.com:sub":"repo:org/*:pull_request"}}`), req: Request{Provider: idpARN, Claims: sub("repo:org/app:pull_request")},
			reason: &wantReason{"idp.example.com:sub", "StringNotLike", false, ""}},
		{name: "StringNotLike holds when the pattern does not match",
			policy: allowWith(`{"StringNotLike":{"idp.example.com:sub":"repo:org/*:pull_request"}}`), req: Request{Provider: idpARN, Claims: sub("repo:org/app:ref:refs/heads/main")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "StringNotLike", true, ""}},
		{name: "StringEqualsIfExists is true for an absent claim",
			policy: allowWith(`{"StringEqualsIfExists":{"idp.example.com:azp":"app"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:azp", "StringEqualsIfExists", true, "IfExists"}},
		{name: "StringEqualsIfExists compares a present claim",
			policy: allowWith(`{"StringEqualsIfExists":{"idp.example.com:azp":"app"}}`), req: Request{Provider: idpARN, Claims: map[string]any{"sub": "alice", "azp": "other"}},
			reason: &wantReason{"idp.example.com:azp", "StringEqualsIfExists", false, ""}},
		{name: "StringLikeIfExists matches a present claim",
			policy: allowWith(`{"StringLikeIfExists":{"idp.example.com:azp":"app-*"}}`), req: Request{Provider: idpARN, Claims: map[string]any{"azp": "app-1"}},
			allowed: true, reason: &wantReason{"idp.example.com:azp", "StringLikeIfExists", true, ""}},
		{name: "StringNotLikeIfExists is true for an absent claim",
			policy: allowWith(`{"StringNotLikeIfExists":{"idp.example.com:azp":"evil*"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:azp", "StringNotLikeIfExists", true, "IfExists"}},
		{name: "Null true holds when the claim is absent",
			policy: allowWith(`{"Null":{"idp.example.com:azp":"true"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:azp", "Null", true, ""}},
		{name: "Null false fails when the claim is absent",
			policy: allowWith(`{"Null":{"idp.example.com:azp":"false"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"idp.example.com:azp", "Null", false, ""}},
		{name: "Null false holds for a present claim, boolean JSON value",
			policy: allowWith(`{"Null":{"idp.example.com:sub":false}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:sub", "Null", true, ""}},
		{name: "ForAnyValue:StringEquals holds when one amr value matches",
			policy: allowWith(`{"ForAnyValue:StringEquals":{"idp.example.com:amr":"mfa"}}`), req: Request{Provider: idpARN, Claims: map[string]any{"amr": []any{"pwd", "mfa"}}},
			allowed: true, reason: &wantReason{"idp.example.com:amr", "ForAnyValue:StringEquals", true, ""}},
		{name: "ForAnyValue is false for an absent claim",
			policy: allowWith(`{"ForAnyValue:StringEquals":{"idp.example.com:amr":"mfa"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"idp.example.com:amr", "ForAnyValue:StringEquals", false, "ForAnyValue is false"}},
		{name: "ForAllValues is true for an absent claim: the documented hole",
			policy: allowWith(`{"ForAllValues:StringEquals":{"idp.example.com:amr":["pwd","mfa"]}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"idp.example.com:amr", "ForAllValues:StringEquals", true, "ForAllValues is true when the key is absent"}},
		{name: "ForAllValues holds when every value is listed",
			policy: allowWith(`{"ForAllValues:StringEquals":{"idp.example.com:amr":["pwd","mfa"]}}`), req: Request{Provider: idpARN, Claims: map[string]any{"amr": []any{"mfa", "pwd"}}},
			allowed: true, reason: &wantReason{"idp.example.com:amr", "ForAllValues:StringEquals", true, ""}},
		{name: "ForAllValues fails when one value is not listed",
			policy: allowWith(`{"ForAllValues:StringEquals":{"idp.example.com:amr":["pwd","mfa"]}}`), req: Request{Provider: idpARN, Claims: map[string]any{"amr": []any{"mfa", "sms"}}},
			reason: &wantReason{"idp.example.com:amr", "ForAllValues:StringEquals", false, ""}},
		{name: "ForAnyValue:StringNotEquals holds when some value is outside the list",
			policy: allowWith(`{"ForAnyValue:StringNotEquals":{"idp.example.com:amr":["pwd"]}}`), req: Request{Provider: idpARN, Claims: map[string]any{"amr": []any{"pwd", "mfa"}}},
			allowed: true, reason: &wantReason{"idp.example.com:amr", "ForAnyValue:StringNotEquals", true, ""}},
		{name: "an unqualified operator on a list claim reads as some value matching, with a note",
			policy: allowWith(`{"StringEquals":{"idp.example.com:aud":"app"}}`), req: Request{Provider: idpARN, Claims: map[string]any{"aud": []any{"other", "app"}}},
			allowed: true, reason: &wantReason{"idp.example.com:aud", "StringEquals", true, "no set qualifier"}},
		{name: "a custom claim is not a key: denied, pointing to session tags",
			policy: allowWith(`{"StringEquals":{"idp.example.com:groups":"admins"}}`), req: Request{Provider: idpARN, Claims: map[string]any{"groups": "admins"}},
			reason: &wantReason{"idp.example.com:groups", "StringEquals", false, "https://aws.amazon.com/tags"}},
		{name: "a key under another provider's prefix is never set",
			policy: allowWith(`{"StringEquals":{"other.example.com:sub":"alice"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"other.example.com:sub", "StringEquals", false, "not the provider's"}},
		{name: "condition key names are case-insensitive",
			policy: allowWith(`{"StringEquals":{"IDP.Example.com:SUB":"alice"}}`), req: Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"IDP.Example.com:SUB", "StringEquals", true, ""}},
		{name: "the policy variable ${*} is a literal star",
			policy: allowWith(`{"StringLike":{"idp.example.com:sub":"a${*}"}}`), req: Request{Provider: idpARN, Claims: sub("abc")},
			reason: &wantReason{"idp.example.com:sub", "StringLike", false, ""}},
		{name: "a policy variable takes the request's value",
			policy: allowWith(`{"StringEquals":{"sts:RoleSessionName":"${idp.example.com:sub}"}}`), req: Request{Provider: idpARN, Claims: sub("alice"), RoleSessionName: "alice"},
			allowed: true, reason: &wantReason{"sts:RoleSessionName", "StringEquals", true, ""}},
		{name: "an unknown operator never opens an Allow",
			policy: allowWith(`{"NumericEquals":{"idp.example.com:sub":"1"}}`), req: Request{Provider: idpARN, Claims: sub("1")},
			reason: &wantReason{"idp.example.com:sub", "NumericEquals", false, "not modelled"}},
		{name: "Google: aud is the token's azp, oaud its aud",
			policy:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"client-1","accounts.google.com:oaud":"api-2"}}}}`,
			req:     Request{Provider: Google, Claims: map[string]any{"azp": "client-1", "aud": "api-2", "sub": "1"}},
			allowed: true, reason: &wantReason{"accounts.google.com:oaud", "StringEquals", true, ""}},
		{name: "Google: the organization number is read from the nested google claim",
			policy:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:google/organization_number":"1234"}}}}`,
			req:     Request{Provider: Google, Claims: map[string]any{"aud": "c", "sub": "1", "google": map[string]any{"organization_number": float64(1234)}}},
			allowed: true, reason: &wantReason{"accounts.google.com:google/organization_number", "StringEquals", true, ""}},
		{name: "Cognito: amr needs ForAnyValue and matches among several values",
			policy:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"graph.facebook.com"}}}}`,
			req:     Request{Provider: Cognito, Claims: map[string]any{"amr": []any{"authenticated", "graph.facebook.com", "graph.facebook.com:1234"}}},
			allowed: true, reason: &wantReason{"cognito-identity.amazonaws.com:amr", "ForAnyValue:StringLike", true, ""}},
		{name: "Facebook: app_id and id are the keys",
			policy:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"graph.facebook.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"graph.facebook.com:app_id":"42"}}}}`,
			req:     Request{Provider: Facebook, Claims: map[string]any{"app_id": "42", "id": "7"}},
			allowed: true, reason: &wantReason{"graph.facebook.com:app_id", "StringEquals", true, ""}},
		{name: "GitHub: repository_owner_id is exposed",
			policy:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"` + githubARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:repository_owner_id":"9"}}}}`,
			req:     Request{Provider: githubARN, Claims: map[string]any{"repository_owner_id": "9"}},
			allowed: true, reason: &wantReason{"token.actions.githubusercontent.com:repository_owner_id", "StringEquals", true, ""}},
		{name: "GitLab self-managed gets no gitlab.com extras",
			policy: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/gitlab.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"gitlab.example.com:project_id":"9"}}}}`,
			req:    Request{Provider: "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com", Claims: map[string]any{"project_id": "9"}},
			reason: &wantReason{"gitlab.example.com:project_id", "StringEquals", false, "does not expose"}},
		{name: "sts:RoleSessionName is compared",
			policy: allowWith(`{"StringLike":{"sts:RoleSessionName":"ci-*"}}`), req: Request{Provider: idpARN, Claims: sub("alice"), RoleSessionName: "laptop"},
			reason: &wantReason{"sts:RoleSessionName", "StringLike", false, ""}},
		{name: "another provider is not the principal",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), req: Request{Provider: githubARN, Claims: sub("alice")},
			reason: &wantReason{"Principal", "Principal", false, ""}, summary: "no statement allows"},
		{name: "an action the statement does not grant is denied",
			policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + idpARN + `"},"Action":"sts:AssumeRole"}]}`,
			req:    Request{Provider: idpARN, Claims: sub("alice")},
			reason: &wantReason{"Action", "Action", false, ""}},
		{name: "Action patterns are case-insensitive wildcards",
			policy:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + idpARN + `"},"Action":"STS:AssumeRoleWith*"}]}`,
			req:     Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"Action", "Action", true, ""}},
		{name: "NotAction grants what it does not list",
			policy:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + idpARN + `"},"NotAction":"sts:TagSession"}]}`,
			req:     Request{Provider: idpARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"Action", "NotAction", true, ""}},
		{name: "Principal star matches every provider",
			policy:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}]}`,
			req:     Request{Provider: githubARN, Claims: sub("alice")},
			allowed: true, reason: &wantReason{"Principal", "Principal", true, "matches everyone"}},
		{name: "without a provider the token's issuer selects the Federated ARN",
			policy: allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), req: Request{Claims: map[string]any{"iss": "https://idp.example.com", "sub": "alice"}},
			allowed: true, reason: &wantReason{"Principal", "Principal", true, "issuer"}},
		{name: "session tags in the token need sts:TagSession",
			policy:  allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`),
			req:     Request{Provider: idpARN, Claims: map[string]any{"sub": "alice", TagsClaim: tags(map[string]string{"team": "a"})}},
			summary: "must also allow sts:TagSession"},
		{name: "an unparseable policy is denied with the parse error",
			policy: `{"Statement":`, req: Request{Provider: idpARN, Claims: sub("alice")},
			summary: "could not be parsed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(tc.policy, tc.req)
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v; %s", d.Allowed, tc.allowed, d.Summary)
			}
			if tc.summary != "" && !strings.Contains(d.Summary, tc.summary) {
				t.Errorf("summary %q does not contain %q", d.Summary, tc.summary)
			}
			if tc.reason == nil {
				return
			}
			for _, r := range d.Reasons {
				if r.Key != tc.reason.key || r.Operator != tc.reason.op {
					continue
				}
				if r.Result != tc.reason.result {
					t.Errorf("reason %s %s: result %v, want %v (%+v)", r.Operator, r.Key, r.Result, tc.reason.result, r)
				}
				if !strings.Contains(r.Note, tc.reason.note) {
					t.Errorf("reason %s %s: note %q does not contain %q", r.Operator, r.Key, r.Note, tc.reason.note)
				}
				return
			}
			t.Errorf("no reason for %s %s in %+v", tc.reason.op, tc.reason.key, d.Reasons)
		})
	}
}

func TestEvaluate_severalStatementsAndDeny(t *testing.T) {
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Main","Effect":"Allow","Principal":{"Federated":"` + idpARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"idp.example.com:sub":"alice"}}},
	 {"Sid":"Team","Effect":"Allow","Principal":{"Federated":"` + idpARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"idp.example.com:sub":"team-*"}}},
	 {"Sid":"NoContractors","Effect":"Deny","Principal":{"Federated":"` + idpARN + `"},"Action":"sts:*","Condition":{"StringLike":{"idp.example.com:sub":"team-contractor-*"}}}]}`
	cases := []struct {
		sub       string
		allowed   bool
		matched   int
		sid       string
		deniedBy  int
		inSummary string
	}{
		{"alice", true, 0, "Main", -1, "allowed: statement 0"},
		{"team-ops", true, 1, "Team", -1, "allowed: statement 1"},
		{"team-contractor-1", false, 1, "Team", 2, "statement 2 explicitly denies"},
		{"bob", false, -1, "", -1, "no statement allows"},
	}
	for _, tc := range cases {
		d := Evaluate(policy, Request{Provider: idpARN, Claims: map[string]any{"sub": tc.sub}})
		if d.Allowed != tc.allowed || d.MatchedStatement != tc.matched || d.MatchedSid != tc.sid || d.DeniedBy != tc.deniedBy {
			t.Errorf("sub %s: allowed %v matched %d (%q) deniedBy %d, want %v %d (%q) %d; %s",
				tc.sub, d.Allowed, d.MatchedStatement, d.MatchedSid, d.DeniedBy, tc.allowed, tc.matched, tc.sid, tc.deniedBy, d.Summary)
		}
		if !strings.Contains(d.Summary, tc.inSummary) {
			t.Errorf("sub %s: summary %q does not contain %q", tc.sub, d.Summary, tc.inSummary)
		}
	}
}

func TestEvaluate_unknownOperatorInDenyApplies(t *testing.T) {
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":{"Federated":"` + idpARN + `"},"Action":"sts:AssumeRoleWithWebIdentity"},
	 {"Effect":"Deny","Principal":{"Federated":"` + idpARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}`
	d := Evaluate(policy, Request{Provider: idpARN, Claims: map[string]any{"sub": "x"}})
	if d.Allowed || d.DeniedBy != 1 {
		t.Fatalf("an unmodelled Deny condition should err towards denial: %+v", d)
	}
}

func TestEvaluate_sessionTagsBecomeRequestKeys(t *testing.T) {
	d := Evaluate(allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), Request{Provider: idpARN, Claims: map[string]any{
		"sub": "alice", TagsClaim: tags(map[string]string{"team": "infra", "dept": "eng"}, "team"),
	}})
	want := map[string]string{
		"aws:RequestTag/dept":   "eng",
		"aws:RequestTag/team":   "infra",
		"aws:TagKeys":           "dept,team",
		"sts:TransitiveTagKeys": "team",
		"idp.example.com:sub":   "alice",
	}
	got := map[string]string{}
	for _, c := range d.Context {
		got[c.Key] = strings.Join(c.Values, ",")
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("context %s = %q, want %q (context %v)", k, got[k], v, got)
		}
	}
	if len(d.Actions) != 2 || d.Actions[1] != ActionTagSession {
		t.Errorf("actions = %v, want the main action and sts:TagSession", d.Actions)
	}
}

func TestEvaluate_sourceIdentityNeedsSetSourceIdentity(t *testing.T) {
	d := Evaluate(allowWith(`{"StringEquals":{"idp.example.com:sub":"alice"}}`), Request{Provider: idpARN, Claims: map[string]any{
		"sub": "alice", SourceIdentityClaim: "alice@example.com",
	}})
	if d.Allowed || !strings.Contains(d.Summary, "sts:SetSourceIdentity") {
		t.Fatalf("want denied for missing sts:SetSourceIdentity, got %v: %s", d.Allowed, d.Summary)
	}
}
