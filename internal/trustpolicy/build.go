package trustpolicy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Spec describes a role's trust: one Trust per identity provider.
type Spec struct {
	Statements []Trust
}

// Trust is one identity provider a role trusts and what its tokens must say.
type Trust struct {
	// ProviderARN is an IAM OIDC provider ARN. Exactly one of ProviderARN
	// and BuiltIn is set.
	ProviderARN string
	// BuiltIn is a built-in issuer name (see BuiltInIssuers).
	BuiltIn string
	// Audiences become StringEquals (StringLike for patterns) on
	// `<prefix>:aud` (`app_id` for Facebook and Login with Amazon).
	Audiences []string
	// Subjects become conditions on `<prefix>:sub`: exact values with
	// StringEquals, patterns with StringLike, each in its own statement so
	// the two are ORed.
	Subjects []string
	// Claims are further conditions on keys AWS exposes for the issuer.
	Claims []Claim
	// Conditions are written as given, for keys the catalogue does not know
	// yet (see RawCondition).
	Conditions []RawCondition
	// SessionTags, when set, lets the IdP's session-tags claim become
	// principal tags (sts:TagSession) and constrains them.
	SessionTags *SessionTags
	// AllowAnySubject is the explicit opt-out that lets a multi-tenant
	// public issuer be trusted without pinning the subject to an owner.
	AllowAnySubject bool
	// ProviderUnknown says the provider ARN is not known yet (for example
	// an IAM OIDC provider created in the same apply). Validate then skips
	// the checks that need the issuer (claim names, key prefixes, subjects
	// of multi-tenant issuers, policy size) and runs the rest; Build refuses.
	ProviderUnknown bool
}

// Claim is a condition on one condition key.
type Claim struct {
	// Claim is the claim name (`repository_id`), the full key
	// (`token.actions.githubusercontent.com:repository_id`) or a global key
	// (`sts:RoleSessionName`).
	Claim  string
	Values []string
	// Operator is optional: by default multi-valued claims use
	// ForAnyValue:StringLike, values with `*` or `?` StringLike, and other
	// values StringEquals.
	Operator string
}

// SessionTags configures session tags passed in the token.
type SessionTags struct {
	// RequestTags require tag values: StringEquals (StringLike for
	// patterns) on `aws:RequestTag/<Key>`.
	RequestTags []TagCondition
	// AllowedKeys, when not empty, refuses tokens carrying any other tag
	// key (a Deny of sts:TagSession on aws:TagKeys).
	AllowedKeys []string
	// TransitiveKeys, when not empty, refuses tokens marking any other key
	// transitive (a Deny of sts:TagSession on sts:TransitiveTagKeys).
	TransitiveKeys []string
}

// TagCondition requires the session tag Key to have one of Values.
type TagCondition struct {
	Key    string
	Values []string
}

// principal returns the Federated principal and the condition-key prefix.
func (t Trust) principal() (principal, prefix string, err error) {
	switch {
	case t.ProviderUnknown:
		return "", "", fmt.Errorf("expected a known provider, found one that is not known yet")
	case t.ProviderARN != "" && t.BuiltIn != "":
		return "", "", fmt.Errorf("expected one of a provider ARN and a built-in issuer, found both (%q and %q)", t.ProviderARN, t.BuiltIn)
	case t.ProviderARN != "":
		a, err := splitProviderARN(t.ProviderARN)
		if err != nil {
			return "", "", err
		}
		return t.ProviderARN, a.Key, nil
	case t.BuiltIn != "":
		if !IsBuiltIn(t.BuiltIn) {
			return "", "", fmt.Errorf("expected a built-in issuer (%s), found %q", strings.Join(BuiltInIssuers(), ", "), t.BuiltIn)
		}
		return t.BuiltIn, t.BuiltIn, nil
	}
	return "", "", fmt.Errorf("expected a provider ARN or a built-in issuer, found neither")
}

// keyKind classifies what a Claim names.
type keyKind uint8

const (
	keyIssuerClaim   keyKind = iota // a claim the issuer exposes
	keyUnknownClaim                 // a claim the issuer does not expose
	keyGlobal                       // a known global key
	keyUnknownGlobal                // aws:/sts: key this package does not know
	keyForeign                      // a key under another provider's prefix
)

type resolvedKey struct {
	kind   keyKind
	key    string // the full condition key
	claim  string // the claim part for issuer keys
	info   ClaimKey
	global GlobalKey
	prefix string // the prefix written, for keyForeign
}

// resolveKey reads a Claim name. A name whose part before the first `:`
// looks like a host (has `.` or `/`) is a full key; `aws:`/`sts:` are
// global keys; anything else, `custom:department` included, is a claim
// name under the issuer's prefix.
func resolveKey(name string, iss Issuer) resolvedKey {
	if p, rest, ok := strings.Cut(name, ":"); ok {
		switch {
		case strings.EqualFold(p, iss.Prefix): // condition keys are case-insensitive
			return issuerKey(rest, iss)
		case strings.EqualFold(p, "aws") || strings.EqualFold(p, "sts"):
			if g, known := LookupGlobalKey(name); known {
				return resolvedKey{kind: keyGlobal, key: g.Key, global: g}
			}
			return resolvedKey{kind: keyUnknownGlobal, key: name}
		case strings.ContainsAny(p, "./"):
			return resolvedKey{kind: keyForeign, key: name, prefix: p, claim: rest}
		}
	}
	return issuerKey(name, iss)
}

func issuerKey(claim string, iss Issuer) resolvedKey {
	info, ok := iss.Claim(claim)
	if !ok {
		return resolvedKey{kind: keyUnknownClaim, key: iss.Key(claim), claim: claim}
	}
	return resolvedKey{kind: keyIssuerClaim, key: iss.Key(claim), claim: claim, info: info}
}

