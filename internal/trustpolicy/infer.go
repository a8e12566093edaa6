package trustpolicy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	awspolicy "github.com/hashicorp/awspolicyequivalence"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

// Inference is a Spec read back from a trust policy, for importing a role
// written elsewhere.
type Inference struct {
	// Spec says everything of the policy that trust blocks can say.
	Spec Spec
	// Unexpressed lists, one sentence each, what Spec leaves out. It is
	// empty exactly when Build(Spec) is equivalent to the policy (Sids
	// aside, see EquivalentTrust).
	Unexpressed []string
}

// Infer reads a trust policy back into trust blocks: one Trust per group of
// statements Build would have written for one identity provider, audiences
// and subjects split into exact values and patterns as Build splits them,
// claims where Build would choose the operator itself, session tags, and
// condition blocks (RawCondition) for every other condition. A statement no
// trust block can write (another principal type, NotAction, a Deny other
// than the session-tag ones) is left out and named in Unexpressed.
//
// For every Spec that Build accepts, Build(Infer(Build(spec)).Spec) is
// byte-identical to Build(spec), and Unexpressed is empty.
func Infer(doc string) (Inference, error) {
	p, err := Parse(doc)
	if err != nil {
		return Inference{}, err
	}
	var inf Inference
	switch {
	case p.Version == "":
		inf.note("the policy has no Version, so IAM reads it as version 2008-10-17; trust blocks always write Version %q, in which policy variables such as ${aws:username} are substituted", PolicyVersion)
	case p.Version != PolicyVersion:
		inf.note("the policy has Version %q; trust blocks always write Version %q", p.Version, PolicyVersion)
	}
	if p.ID != "" {
		inf.note("the policy has Id %q; trust blocks write no Id", p.ID)
	}

	groups := map[string]*principalGroup{}
	var order []string
	seen := map[string]int{}
	for i, st := range p.Statements {
		principal, kind, why := classify(st)
		if kind == stmtOther {
			inf.note("%s %s", describeStatement(i, st), why)
			continue
		}
		// A repeated statement (Sids aside) means nothing more, and Build
		// writes each statement once.
		bare := st
		bare.Sid = ""
		if k, err := Render(Policy{Statements: []Statement{bare}}, false); err == nil {
			if first, dup := seen[k]; dup {
				inf.note("%s repeats Statement[%d]; trust blocks write each statement once", describeStatement(i, st), first)
				continue
			}
			seen[k] = i
		}
		g := groups[principal]
		if g == nil {
			g = &principalGroup{principal: principal}
			groups[principal] = g
			order = append(order, principal)
		}
		if kind == stmtAllow {
			g.allows = append(g.allows, i)
		} else {
			g.denies = append(g.denies, i)
		}
	}
	sort.Strings(order)
	for _, principal := range order {
		g := groups[principal]
		trusts, ok := g.infer(p, true)
		if !ok {
			trusts, ok = g.infer(p, false)
		}
		if !ok {
			for _, i := range append(slices.Clone(g.allows), g.denies...) {
				inf.note("%s %s", describeStatement(i, p.Statements[i]), g.why(p))
			}
			continue
		}
		inf.Spec.Statements = append(inf.Spec.Statements, trusts...)
	}

	if len(inf.Unexpressed) == 0 {
		// Each group rebuilds its own statements; the whole must also be the
		// same document (it is not when, say, a statement is repeated).
		rebuilt, err := Build(inf.Spec)
		same := err == nil
		if same {
			same, err = EquivalentTrust(rebuilt, doc)
			same = same && err == nil
		}
		if !same {
			inf.note("the statements as a whole differ from what trust blocks write, although each of them can be written")
		}
	}
	return inf, nil
}

func (inf *Inference) note(format string, args ...any) {
	inf.Unexpressed = append(inf.Unexpressed, fmt.Sprintf(format, args...))
}

type stmtKind uint8

const (
	stmtOther stmtKind = iota
	stmtAllow          // an Allow statement Build could have written
	stmtDeny           // a session-tag Deny statement Build could have written
)

