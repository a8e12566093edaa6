package trustpolicy

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

const (
	tfcARN       = "arn:aws:iam::" + account + ":oidc-provider/app.terraform.io"
	tfcEUARN     = "arn:aws:iam::" + account + ":oidc-provider/app.eu.terraform.io"
	buildkiteARN = "arn:aws:iam::" + account + ":oidc-provider/agent.buildkite.com"
	pulumiARN    = "arn:aws:iam::" + account + ":oidc-provider/api.pulumi.com/oidc"
)

// pinningIssuers are the issuers whose subjects must pin an owner or a
// namespace, by provider ARN.
var pinningIssuers = []string{githubARN, gitlabARN, tfcARN, tfcEUARN, buildkiteARN, pulumiARN, eksARN}

func issuerOf(t testing.TB, arn string) Issuer {
	t.Helper()
	a, err := splitProviderARN(arn)
	if err != nil {
		t.Fatal(err)
	}
	return LookupIssuer(a.Key)
}

func TestReadSubject_pinsTheOwnerOnlyWhenItsPartIsLiteral(t *testing.T) {
	type want struct {
		owner string // "kind value" when pinned; "" when no subject of the issuer matches
		open  string // a fragment of why, when open
	}
	cases := map[string]map[string]want{
		githubARN: {
			"repo:octo-org/octo-repo:ref:refs/heads/main": {owner: "owner octo-org"},
			"repo:octo-org/*":                                        {owner: "owner octo-org"},
			"repo:octo-org/app*":                                     {owner: "owner octo-org"},
			"repo:octo-org@60012345/octo-repo@892431870:*":           {owner: "owner octo-org"},
			"repo:octo-org@*":                                        {owner: "owner octo-org"},
			"repository_owner_id:60012345":                           {owner: "owner_id 60012345"},
			"repository_owner_id:60012345:*":                         {owner: "owner_id 60012345"},
			"repository_id:892431870:ref:refs/heads/main":            {owner: "repository_id 892431870"},
			"repository_owner:octo-org":                              {owner: "owner octo-org"},
			"repository:octo-org/app:environment:prod":               {owner: "owner octo-org"},
			"enterprise_id:42:*":                                     {owner: "enterprise_id 42"},
			"ref:refs/heads/main:repository_owner_id:60012345":       {owner: "owner_id 60012345"},
			"pull_request:repository_owner_id:60012345":              {open: `"pull_request" before the owner`},
			"actor_id:1:run_id:2:repo:octo-org/*":                    {owner: "owner octo-org"},
			"repo:octo-org/app:job_workflow_ref:octo-org/shared/x@*": {owner: "owner octo-org"},
			"repo:octo-org":                                          {}, // no repository: no token carries it
			"hello":                                                  {},
			"repo:/x:*":                                              {},
			"repo:*":                                                 {open: `after "repo:"`},
			"repo:*/*":                                               {open: `after "repo:"`},
			"repo:octo-org*":                                         {open: `after "repo:"`},
			"repo:octo-or?/app":                                      {open: "open to a wildcard"},
			"repo:*@60012345/*":                                      {open: `after "repo:"`},
			"*":                                                      {open: "before the owner"},
			"*:repository_owner_id:60012345":                         {open: "before the owner"},
			"rep*":                                                   {open: "before the owner"},
			"repository_owner_id:*":                                  {open: `after "repository_owner_id:"`},
			"repository_owner_id:6001234*":                           {open: "open to a wildcard"},
			"repository_owner:*":                                     {open: "open to a wildcard"},
			"repository_id:*:ref:refs/heads/main":                    {open: "open to a wildcard"},
			"job_workflow_ref:*":                                     {open: "reusable workflow"},
			"job_workflow_ref:octo-org/shared/.github/workflows/d.yml@*": {open: "reusable workflow"},
			"ref:refs/heads/main":                          {open: "names no owner"},
			"ref:refs/heads/main:*":                        {open: "before the owner"},
			"workflow:deploy:repository_owner_id:60012345": {open: `"workflow" before the owner`},
			"environment:prod:repo:octo-org/app":           {open: `"environment" before the owner`},
			"context:*":                                    {open: "free text"},
			"actor:octocat:*":                              {open: "before the owner"},
			"pull_request":                                 {open: "names no owner"},
		},
		gitlabARN: {
			"project_path:my-group/my-project:ref_type:branch:ref:main": {owner: "owner my-group"},
			"project_path:my-group/*":                                   {owner: "owner my-group"},
			"project_path:*":                                            {open: "top-level group"},
			"project_path:my-group*":                                    {open: "open to a wildcard"},
			"*:ref_type:branch:ref:main":                                {open: "before the top-level group"},
		},
		tfcARN: {
			"organization:my-org:project:*:workspace:*:run_phase:*": {owner: "owner my-org"},
			"organization:my-org":                           {owner: "owner my-org"},
			"organization:*:project:default:workspace:prod": {open: "organization"},
			"organization:my-org*":                          {open: "open to a wildcard"},
			"*:workspace:prod:run_phase:apply":              {open: "before the organization"},
		},
		buildkiteARN: {
			"organization:acme:pipeline:deploy:*": {owner: "owner acme"},
			"organization:*":                      {open: "organization"},
			"pipeline:deploy:organization:acme":   {owner: "owner acme"},
		},
		pulumiARN: {
			"pulumi:deploy:org:acme:project:*":                 {owner: "owner acme"},
			"pulumi:environments:org:acme:env:*":               {owner: "owner acme"},
			"pulumi:environments:pulumi.organization.login:a*": {open: "open to a wildcard"},
			"pulumi:deploy:org:*":                              {open: `after "pulumi:deploy:org:"`},
			"pulumi:*":                                         {open: "before the organization"},
		},
		eksARN: {
			"system:serviceaccount:payments:api": {owner: "namespace payments"},
			"system:serviceaccount:payments:*":   {owner: "namespace payments"},
			"system:serviceaccount:*":            {open: "leaves the namespace"},
			"system:serviceaccount:pay*:api":     {open: "leaves the namespace"},
			"system:*":                           {open: "before the namespace"},
			"*":                                  {open: "before the namespace"},
			"user:alice":                         {},
		},
	}
	for arn, patterns := range cases {
		iss := issuerOf(t, arn)
		for pattern, w := range patterns {
			p := readSubject(iss.shapes(), pattern)
			switch {
			case w.open != "":
				if !p.open || !strings.Contains(p.why, w.open) {
					t.Errorf("%s %q: open=%v why=%q, want open with %q", iss.Name, pattern, p.open, p.why, w.open)
				}
			case p.open:
				t.Errorf("%s %q: open (%s), want pinned to %q", iss.Name, pattern, p.why, w.owner)
			default:
				var got []string
				for _, o := range p.owners {
					got = append(got, o.String())
				}
				if want := []string{w.owner}; w.owner == "" && len(got) != 0 || w.owner != "" && !slices.Equal(got, want) {
					t.Errorf("%s %q: owners %v, want %q", iss.Name, pattern, got, w.owner)
				}
			}
		}
	}
}

