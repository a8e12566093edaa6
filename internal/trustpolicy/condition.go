package trustpolicy

import (
	"slices"
	"strings"
)

// Condition blocks are the documented way to write a condition the catalogue
// does not know yet: an operator, a full condition key and values, as IAM
// spells them. AWS adds condition keys (the provider-specific keys of January
// 2026 came that way), and a user must not wait for this package to learn
// one. Build writes a condition block exactly as given. Validate never lets
// one pass silently: on a key the catalogue knows it applies the same rules
// as to audiences, subjects and claims; on any other key it warns, naming
// the key.

// Attribute names of a condition block; the Terraform schema uses the same.
const (
	AttrCondition = "condition"
	AttrTest      = "test"
	AttrVariable  = "variable"
	AttrValues    = "values"
)

// RuleConditionKey is the warning about a condition block on a key the
// catalogue does not know.
const RuleConditionKey = "condition-key"

// RawCondition is one condition written as IAM spells it, ANDed with the
// other conditions of its trust block.
type RawCondition struct {
	// Test is the condition operator, for example StringEquals or
	// ForAnyValue:StringLike.
	Test string
	// Variable is the full condition key, for example
	// token.actions.githubusercontent.com:repository_id.
	Variable string
	Values   []string
}

// Validate checks a Spec against the rules AWS enforces late or not at all.
// Every finding names the value, the rule and the fix.
//
// Condition blocks on keys the catalogue knows are checked as the audiences,
// subjects or claims they amount to (a StringEquals or StringLike condition
// on the audience or subject key counts as audiences or subjects, so the
// rules for those apply to it, and a subject pattern in a condition block
// gets the same owner check as one in subjects); findings about them point
// at the condition block. Condition blocks on other keys get a warning that
// names the key, plus the operator and value checks of claims.
func Validate(spec Spec, opts ValidateOptions) []Finding {
	if !hasConditions(spec) {
		return validateSpec(spec, opts)
	}
	f := foldConditions(spec)
	v := &validator{}
	for _, fd := range validateSpec(f.view, opts) {
		if fd.Rule == RulePolicySize {
			// The view renders differently from the spec; size the spec itself.
			continue
		}
		v.out = append(v.out, f.locate(fd))
	}
	for _, u := range f.unfolded {
		v.unknownCondition(u.trust, u.index, spec.Statements[u.trust])
	}
	v.size(spec, opts)
	return v.out
}

func hasConditions(spec Spec) bool {
	for _, t := range spec.Statements {
		if len(t.Conditions) > 0 {
			return true
		}
	}
	return false
}

// conditionRef names one condition block: trust block, index in it.
type conditionRef struct{ trust, index int }

// folded is a Spec with its condition blocks on known keys moved into the
// fields they amount to, and the way back from a finding on the view to the
// condition block it is about.
type folded struct {
	view Spec
	// values maps (trust, attribute, value) of a folded audience or subject
	// to its condition block.
	values map[foldedValue]conditionRef
	// claims maps (trust, index in the view's claims) to a condition block.
	claims map[[2]int]conditionRef
	// unfolded lists the condition blocks left as they are (keys the
	// catalogue does not know, or a provider not known yet).
	unfolded []conditionRef
}

type foldedValue struct {
	trust       int
	attr, value string
}

func foldConditions(spec Spec) folded {
	f := folded{values: map[foldedValue]conditionRef{}, claims: map[[2]int]conditionRef{}}
	f.view.Statements = make([]Trust, len(spec.Statements))
	for i, t := range spec.Statements {
		vt := t
		vt.Conditions = nil
		vt.Audiences = slices.Clone(t.Audiences)
		vt.Subjects = slices.Clone(t.Subjects)
		vt.Claims = slices.Clone(t.Claims)
		iss, known := trustIssuer(t)
		for ci, c := range t.Conditions {
			ref := conditionRef{i, ci}
			rk := resolveKey(c.Variable, iss)
			if !known && rk.kind != keyGlobal {
				// Without the issuer only global keys can be told apart.
				f.unfolded = append(f.unfolded, ref)
				continue
			}
			op := ParseOperator(c.Test)
			plain := op.Known && op.Qualifier == "" && !op.IfExists && !op.Negated &&
				(op.Base == OpStringEquals || op.Base == OpStringLike)
			switch {
			case rk.kind == keyIssuerClaim && rk.claim == iss.AudienceClaim && plain:
				for _, val := range c.Values {
					vt.Audiences = append(vt.Audiences, val)
					f.values[foldedValue{i, AttrAudiences, val}] = ref
				}
			case rk.kind == keyIssuerClaim && rk.claim == iss.SubjectClaim && plain:
				for _, val := range c.Values {
					vt.Subjects = append(vt.Subjects, val)
					f.values[foldedValue{i, AttrSubjects, val}] = ref
				}
			case rk.kind == keyIssuerClaim || rk.kind == keyGlobal || rk.kind == keyForeign:
				f.claims[[2]int{i, len(vt.Claims)}] = ref
				vt.Claims = append(vt.Claims, Claim{Claim: c.Variable, Values: c.Values, Operator: c.Test})
			default:
				f.unfolded = append(f.unfolded, ref)
			}
		}
		f.view.Statements[i] = vt
	}
	return f
}