// classify tells whether Build could have written a statement, and for which
// federated principal; otherwise why not.
func classify(st Statement) (principal string, kind stmtKind, why string) {
	switch {
	case st.NotPrincipal != nil:
		return "", stmtOther, "uses NotPrincipal; trust blocks name the identity provider in Principal"
	case st.NotAction != nil:
		return "", stmtOther, "uses NotAction; trust blocks list the actions they allow"
	case st.Resource != nil || st.NotResource != nil:
		return "", stmtOther, "has a Resource element, which a trust policy does not use"
	case st.Principal == nil:
		return "", stmtOther, "has no Principal"
	case st.Principal.All:
		return "", stmtOther, `allows Principal "*"; trust blocks name one identity provider each`
	}
	for typ, vals := range st.Principal.ByType {
		if typ != "Federated" {
			return "", stmtOther, fmt.Sprintf("names a principal of type %s (%s); trust blocks name federated identity providers only — manage such a role with another resource, or trust that principal from a separate role", typ, strings.Join(vals, ", "))
		}
	}
	fed := canonical(st.Principal.ByType["Federated"])
	switch {
	case len(fed) == 0:
		return "", stmtOther, "names no federated principal"
	case len(fed) > 1:
		return "", stmtOther, fmt.Sprintf("names %d identity providers in one statement (%s); trust blocks write one statement per provider, which means the same but is not the same document", len(fed), strings.Join(fed, ", "))
	}
	principal = fed[0]
	if !IsBuiltIn(principal) {
		if _, err := oidcurl.ParseProviderARN(principal); err != nil {
			return "", stmtOther, fmt.Sprintf("names %q, which is neither an IAM OIDC provider ARN nor an issuer AWS has built in", principal)
		}
	}
	actions := canonical(st.Action)
	switch st.Effect {
	case EffectAllow:
		if !slices.Contains(actions, ActionAssumeRoleWithWebIdentity) {
			return "", stmtOther, fmt.Sprintf("allows %s without %s; trust blocks always allow %s", strings.Join(actions, ", "), ActionAssumeRoleWithWebIdentity, ActionAssumeRoleWithWebIdentity)
		}
		for _, a := range actions {
			if a != ActionAssumeRoleWithWebIdentity && a != ActionTagSession && a != ActionSetSourceIdentity {
				return "", stmtOther, fmt.Sprintf("allows %s; trust blocks allow only %s, %s (session_tags) and %s (a condition on %s)", a, ActionAssumeRoleWithWebIdentity, ActionTagSession, ActionSetSourceIdentity, KeySourceIdentity)
			}
		}
		return principal, stmtAllow, ""
	default:
		if _, _, ok := sessionTagDeny(st); ok {
			return principal, stmtDeny, ""
		}
		return "", stmtOther, "is a Deny; trust blocks write Deny statements only for session_tags (allowed_keys, transitive_keys)"
	}
}

// sessionTagDeny reads a Deny statement as Build writes it for allowed_keys
// or transitive_keys.
func sessionTagDeny(st Statement) (key string, keys []string, ok bool) {
	if !slices.Equal(canonical(st.Action), []string{ActionTagSession}) || len(st.Conditions) != 1 {
		return "", nil, false
	}
	c := st.Conditions[0]
	if c.Key != KeyTagKeys && c.Key != KeyTransitiveTagKeys {
		return "", nil, false
	}
	want := ForAnyValue + ":" + OpStringNotEquals
	if defaultOperator(c.Values, false) == OpStringLike {
		want = ForAnyValue + ":" + OpStringNotLike
	}
	if c.Operator != want {
		return "", nil, false
	}
	return c.Key, canonical(c.Values), true
}

func describeStatement(i int, st Statement) string {
	if st.Sid != "" {
		return fmt.Sprintf("Statement[%d] (Sid %q)", i, st.Sid)
	}
	return fmt.Sprintf("Statement[%d]", i)
}

// principalGroup is the statements for one federated principal.
type principalGroup struct {
	principal string
	allows    []int
	denies    []int
}

func (g *principalGroup) trust() Trust {
	if IsBuiltIn(g.principal) {
		return Trust{BuiltIn: g.principal}
	}
	return Trust{ProviderARN: g.principal}
}

// why explains a group no trust blocks can rebuild.
func (g *principalGroup) why(p Policy) string {
	for _, i := range g.allows {
		st := p.Statements[i]
		hasSourceIdentity := false
		for _, c := range st.Conditions {
			if gk, ok := LookupGlobalKey(c.Key); ok && gk.Key == KeySourceIdentity {
				hasSourceIdentity = true
			}
		}
		if slices.Contains(st.Action, ActionSetSourceIdentity) != hasSourceIdentity {
			return fmt.Sprintf("allows %s exactly when it has no condition on %s; trust blocks allow it together with such a condition", ActionSetSourceIdentity, KeySourceIdentity)
		}
	}
	if len(g.denies) > 0 {
		return fmt.Sprintf("denies session tags for %s in a way no session_tags block writes", g.principal)
	}
	return fmt.Sprintf("is one of the statements for %s, which together differ from what trust blocks write", g.principal)
}

// allowShape is an Allow statement split as Build builds it: the conditions
// shared by the statements of one trust block, and the subject condition
// that tells exact subjects from patterns.
type allowShape struct {
	actions []string
	common  []Condition
	exact   []string // StringEquals on the subject key
	wild    []string // StringLike on the subject key
	hasSub  bool
	isExact bool
	key     string // actions and common conditions, rendered
}