// subjectParses is an oracle independent of the pattern analysis: every way
// an issuer could have written the concrete subject s, each as the owners
// it names (none when it names no owner).
func subjectParses(iss Issuer, s string) [][]ownerRef {
	var out [][]ownerRef
	for _, shape := range iss.shapes() {
		switch g := shape.(type) {
		case pairsShape:
			out = append(out, pairsParses(g, s)...)
		case fieldsShape:
			rest, ok := strings.CutPrefix(s, g.lead)
			if !ok {
				continue
			}
			ns, name, ok := strings.Cut(rest, string(g.sep))
			if ok && ns != "" && name != "" && !strings.ContainsRune(name, rune(g.sep)) {
				out = append(out, []ownerRef{{g.kind, ns}})
			}
		}
	}
	return out
}

func pairsParses(g pairsShape, s string) [][]ownerRef {
	// from[pos] holds the parses of s[pos:], distinct by owners, so that
	// subjects with many ':' cost polynomial time.
	memo := map[int][][]ownerRef{}
	var from func(pos int) [][]ownerRef
	from = func(pos int) [][]ownerRef {
		if got, ok := memo[pos]; ok {
			return got
		}
		memo[pos] = nil
		var out [][]ownerRef
		add := func(head []ownerRef, tails [][]ownerRef) {
			for _, tail := range tails {
				p := append(slices.Clone(head), tail...)
				if !slices.ContainsFunc(out, func(q []ownerRef) bool { return slices.Equal(p, q) }) && len(out) < 64 {
					out = append(out, p)
				}
			}
		}
		rest := s[pos:]
		for _, b := range g.bare {
			if rest == b {
				add(nil, [][]ownerRef{nil})
			} else if strings.HasPrefix(rest, b+":") {
				add(nil, from(pos+len(b)+1))
			}
		}
		if colon := strings.IndexByte(rest, ':'); colon >= 0 {
			if spec, ok := g.lookup(rest[:colon]); ok {
				start := pos + colon + 1
				// Where the value may end: at the next ':' for values that
				// never hold one (an owner named by the whole value
				// included), at any ':' for the others.
				var ends []int
				if spec.colonFree || spec.owner != "" && spec.ownerEnds == "" {
					if e := strings.IndexByte(s[start:], ':'); e >= 0 {
						ends = append(ends, start+e)
					} else {
						ends = append(ends, len(s))
					}
				} else {
					for j := start; j <= len(s); j++ {
						if j == len(s) || s[j] == ':' {
							ends = append(ends, j)
						}
					}
				}
				for _, e := range ends {
					var head []ownerRef
					if spec.owner != "" {
						part := s[start:e]
						if spec.ownerEnds != "" {
							k := strings.IndexAny(part, spec.ownerEnds)
							if k < 0 {
								continue
							}
							part = part[:k]
						}
						if part == "" {
							continue
						}
						head = []ownerRef{{spec.owner, part}}
					}
					if e == len(s) {
						add(head, [][]ownerRef{nil})
					} else {
						add(head, from(e+1))
					}
				}
			}
		}
		memo[pos] = out
		return out
	}
	return from(0)
}