// trustIssuer describes the issuer of a trust block, when it is known and
// well formed.
func trustIssuer(t Trust) (Issuer, bool) {
	if t.ProviderUnknown {
		return Issuer{}, false
	}
	_, prefix, err := t.principal()
	if err != nil {
		return Issuer{}, false
	}
	return LookupIssuer(prefix), true
}

// locate points a finding on the view at the condition block it comes from,
// if it does.
func (f folded) locate(fd Finding) Finding {
	if len(fd.Steps) < 2 || fd.Steps[0].Name != AttrTrust {
		return fd
	}
	i, s := fd.Steps[0].Index, fd.Steps[1]
	var ref conditionRef
	var ok bool
	switch s.Name {
	case AttrAudiences, AttrSubjects:
		if s.Key != "" || s.Index >= 0 {
			ref, ok = f.values[foldedValue{i, s.Name, s.Key}]
		}
	case AttrClaims:
		ref, ok = f.claims[[2]int{i, s.Index}]
	}
	if !ok {
		return fd
	}
	fd.Steps = conditionSteps(ref)
	return fd
}

func conditionSteps(ref conditionRef) []PathStep {
	return []PathStep{trustStep(ref.trust), {Name: AttrCondition, Index: ref.index}}
}

// unknownCondition checks a condition block whose key the catalogue does not
// know (or whose provider is not known yet): the key is named in a warning,
// and the operator and values get the checks claims get.
func (v *validator) unknownCondition(i, ci int, t Trust) {
	c := t.Conditions[ci]
	steps := conditionSteps(conditionRef{i, ci})
	if c.Variable == "" || !strings.Contains(c.Variable, ":") {
		v.add(SeverityError, RuleConditionKey, steps,
			"condition variable %q is not a condition key: a key is a prefix and a name joined by a colon, such as token.actions.githubusercontent.com:repository_id or sts:RoleSessionName; write the full key", c.Variable)
		return
	}
	if iss, known := trustIssuer(t); known {
		absent := "never matches, and the role cannot be assumed"
		if op := ParseOperator(c.Test); op.Negated || op.IfExists || op.Qualifier == ForAllValues {
			absent = "is true for every token, and restricts nothing"
		}
		v.add(SeverityWarning, RuleConditionKey, steps,
			"condition key %q is not one this provider knows AWS to set for %s (%s), which exposes %s; it is written as given. If STS does not set it, this %s condition %s. Check the key against AWS's list of condition keys for this identity provider, and test the role with awsoidc_trust_check",
			c.Variable, iss.Prefix, iss.Name, strings.Join(iss.ClaimNames(), ", "), c.Test, absent)
	} else {
		v.add(SeverityWarning, RuleConditionKey, steps,
			"condition key %q is written as given; it is checked against what AWS sets for the trusted provider once that provider is known", c.Variable)
	}
	if len(c.Values) == 0 {
		v.add(SeverityError, RuleClaimValues, steps, "condition on %q has no values: a condition needs at least one; add values or remove the block", c.Variable)
	}
	for _, val := range c.Values {
		if val == "" {
			v.add(SeverityError, RuleClaimValues, steps, "condition on %q has an empty value; remove it", c.Variable)
		}
		v.variable(steps, val)
	}
	v.operator(steps, Claim{Claim: c.Variable, Values: c.Values, Operator: c.Test}, resolvedKey{}, false)
}