// infer rebuilds the group's trust blocks: structured reads subjects,
// audiences, claims and session tags out of the conditions as Build writes
// them; otherwise every condition becomes a condition block. It reports
// false when the result does not rebuild the group's statements.
func (g *principalGroup) infer(p Policy, structured bool) ([]Trust, bool) {
	base := g.trust()
	_, prefix, err := base.principal()
	if err != nil {
		return nil, false
	}
	iss := LookupIssuer(prefix)
	subKey := iss.Key(iss.SubjectClaim)

	var shapes []allowShape
	for _, i := range g.allows {
		st := p.Statements[i]
		sh := allowShape{actions: canonical(st.Action)}
		conds := slices.Clone(st.Conditions)
		if structured {
			conds = sh.takeSubject(conds, subKey)
		}
		sh.common = conds
		sh.key = shapeKey(sh.actions, conds)
		shapes = append(shapes, sh)
	}

	// Pair a statement of exact subjects with one of patterns when both
	// share everything else: Build writes one trust block's subjects so.
	var trusts []Trust
	used := make([]bool, len(shapes))
	for a := range shapes {
		if used[a] {
			continue
		}
		used[a] = true
		t := base
		sh := shapes[a]
		t.Subjects = append(t.Subjects, sh.exact...)
		t.Subjects = append(t.Subjects, sh.wild...)
		if sh.hasSub {
			for b := a + 1; b < len(shapes); b++ {
				o := shapes[b]
				if used[b] || !o.hasSub || o.isExact == sh.isExact || o.key != sh.key {
					continue
				}
				used[b] = true
				t.Subjects = append(t.Subjects, o.exact...)
				t.Subjects = append(t.Subjects, o.wild...)
				break
			}
		}
		t.Subjects = nilIfEmpty(canonical(t.Subjects))
		readConditions(&t, sh.actions, sh.common, iss, structured)
		trusts = append(trusts, t)
	}

	trusts, ok := attachDenies(trusts, p, g.denies)
	if !ok {
		return nil, false
	}
	return trusts, rebuildsGroup(trusts, p, g)
}

// takeSubject removes the subject condition Build would have written from
// conds: StringEquals on the subject key with literal values, or else
// StringLike on it with patterns only.
func (sh *allowShape) takeSubject(conds []Condition, subKey string) []Condition {
	for _, want := range []string{OpStringEquals, OpStringLike} {
		for i, c := range conds {
			if c.Key != subKey || c.Operator != want || len(c.Values) == 0 {
				continue
			}
			exact := want == OpStringEquals
			fits := true
			for _, v := range c.Values {
				if HasWildcard(v) == exact {
					fits = false
				}
			}
			if !fits {
				continue
			}
			sh.hasSub, sh.isExact = true, exact
			if exact {
				sh.exact = canonical(c.Values)
			} else {
				sh.wild = canonical(c.Values)
			}
			return slices.Delete(slices.Clone(conds), i, i+1)
		}
	}
	return conds
}

func shapeKey(actions []string, common []Condition) string {
	conds := slices.Clone(common)
	sortConditions(conds)
	s, _ := Render(Policy{Statements: []Statement{{Effect: EffectAllow, Action: actions, Conditions: conds}}}, false)
	return s
}

// readConditions turns a statement's shared conditions into the fields of a
// trust block.
func readConditions(t *Trust, actions []string, common []Condition, iss Issuer, structured bool) {
	if slices.Contains(actions, ActionTagSession) {
		t.SessionTags = &SessionTags{}
	}
	audKey := iss.Key(iss.AudienceClaim)
	audiencesRead := false
	for _, c := range common {
		vals := canonical(c.Values)
		if structured {
			switch {
			case !audiencesRead && c.Key == audKey && len(vals) > 0 && c.Operator == defaultOperator(vals, false):
				t.Audiences = []string(vals)
				audiencesRead = true
				continue
			case t.SessionTags != nil && strings.HasPrefix(c.Key, KeyRequestTagPrefix) && len(c.Key) > len(KeyRequestTagPrefix) &&
				c.Operator == defaultOperator(vals, false):
				t.SessionTags.RequestTags = append(t.SessionTags.RequestTags, TagCondition{Key: c.Key[len(KeyRequestTagPrefix):], Values: vals})
				continue
			}
			if name, ok := claimFor(c, vals, iss); ok {
				t.Claims = append(t.Claims, Claim{Claim: name, Values: vals})
				continue
			}
		}
		t.Conditions = append(t.Conditions, RawCondition{Test: c.Operator, Variable: c.Key, Values: vals})
	}
	sort.SliceStable(t.Claims, func(a, b int) bool { return t.Claims[a].Claim < t.Claims[b].Claim })
	sort.SliceStable(t.Conditions, func(a, b int) bool {
		if t.Conditions[a].Variable != t.Conditions[b].Variable {
			return t.Conditions[a].Variable < t.Conditions[b].Variable
		}
		return t.Conditions[a].Test < t.Conditions[b].Test
	})
	if t.SessionTags != nil {
		sort.SliceStable(t.SessionTags.RequestTags, func(a, b int) bool { return t.SessionTags.RequestTags[a].Key < t.SessionTags.RequestTags[b].Key })
	}
}