// strangerParse returns a way s could be a stranger's subject: a parse that
// names none of the owners the pattern was found to pin.
func strangerParse(iss Issuer, s string, pinned []ownerRef) ([]ownerRef, bool) {
	for _, parse := range subjectParses(iss, s) {
		ours := false
		for _, o := range parse {
			if slices.Contains(pinned, o) {
				ours = true
			}
		}
		if !ours {
			return parse, true
		}
	}
	return nil, false
}

func TestSubjectParses_oracleReadsSubjectsAsTheIssuersWriteThem(t *testing.T) {
	gh := issuerOf(t, githubARN)
	cases := []struct {
		iss    Issuer
		sub    string
		owners []string // one entry per parse: owners joined by ","
	}{
		{gh, "repo:octo-org/octo-repo:ref:refs/heads/main", []string{"owner octo-org"}},
		{gh, "repo:octo-org@1/octo-repo@2:pull_request", []string{"owner octo-org"}},
		{gh, "repository_owner_id:1:repository_id:2", []string{"owner_id 1,repository_id 2"}},
		{gh, "workflow:x:repository_owner_id:1", []string{"", "owner_id 1"}},
		{gh, "ref:refs/heads/main", []string{""}},
		{issuerOf(t, eksARN), "system:serviceaccount:payments:api", []string{"namespace payments"}},
		{issuerOf(t, eksARN), "system:serviceaccount:payments", nil},
	}
	for _, c := range cases {
		var got []string
		for _, p := range subjectParses(c.iss, c.sub) {
			var names []string
			for _, o := range p {
				names = append(names, o.String())
			}
			got = append(got, strings.Join(names, ","))
		}
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, c.owners) {
			t.Errorf("%s %q: parses %q, want %q", c.iss.Name, c.sub, got, c.owners)
		}
	}
}

