package trustpolicy

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParse_readsEveryWrittenForm(t *testing.T) {
	doc := `{
	  "Id": "trust",
	  "Statement": {
	    "Condition": {"StringLike": {"x.example.com:sub": ["b*", "a*"]}, "Null": {"x.example.com:azp": false}, "NumericEquals": {"k": 3}},
	    "Action": ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"],
	    "Principal": {"Federated": ["arn:aws:iam::111122223333:oidc-provider/x.example.com"], "AWS": "arn:aws:iam::111122223333:root"},
	    "Effect": "Allow",
	    "Sid": "S1"
	  },
	  "Version": "2012-10-17"
	}`
	p, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := Policy{Version: "2012-10-17", ID: "trust", Statements: []Statement{{
		Sid: "S1", Effect: "Allow",
		Principal: &Principal{ByType: map[string][]string{
			"Federated": {"arn:aws:iam::111122223333:oidc-provider/x.example.com"},
			"AWS":       {"arn:aws:iam::111122223333:root"},
		}},
		Action: []string{"sts:TagSession", "sts:AssumeRoleWithWebIdentity"},
		Conditions: []Condition{
			{Operator: "Null", Key: "x.example.com:azp", Values: []string{"false"}},
			{Operator: "NumericEquals", Key: "k", Values: []string{"3"}},
			{Operator: "StringLike", Key: "x.example.com:sub", Values: []string{"b*", "a*"}},
		},
	}}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("Parse =\n%+v\nwant\n%+v", p, want)
	}
}

func TestParse_principalStarAndURLEncodedDocuments(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","NotAction":"sts:TagSession"}]}`
	p, err := Parse(url.QueryEscape(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Statements[0].Principal.All || p.Statements[0].NotAction[0] != "sts:TagSession" {
		t.Fatalf("got %+v", p.Statements[0])
	}
	if _, err := Parse("[" + doc + "]"); err != nil {
		t.Fatalf("one-element list: %v", err)
	}
}

func TestParse_errorsSayWhatWasExpectedAndFound(t *testing.T) {
	cases := map[string]string{
		`not json`:                           "invalid JSON",
		`[]`:                                 "found a list",
		`{"Version":"2012-10-17"}`:           "Statement element",
		`{"Statement":"x"}`:                  "found a string",
		`{"Statement":[{"Effect":"Maybe"}]}`: `found "Maybe"`,
		`{"Statement":[{"Action":"a"}]}`:     "Effect element",
		`{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:x"}]}`:          `"*" or an object`,
		`{"Statement":[{"Effect":"Allow","Action":[1]}]}`:                            "found a number",
		`{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":{"k":null}}}]}`: "found null",
		`{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":"k"}}]}`:        "object of condition keys",
		`{"Statement":[{"Effect":"Allow","Resources":"*"}]}`:                         `unknown element "Resources"`,
		`{"Statement":[],"Extra":1}`:                                                 `unknown element "Extra"`,
		`{"Statement":[]} {}`:                                                        "trailing data",
	}
	for doc, want := range cases {
		_, err := Parse(doc)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "expected") {
			t.Errorf("Parse(%s) error = %v, want it to contain %q and say what was expected", doc, err, want)
		}
	}
}

func TestParse_severalFaultsAlwaysGiveTheSameError(t *testing.T) {
	// Each document has two faults of the same kind in one JSON object; the error
	// names the first in sorted order, not whichever the map yields first.
	cases := map[string]string{
		`{"Statement":[],"b":1,"a":2}`:                                                 `unknown element "a"`,
		`{"Statement":[{"Effect":"Allow","Zeta":1,"Alpha":2}]}`:                        `unknown element "Alpha"`,
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":[1],"AWS":[2]}}]}`:     "Principal.AWS",
		`{"Statement":[{"Effect":"Allow","Condition":{"StringLike":"x","Bool":"y"}}]}`: "Condition.Bool",
		`{"Statement":[{"Effect":"Allow","Condition":{"Bool":{"k2":{},"k1":{}}}}]}`:    "Condition.Bool.k1",
		`{"Statement":[{"Effect":"Allow","Sid":1,"Action":{}}],"Version":1,"Id":2}`:    "expected Id",
	}
	for doc, want := range cases {
		_, err := Parse(doc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) error = %v, want it to contain %q", doc, err, want)
			continue
		}
		for range 50 {
			if _, again := Parse(doc); again == nil || again.Error() != err.Error() {
				t.Fatalf("Parse(%s) gave %q, then %v", doc, err, again)
			}
		}
	}
}