// claimFor names the claim a condition is, when Build would write exactly
// this condition for that claim: a key AWS exposes for the issuer (other
// than the audience and the subject) or a global key that is not a session
// tag key, spelled as Build spells it, with the operator Build chooses.
func claimFor(c Condition, vals []string, iss Issuer) (string, bool) {
	rk := resolveKey(c.Key, iss)
	if rk.key != c.Key {
		return "", false
	}
	var name string
	multi := false
	switch rk.kind {
	case keyIssuerClaim:
		if rk.claim == iss.AudienceClaim || rk.claim == iss.SubjectClaim {
			return "", false
		}
		name, multi = rk.claim, rk.info.MultiValued
	case keyGlobal:
		if rk.global.SessionTag {
			return "", false
		}
		name, multi = rk.global.Key, rk.global.MultiValued
	default:
		return "", false
	}
	if c.Operator != defaultOperator(vals, multi) {
		return "", false
	}
	return name, true
}

// attachDenies gives each session-tag Deny to a trust block with session
// tags, copying a block when one provider has more Denies of a kind than
// blocks (Build drops repeated statements, so copies add nothing else).
func attachDenies(trusts []Trust, p Policy, denies []int) ([]Trust, bool) {
	var tagged []int
	for i := range trusts {
		if trusts[i].SessionTags != nil {
			tagged = append(tagged, i)
		}
	}
	next := map[string]int{}
	for _, d := range denies {
		key, keys, _ := sessionTagDeny(p.Statements[d])
		if len(tagged) == 0 {
			return nil, false
		}
		n := next[key]
		next[key] = n + 1
		var t *Trust
		if n < len(tagged) {
			t = &trusts[tagged[n]]
		} else {
			clone := trusts[tagged[len(tagged)-1]]
			tags := *clone.SessionTags
			tags.AllowedKeys, tags.TransitiveKeys = nil, nil
			clone.SessionTags = &tags
			trusts = append(trusts, clone)
			tagged = append(tagged, len(trusts)-1)
			t = &trusts[len(trusts)-1]
		}
		if key == KeyTagKeys {
			t.SessionTags.AllowedKeys = keys
		} else {
			t.SessionTags.TransitiveKeys = keys
		}
	}
	return trusts, true
}

// rebuildsGroup reports whether trusts build exactly the group's statements
// (Sids aside).
func rebuildsGroup(trusts []Trust, p Policy, g *principalGroup) bool {
	built, err := BuildPolicy(Spec{Statements: trusts})
	if err != nil {
		return false
	}
	want := map[string]bool{}
	for _, i := range append(slices.Clone(g.allows), g.denies...) {
		st := p.Statements[i]
		st.Sid = ""
		k, err := Render(Policy{Statements: []Statement{st}}, false)
		if err != nil {
			return false
		}
		want[k] = true
	}
	got := map[string]bool{}
	for _, st := range built.Statements {
		k, err := Render(Policy{Statements: []Statement{st}}, false)
		if err != nil {
			return false
		}
		got[k] = true
	}
	if len(got) != len(want) {
		return false
	}
	for k := range want {
		if !got[k] {
			return false
		}
	}
	return true
}

func nilIfEmpty(v values) []string {
	if len(v) == 0 {
		return nil
	}
	return []string(v)
}

// EquivalentTrust is Equivalent for trust policies: a statement's Sid is a
// label with no effect on who may assume the role, so two policies that
// differ only in Sids are equivalent.
func EquivalentTrust(a, b string) (bool, error) {
	pa, errA := Parse(a)
	pb, errB := Parse(b)
	if errA != nil || errB != nil {
		return Equivalent(a, b)
	}
	ra, err := Render(withoutSids(pa), false)
	if err != nil {
		return false, err
	}
	rb, err := Render(withoutSids(pb), false)
	if err != nil {
		return false, err
	}
	return awspolicy.PoliciesAreEquivalent(ra, rb)
}

func withoutSids(p Policy) Policy {
	out := p
	out.Statements = make([]Statement, len(p.Statements))
	for i, st := range p.Statements {
		st.Sid = ""
		out.Statements[i] = st
	}
	return out
}