// fillPattern replaces each wildcard of a pattern: the n-th `*` by
// stars[n % len], each `?` by one.
func fillPattern(pattern string, stars []string, one string) string {
	var b strings.Builder
	n := 0
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(stars[n%len(stars)])
			n++
		case '?':
			b.WriteString(one)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// strangerFills are what a stranger might make a wildcard stand for.
var strangerFills = []string{
	"", "x", "evil", "evil/x", "evil/x:ref:refs/heads/main", ":", "a:b", "repo:evil/x", ":repository_owner_id:999",
	"repository_owner_id:999", "999", "evil@1/x@2", "-evil/x", "/x", "x:pull_request", "pull_request", "workflow:w",
	"evil:project:p", "evil:pipeline:p", "system:serviceaccount:evil:x", "evil:x", "org:evil", "deploy:org:evil",
	"project_path:evil/x", "organization:evil", "x:workflow:y", "1/x", "0:x",
}

// allowsStranger builds the trust the pattern is a subject of and asks the
// evaluator whether the stranger's subject gets in.
func allowsStranger(t testing.TB, arn, pattern, sub string) bool {
	t.Helper()
	doc, err := Build(Spec{Statements: []Trust{{ProviderARN: arn, Audiences: []string{"aud"}, Subjects: []string{pattern}}}})
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(doc, Request{Provider: arn, Claims: map[string]any{"aud": "aud", "sub": sub}}).Allowed
}

// checkNoStrangerFits fills the wildcards of a pattern the analysis accepts
// in every adversarial way and fails when the oracle reads the result as a
// stranger's subject that the evaluator lets in.
func checkNoStrangerFits(t *testing.T, arn, pattern string, rng *rand.Rand) int {
	iss := issuerOf(t, arn)
	p := readSubject(iss.shapes(), pattern)
	if p.open || strings.Contains(pattern, "${") {
		return 0
	}
	fills := slices.Clone(strangerFills)
	// Pieces of the pattern itself: a stranger's text that repeats the
	// victim's.
	for _, piece := range strings.FieldsFunc(pattern, func(r rune) bool { return r == '*' || r == '?' }) {
		fills = append(fills, piece, "evil"+piece, piece+"evil", ":"+piece)
	}
	stars := strings.Count(pattern, "*")
	tried := 0
	try := func(stars []string, one string) {
		tried++
		sub := fillPattern(pattern, stars, one)
		if parse, ok := strangerParse(iss, sub, p.owners); ok && allowsStranger(t, arn, pattern, sub) {
			t.Errorf("%s: pattern %q was read as pinned to %v, but a stranger's subject %q (read as naming %v) gets in", iss.Name, pattern, p.owners, sub, parse)
		}
	}
	for _, one := range []string{"x", ":", "/", "@", "9"} {
		switch {
		case stars <= 1:
			for _, f := range fills {
				try([]string{f}, one)
			}
		case stars == 2:
			for _, f := range fills {
				for _, g := range fills {
					try([]string{f, g}, one)
				}
			}
		default:
			for range 2000 {
				fs := make([]string, stars)
				for k := range fs {
					fs[k] = fills[rng.Intn(len(fills))]
				}
				try(fs, one)
			}
		}
	}
	return tried
}

// patternsToTry are subject patterns of every pinning issuer: those the
// analysis should accept and those near them.
var patternsToTry = map[string][]string{
	githubARN: {
		"repo:octo-org/*", "repo:octo-org/octo-repo:*", "repo:octo-org/app*", "repo:octo-org@60012345/*", "repo:octo-org@*",
		"repository_owner_id:60012345:*", "repository_owner_id:60012345", "repository_id:892431870:*", "repository_owner:octo-org:*",
		"repository:octo-org/*", "enterprise:octo-corp:*", "enterprise_id:42:*", "workflow_ref:octo-org/*",
		"ref:refs/heads/main:repository_owner_id:60012345:*", "pull_request:repository_owner:octo-org*", "actor:octocat:repo:octo-org/*:*",
		"repo:octo-org/*:job_workflow_ref:*", "run_id:*:repo:octo-org/*", "repo:octo-org/?pp:*:environment:*", "sha:?:repository_id:1",
		"repo:*", "*", "repo:octo*", "*:repository_owner_id:60012345", "repository_owner_id:6001*",
		"workflow:deploy:repository_owner_id:60012345:*", "environment:prod:repo:octo-org/*", "context:ref:refs/heads/main:repo:octo-org/*",
		"job_workflow_ref:octo-org/shared/.github/workflows/d.yml@refs/heads/main:*", "ref:refs/heads/main:*",
	},
	gitlabARN:    {"project_path:my-group/*", "project_path:my-group/app:ref_type:*:ref:*", "ref:*:project_path:g/*", "project_path:*"},
	tfcARN:       {"organization:my-org:*", "organization:my-org:project:*:workspace:*:run_phase:*", "workspace:*:organization:o:*", "organization:*"},
	tfcEUARN:     {"organization:my-org:project:*:workspace:prod:run_phase:*"},
	buildkiteARN: {"organization:acme:pipeline:*:ref:*:commit:*:step:*", "organization:acme:*", "pipeline:p:organization:a*"},
	pulumiARN:    {"pulumi:deploy:org:acme:*", "pulumi:environments:org:acme:env:*", "pulumi:environments:pulumi.organization.login:acme:*", "pulumi:*:org:acme:*"},
	eksARN:       {"system:serviceaccount:payments:*", "system:serviceaccount:payments:api*", "system:serviceaccount:payments:?pi", "system:serviceaccount:*"},
}

// TestReadSubject_noStrangerFitsAnAcceptedPattern is the property the
// analysis must have: for every pattern it reads as pinned, no way of
// filling the wildcards gives a subject a stranger could have, under any
// subject shape or template, that the built policy lets in.
func TestReadSubject_noStrangerFitsAnAcceptedPattern(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	accepted, tried := 0, 0
	for _, arn := range pinningIssuers {
		for _, pattern := range patternsToTry[arn] {
			if n := checkNoStrangerFits(t, arn, pattern, rng); n > 0 {
				accepted++
				tried += n
			}
		}
	}
	if accepted < 30 || tried < 10000 {
		t.Errorf("only %d accepted patterns and %d subjects tried; the property is not exercised", accepted, tried)
	}
}

// TestReadSubject_refusedPatternsAdmitAStranger checks the other direction
// where it holds: each of these refused patterns has a stranger's subject
// that the evaluator lets in.
func TestReadSubject_refusedPatternsAdmitAStranger(t *testing.T) {
	cases := []struct{ arn, pattern, stranger string }{
		{githubARN, "repo:*", "repo:evil/x:ref:refs/heads/main"},
		{githubARN, "repo:octo*", "repo:octo-evil/x:ref:refs/heads/main"},
		{githubARN, "*:repository_owner_id:60012345", "workflow:x:repository_owner_id:60012345"},
		{githubARN, "repository_owner_id:6001*", "repository_owner_id:60019999"},
		{githubARN, "workflow:deploy:repository_owner_id:60012345", "workflow:deploy:repository_owner_id:60012345"},
		{githubARN, "ref:refs/heads/main", "ref:refs/heads/main"},
		{gitlabARN, "project_path:*", "project_path:evil/x:ref_type:branch:ref:main"},
		{tfcARN, "organization:*", "organization:evil:project:p:workspace:w:run_phase:apply"},
		{eksARN, "system:serviceaccount:*", "system:serviceaccount:kube-system:default"},
	}
	for _, c := range cases {
		iss := issuerOf(t, c.arn)
		if p := readSubject(iss.shapes(), c.pattern); !p.open {
			t.Errorf("%s %q: read as pinned to %v", iss.Name, c.pattern, p.owners)
		}
		if _, ok := strangerParse(iss, c.stranger, nil); !ok {
			t.Errorf("%s %q is not a subject the issuer writes", iss.Name, c.stranger)
		}
		if !allowsStranger(t, c.arn, c.pattern, c.stranger) {
			t.Errorf("%s %q: the stranger %q is denied", iss.Name, c.pattern, c.stranger)
		}
	}
}

func TestOwnerClaim_pinsOnlyWithLiteralValuesAndAPositiveOperator(t *testing.T) {
	id := ownerClaim{name: "repository_owner_id", kind: ownerID}
	repo := ownerClaim{name: "repository", kind: ownerName, ends: "/"}
	cases := []struct {
		oc   ownerClaim
		c    Claim
		pins bool
	}{
		{id, Claim{Values: []string{"60012345"}}, true},
		{id, Claim{Values: []string{"60012345", "42"}, Operator: "StringEquals"}, true},
		{id, Claim{Values: []string{"60012345"}, Operator: "ForAnyValue:StringEquals"}, true},
		{id, Claim{Values: []string{"*"}}, false},
		{id, Claim{Values: []string{"6001234?"}}, false},
		{id, Claim{Values: []string{"60012345", "4*"}}, false},
		{id, Claim{}, false},
		{id, Claim{Values: []string{"60012345"}, Operator: "StringNotEquals"}, false},
		{id, Claim{Values: []string{"60012345"}, Operator: "StringEqualsIfExists"}, false},
		{id, Claim{Values: []string{"60012345"}, Operator: "ForAllValues:StringEquals"}, false},
		{id, Claim{Values: []string{"false"}, Operator: "Null"}, false},
		{id, Claim{Values: []string{"${aws:username}"}}, false},
		{repo, Claim{Values: []string{"octo-org/*"}}, true},
		{repo, Claim{Values: []string{"octo-org/app"}}, true},
		{repo, Claim{Values: []string{"octo*"}}, false},
		{repo, Claim{Values: []string{"*/app"}}, false},
	}
	for _, c := range cases {
		if got := c.oc.pins(c.c); got != c.pins {
			t.Errorf("%s %v %q: pins = %v, want %v", c.oc.name, c.c.Values, c.c.Operator, got, c.pins)
		}
	}
}