func TestNormalize_memberOrderValueOrderAndSingleVersusListNeverDiff(t *testing.T) {
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/x.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x.example.com:aud":"app","x.example.com:sub":["b","a"]}}}]}`
	b := `{
	  "Statement": [{
	    "Condition": {"StringEquals": {"x.example.com:sub": ["a", "b", "a"], "x.example.com:aud": ["app"]}},
	    "Action": ["sts:AssumeRoleWithWebIdentity"],
	    "Principal": {"Federated": ["arn:aws:iam::111122223333:oidc-provider/x.example.com"]},
	    "Effect": "Allow"
	  }],
	  "Version": "2012-10-17"
	}`
	na, err := Normalize(a)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	if na != nb {
		t.Fatalf("normalized forms differ:\n%s\n%s", na, nb)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/x.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x.example.com:aud":"app","x.example.com:sub":["a","b"]}}}]}`
	if na != want {
		t.Fatalf("Normalize = %s\nwant      %s", na, want)
	}
	eq, err := Equivalent(a, b)
	if err != nil || !eq {
		t.Fatalf("Equivalent(a, b) = %v, %v; want true", eq, err)
	}
}

func TestNormalize_keepsPresentEmptyListsAndSpecialCharacters(t *testing.T) {
	doc := `{"Statement":[{"Effect":"Allow","Action":[],"Condition":{"StringLike":{"k":"a<b>&c"}}}]}`
	n, err := Normalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	if n != `{"Statement":[{"Effect":"Allow","Action":[],"Condition":{"StringLike":{"k":"a<b>&c"}}}]}` {
		t.Fatalf("Normalize = %s", n)
	}
}

func TestEquivalent_detectsRealDifferences(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"p"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"k":"v"}}}]}`
	different := map[string]string{
		"operator": strings.Replace(base, "StringEquals", "StringLike", 1),
		"value":    strings.Replace(base, `"v"`, `"w"`, 1),
		"effect":   strings.Replace(base, "Allow", "Deny", 1),
		"action":   strings.Replace(base, "sts:AssumeRoleWithWebIdentity", "sts:AssumeRole", 1),
	}
	for name, other := range different {
		eq, err := Equivalent(base, other)
		if err != nil || eq {
			t.Errorf("%s changed but Equivalent = %v, %v", name, eq, err)
		}
	}
	if eq, err := Equivalent(base, url.QueryEscape(base)); err != nil || !eq {
		t.Errorf("URL-encoded copy: Equivalent = %v, %v", eq, err)
	}
	if _, err := Equivalent(base, "{"); err == nil {
		t.Error("invalid JSON: want an error")
	}
}

func TestPolicySize_ignoresWhitespaceLikeIAM(t *testing.T) {
	if n := PolicySize("{\n  \"a\": \"b c\"\n}\t"); n != 10 {
		t.Fatalf("PolicySize = %d, want 10", n)
	}
	if n := PolicySize(`{"é":1}`); n != 7 {
		t.Fatalf("PolicySize counts characters, not bytes: got %d, want 7", n)
	}
}

func TestSplitProviderARN(t *testing.T) {
	a, err := splitProviderARN("arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC")
	if err != nil {
		t.Fatal(err)
	}
	if a.Partition != "aws-cn" || a.AccountID != "111122223333" || a.Key != "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC" {
		t.Fatalf("got %+v", a)
	}
	for _, bad := range []string{
		"", "arn:aws:iam::111122223333", "arn::iam::111122223333:oidc-provider/x", "arn:aws:sts::111122223333:oidc-provider/x",
		"arn:aws:iam:us-east-1:111122223333:oidc-provider/x", "arn:aws:iam::1111222233:oidc-provider/x",
		"arn:aws:iam::111122223333:saml-provider/x", "arn:aws:iam::111122223333:oidc-provider/",
		"arn:aws:iam::111122223333:oidc-provider//x",
	} {
		if _, err := splitProviderARN(bad); err == nil {
			t.Errorf("splitProviderARN(%q) succeeded, want an error", bad)
		}
	}
}

func TestDecode_undoesIAMsURLEncodingAndKeepsTheTextOtherwise(t *testing.T) {
	doc := "{\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:Get*\", \"Resource\": \"arn:aws:s3:::a+b/*\"}],\n  \"Version\": \"2012-10-17\"\n}"
	for name, in := range map[string]string{
		"as written":  doc,
		"URL-encoded": strings.ReplaceAll(url.QueryEscape(doc), "+", "%20"),
	} {
		got, err := Decode(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != doc {
			t.Errorf("%s: Decode =\n%s\nwant\n%s", name, got, doc)
		}
	}
	if _, err := Decode("%7B%zz"); err == nil {
		t.Error("Decode of a broken URL encoding: want an error, got none")
	}
}
