package trustpolicy

import "strings"

// Set qualifiers.
const (
	ForAnyValue  = "ForAnyValue"
	ForAllValues = "ForAllValues"
)

// Condition operators the evaluator models.
const (
	OpStringEquals              = "StringEquals"
	OpStringNotEquals           = "StringNotEquals"
	OpStringEqualsIgnoreCase    = "StringEqualsIgnoreCase"
	OpStringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
	OpStringLike                = "StringLike"
	OpStringNotLike             = "StringNotLike"
	OpNull                      = "Null"
)

type matchKind uint8

const (
	matchEquals matchKind = iota
	matchEqualsFold
	matchLike
	matchNull
)

// Operator is a condition operator split into its parts, for example
// "ForAnyValue:StringLikeIfExists" → qualifier ForAnyValue, base StringLike,
// IfExists.
type Operator struct {
	// Raw is the operator as written.
	Raw string
	// Qualifier is "", ForAnyValue or ForAllValues.
	Qualifier string
	// Base is the operator without qualifier and IfExists, e.g. StringLike.
	Base string
	// IfExists makes the condition true when the key is absent.
	IfExists bool
	// Negated operators (StringNot…) are true when no value matches.
	Negated bool
	// Known is false for operators the evaluator does not model.
	Known bool
	kind  matchKind
}

var baseOperators = map[string]struct {
	kind    matchKind
	negated bool
}{
	OpStringEquals:              {matchEquals, false},
	OpStringNotEquals:           {matchEquals, true},
	OpStringEqualsIgnoreCase:    {matchEqualsFold, false},
	OpStringNotEqualsIgnoreCase: {matchEqualsFold, true},
	OpStringLike:                {matchLike, false},
	OpStringNotLike:             {matchLike, true},
	OpNull:                      {matchNull, false},
}

// ParseOperator splits a condition operator. Names are matched as IAM
// documents them (case-sensitive); anything else has Known false.
func ParseOperator(raw string) Operator {
	op := Operator{Raw: raw}
	rest := raw
	if q, r, ok := strings.Cut(raw, ":"); ok {
		if q != ForAnyValue && q != ForAllValues {
			return op
		}
		op.Qualifier, rest = q, r
	}
	if base, ok := strings.CutSuffix(rest, "IfExists"); ok {
		op.IfExists, rest = true, base
	}
	b, ok := baseOperators[rest]
	if !ok || (b.kind == matchNull && (op.IfExists || op.Qualifier != "")) {
		return Operator{Raw: raw}
	}
	op.Base, op.Negated, op.kind, op.Known = rest, b.negated, b.kind, true
	return op
}

// KnownOperators lists the operators the evaluator models, without
// qualifiers, sorted.
func KnownOperators() []string {
	return []string{
		OpNull, OpStringEquals, OpStringEqualsIgnoreCase, OpStringLike,
		OpStringNotEquals, OpStringNotEqualsIgnoreCase, OpStringNotLike,
	}
}