// defaultOperator picks the operator the builder writes for values.
func defaultOperator(vals []string, multiValued bool) string {
	if multiValued {
		return ForAnyValue + ":" + OpStringLike
	}
	for _, v := range vals {
		if HasWildcard(v) {
			return OpStringLike
		}
	}
	return OpStringEquals
}

// conditionSet collects conditions, merging values of the same operator
// and key, since JSON can hold each pair only once.
type conditionSet []Condition

func (cs conditionSet) add(op, key string, vals []string) conditionSet {
	for i := range cs {
		if cs[i].Operator == op && cs[i].Key == key {
			cs[i].Values = canonical(append(slices.Clone(cs[i].Values), vals...))
			return cs
		}
	}
	return append(cs, Condition{Operator: op, Key: key, Values: canonical(vals)})
}

func (cs conditionSet) with(op, key string, vals []string) []Condition {
	out := slices.Clone(cs).add(op, key, vals)
	sortConditions(out)
	return out
}

// statements renders one Trust.
func (t Trust) statements() ([]Statement, error) {
	principal, prefix, err := t.principal()
	if err != nil {
		return nil, err
	}
	iss := LookupIssuer(prefix)
	fed := &Principal{ByType: map[string][]string{"Federated": {principal}}}

	actions := []string{ActionAssumeRoleWithWebIdentity}
	var common conditionSet
	if len(t.Audiences) > 0 {
		common = common.add(defaultOperator(t.Audiences, false), iss.Key(iss.AudienceClaim), t.Audiences)
	}
	for _, c := range t.Claims {
		rk := resolveKey(c.Claim, iss)
		op := c.Operator
		if op == "" {
			op = defaultOperator(c.Values, rk.info.MultiValued || rk.global.MultiValued)
		}
		common = common.add(op, rk.key, c.Values)
		if rk.kind == keyGlobal && rk.global.Key == KeySourceIdentity {
			actions = append(actions, ActionSetSourceIdentity)
		}
	}
	for _, c := range t.Conditions {
		common = common.add(c.Test, c.Variable, c.Values)
		if g, ok := LookupGlobalKey(c.Variable); ok && g.Key == KeySourceIdentity {
			actions = append(actions, ActionSetSourceIdentity)
		}
	}
	var denies []Statement
	if st := t.SessionTags; st != nil {
		actions = append(actions, ActionTagSession)
		for _, rt := range st.RequestTags {
			common = common.add(defaultOperator(rt.Values, false), KeyRequestTagPrefix+rt.Key, rt.Values)
		}
		deny := func(key string, allowed []string) {
			op := ForAnyValue + ":" + OpStringNotEquals
			if defaultOperator(allowed, false) == OpStringLike {
				op = ForAnyValue + ":" + OpStringNotLike
			}
			denies = append(denies, Statement{
				Effect: EffectDeny, Principal: fed, Action: []string{ActionTagSession},
				Conditions: conditionSet(nil).with(op, key, allowed),
			})
		}
		if len(st.AllowedKeys) > 0 {
			deny(KeyTagKeys, st.AllowedKeys)
		}
		if len(st.TransitiveKeys) > 0 {
			deny(KeyTransitiveTagKeys, st.TransitiveKeys)
		}
	}
	actions = canonical(actions)

	allow := func(conds []Condition) Statement {
		if len(conds) == 0 {
			conds = nil
		} else {
			sortConditions(conds)
		}
		return Statement{Effect: EffectAllow, Principal: fed, Action: actions, Conditions: conds}
	}
	var exact, wild []string
	for _, s := range t.Subjects {
		if HasWildcard(s) {
			wild = append(wild, s)
		} else {
			exact = append(exact, s)
		}
	}
	subKey := iss.Key(iss.SubjectClaim)
	var out []Statement
	// Exact and pattern subjects go in separate statements: within one
	// statement, StringEquals and StringLike on the same key are ANDed and
	// no token could satisfy both.
	if len(exact) > 0 {
		out = append(out, allow(common.with(OpStringEquals, subKey, exact)))
	}
	if len(wild) > 0 {
		out = append(out, allow(common.with(OpStringLike, subKey, wild)))
	}
	if len(out) == 0 {
		out = append(out, allow(slices.Clone(common)))
	}
	return append(out, denies...), nil
}

// BuildPolicy turns a Spec into a policy. Statements are sorted by their
// canonical JSON (Allow before Deny, then by provider), so the result does
// not depend on the order of Trust blocks. It refuses only what it cannot
// render (a missing or malformed provider); Validate reports everything
// else.
func BuildPolicy(spec Spec) (Policy, error) {
	type keyed struct {
		key string
		st  Statement
	}
	var all []keyed
	for i, t := range spec.Statements {
		sts, err := t.statements()
		if err != nil {
			return Policy{}, fmt.Errorf("trust[%d]: %w", i, err)
		}
		for _, st := range sts {
			k, err := Render(Policy{Statements: []Statement{st}}, false)
			if err != nil {
				return Policy{}, err
			}
			all = append(all, keyed{k, st})
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].key < all[b].key })
	p := Policy{Version: PolicyVersion, Statements: []Statement{}}
	for i, k := range all {
		if i > 0 && k.key == all[i-1].key {
			continue
		}
		p.Statements = append(p.Statements, k.st)
	}
	return p, nil
}

// Build renders a Spec as an indented trust policy JSON document. The output
// is byte-stable: values sorted and de-duplicated, a single value written as
// a string, several as a list.
func Build(spec Spec) (string, error) {
	p, err := BuildPolicy(spec)
	if err != nil {
		return "", err
	}
	return Render(p, true)
}
