package trustpolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func addGoldenSeeds(f *testing.F, add func(doc string)) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no golden policies in testdata to seed from: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(string(b))
	}
	add(`{"Statement":{"Effect":"Deny","Principal":"*","NotAction":[],"Condition":{"Null":{"k":true},"ForAllValues:StringLike":{"a":["x*",1]}}}}`)
	add(`[{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"","Effect":"Allow","NotPrincipal":{"AWS":[]},"Resource":"*","NotResource":["a","a"]}]}]`)
	add(`%7B%22Statement%22%3A%5B%5D%7D`)
}

// FuzzParse: parsing never panics, and whatever parses renders to a form
// that parses back to the same rendering (parse → render → parse is stable).
func FuzzParse(f *testing.F) {
	addGoldenSeeds(f, func(doc string) { f.Add(doc) })
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		compact, err := Render(p, false)
		if err != nil {
			t.Fatalf("Render of a parsed policy failed: %v", err)
		}
		p2, err := Parse(compact)
		if err != nil {
			t.Fatalf("rendered policy does not parse: %v\n%s", err, compact)
		}
		again, err := Render(p2, false)
		if err != nil || again != compact {
			t.Fatalf("render is not stable:\n%s\n%s (%v)", compact, again, err)
		}
		indented, err := Render(p2, true)
		if err != nil {
			t.Fatal(err)
		}
		p3, err := Parse(indented)
		if err != nil {
			t.Fatalf("indented rendering does not parse: %v", err)
		}
		if !reflect.DeepEqual(p2, p3) {
			t.Fatalf("indented and compact renderings parse differently")
		}
		if PolicySize(indented) != PolicySize(compact) {
			t.Fatalf("size depends on indentation: %d vs %d", PolicySize(indented), PolicySize(compact))
		}
	})
}

// FuzzEvaluate: evaluating any policy with any claims never panics, is
// deterministic, and its fields agree with each other.
func FuzzEvaluate(f *testing.F) {
	claims := []string{
		`{"aud":"sts.amazonaws.com","sub":"repo:octo-org/octo-repo:ref:refs/heads/main"}`,
		`{"azp":"c","aud":["a","b"],"amr":["authenticated"],"google":{"organization_number":1}}`,
		`{"https://aws.amazon.com/tags":{"principal_tags":{"team":["a","b"],"x":{}},"transitive_tag_keys":"team"},"https://aws.amazon.com/source_identity":"me"}`,
		`{"iss":"https://idp.example.com","sub":null,"aud":[{}]}`,
	}
	providers := []string{githubARN, Google, Cognito, "", "arn:aws:iam::1:oidc-provider/x"}
	i := 0
	addGoldenSeeds(f, func(doc string) {
		f.Add(doc, claims[i%len(claims)], providers[i%len(providers)], "")
		i++
	})
	f.Add(allowWith(`{"StringLike":{"idp.example.com:sub":"${idp.example.com:aud, 'x'}*"}}`), claims[0], idpARN, "sts:*")
	f.Fuzz(func(t *testing.T, doc, claimsJSON, provider, action string) {
		var c map[string]any
		_ = json.Unmarshal([]byte(claimsJSON), &c)
		req := Request{Provider: provider, Claims: c, Action: action, RoleSessionName: "s"}
		d := Evaluate(doc, req)
		again := Evaluate(doc, req)
		if d.Allowed != again.Allowed || d.Summary != again.Summary || len(d.Reasons) != len(again.Reasons) {
			t.Fatalf("evaluation is not deterministic: %q vs %q", d.Summary, again.Summary)
		}
		if d.Summary == "" {
			t.Fatal("empty summary")
		}
		if d.Allowed && (d.MatchedStatement < 0 || d.DeniedBy >= 0 || d.Error != "") {
			t.Fatalf("allowed decision with matched %d, deniedBy %d, error %q", d.MatchedStatement, d.DeniedBy, d.Error)
		}
		if d.Error != "" && d.Allowed {
			t.Fatal("a policy that does not parse cannot allow")
		}
	})
}

// FuzzSubjectPinning: a subject pattern the owner analysis accepts lets no
// stranger in. The fuzzer picks an issuer whose subjects must pin an owner
// or namespace, a pattern, and what its wildcards stand for; when the
// analysis reads the pattern as pinned and the oracle reads the filled-in
// subject as a stranger's, the evaluator must not allow it.
func FuzzSubjectPinning(f *testing.F) {
	for i, arn := range pinningIssuers {
		for j, pattern := range patternsToTry[arn] {
			f.Add(uint8(i), pattern, strangerFills[j%len(strangerFills)], strangerFills[(j+7)%len(strangerFills)])
		}
	}
	f.Fuzz(func(t *testing.T, issuer uint8, pattern, fill1, fill2 string) {
		arn := pinningIssuers[int(issuer)%len(pinningIssuers)]
		iss := issuerOf(t, arn)
		p := readSubject(iss.shapes(), pattern)
		// Terraform and JSON strings are UTF-8; IAM never sees other bytes.
		if p.open || pattern == "" || strings.Contains(pattern, "${") || !utf8.ValidString(pattern+fill1+fill2) {
			return
		}
		one := "x"
		if r, size := utf8.DecodeRuneInString(fill1); size > 0 {
			one = string(r)
		}
		sub := fillPattern(pattern, []string{fill1, fill2}, one)
		if parse, ok := strangerParse(iss, sub, p.owners); ok && allowsStranger(t, arn, pattern, sub) {
			t.Fatalf("%s: pattern %q was read as pinned to %v, but a stranger's subject %q (read as naming %v) gets in", iss.Name, pattern, p.owners, sub, parse)
		}
	})
}
