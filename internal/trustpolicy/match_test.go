package trustpolicy

import "testing"

func TestMatchLike_followsIAMWildcards(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything/with:colons", true},
		{"repo:org/*", "repo:org/app:ref:refs/heads/a/b", true},
		{"repo:org/*:ref:refs/heads/main", "repo:org/app:ref:refs/heads/main", true},
		{"repo:org/*:ref:refs/heads/main", "repo:org/app:ref:refs/heads/main2", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"?", "", false},
		{"?", "é", true},
		{"v?", "v10", false},
		{"v??", "v10", true},
		{"Repo", "repo", false},
		{"[ab]", "a", false},
		{"[ab]", "[ab]", true},
		{`a\*`, `a\xyz`, true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"**", "x", true},
	}
	for _, tc := range cases {
		if got := MatchLike(tc.pattern, tc.s); got != tc.want {
			t.Errorf("MatchLike(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestTokenize_policyVariables(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "sts:RoleSessionName" {
			return "alice", true
		}
		return "", false
	}
	cases := []struct {
		pattern, s string
		want, ok   bool
	}{
		{"a${*}", "a*", true, true},
		{"a${*}", "abc", false, true},
		{"a${?}", "a?", true, true},
		{"${$}x", "$x", true, true},
		{"user-${sts:RoleSessionName}", "user-alice", true, true},
		{"user-${aws:username, 'nobody'}", "user-nobody", true, true},
		{"user-${aws:username}", "user-", false, false},
		{"open ${ brace", "open ${ brace", true, true},
	}
	for _, tc := range cases {
		toks, ok := tokenize(tc.pattern, true, lookup)
		if ok != tc.ok {
			t.Errorf("tokenize(%q) ok = %v, want %v", tc.pattern, ok, tc.ok)
			continue
		}
		if ok && globMatch(toks, tc.s) != tc.want {
			t.Errorf("%q against %q = %v, want %v", tc.pattern, tc.s, !tc.want, tc.want)
		}
	}
	// Without variables (policy version other than 2012-10-17) `${*}` is text and `*` a wildcard.
	toks, _ := tokenize("a${*}", true, nil)
	if !globMatch(toks, "a${xyz}") {
		t.Error("without variables, ${*} should hold a wildcard")
	}
}

func TestParseOperator(t *testing.T) {
	cases := map[string]Operator{
		"StringEquals":                   {Raw: "StringEquals", Base: OpStringEquals, Known: true, kind: matchEquals},
		"ForAnyValue:StringLikeIfExists": {Raw: "ForAnyValue:StringLikeIfExists", Qualifier: ForAnyValue, Base: OpStringLike, IfExists: true, Known: true, kind: matchLike},
		"ForAllValues:StringNotEquals":   {Raw: "ForAllValues:StringNotEquals", Qualifier: ForAllValues, Base: OpStringNotEquals, Negated: true, Known: true, kind: matchEquals},
		"StringNotEqualsIgnoreCase":      {Raw: "StringNotEqualsIgnoreCase", Base: OpStringNotEqualsIgnoreCase, Negated: true, Known: true, kind: matchEqualsFold},
		"Null":                           {Raw: "Null", Base: OpNull, Known: true, kind: matchNull},
		"NullIfExists":                   {Raw: "NullIfExists"},
		"stringequals":                   {Raw: "stringequals"},
		"ForSomeValues:StringEquals":     {Raw: "ForSomeValues:StringEquals"},
		"NumericEquals":                  {Raw: "NumericEquals"},
	}
	for raw, want := range cases {
		if got := ParseOperator(raw); got != want {
			t.Errorf("ParseOperator(%q) = %+v, want %+v", raw, got, want)
		}
	}
}
