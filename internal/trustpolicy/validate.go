package trustpolicy

import (
	"fmt"
	"strconv"
	"strings"
)

// Severity of a finding.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Attribute names used in finding paths; the Terraform schema uses the same.
const (
	AttrTrust           = "trust"
	AttrProviderARN     = "provider_arn"
	AttrBuiltIn         = "built_in"
	AttrAudiences       = "audiences"
	AttrSubjects        = "subjects"
	AttrClaims          = "claims"
	AttrSessionTags     = "session_tags"
	AttrRequestTags     = "request_tags"
	AttrAllowedKeys     = "allowed_keys"
	AttrTransitiveKeys  = "transitive_keys"
	AttrAllowAnySubject = "allow_any_subject"
)

// Rule identifiers, stable for tests and for mapping to summaries.
const (
	RuleNoTrust           = "no-trust"
	RuleProvider          = "provider"
	RuleDuplicateProvider = "duplicate-provider"
	RuleAudiencesRequired = "audiences-required"
	RuleAudienceValue     = "audience-value"
	RuleSubjectsRequired  = "subjects-required"
	RuleSubjectCatchAll   = "subject-catch-all"
	RuleSubjectValue      = "subject-value"
	RuleClaimUnknown      = "claim-unknown"
	RuleClaimPrefix       = "claim-prefix"
	RuleClaimReserved     = "claim-reserved"
	RuleClaimValues       = "claim-values"
	RuleClaimOperator     = "claim-operator"
	RuleClaimDuplicate    = "claim-duplicate"
	RulePolicyVariable    = "policy-variable"
	RuleSessionTags       = "session-tags"
	RulePolicySize        = "policy-size"
)

// PathStep is one step of an attribute path: Name, then an element by
// Index (≥ 0) and/or by Key (the claim, tag key or value concerned).
type PathStep struct {
	Name  string
	Index int
	Key   string
}

// Finding is one problem in a Spec.
type Finding struct {
	Severity Severity
	Rule     string
	// Steps locates the attribute, for example
	// trust[1] → claims[0] (Key "custom:department"). Empty for the whole
	// policy.
	Steps []PathStep
	// Message names the value, the rule and the fix.
	Message string
	// DependsOn lists other attributes the finding was derived from (for
	// example the claims that could pin an owner), so that a caller can
	// set it aside while any of them is not known yet.
	DependsOn [][]PathStep
}

// Path renders Steps as a hint such as `trust[1].claims["custom:department"]`.
func (f Finding) Path() string {
	var b strings.Builder
	for i, s := range f.Steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Name)
		switch {
		case s.Key != "":
			b.WriteString("[" + strconv.Quote(s.Key) + "]")
		case s.Index >= 0:
			fmt.Fprintf(&b, "[%d]", s.Index)
		}
	}
	return b.String()
}

func (f Finding) String() string {
	if p := f.Path(); p != "" {
		return fmt.Sprintf("%s: %s: %s", f.Severity, p, f.Message)
	}
	return fmt.Sprintf("%s: %s", f.Severity, f.Message)
}

// ValidateOptions tunes Validate.
type ValidateOptions struct {
	// MaxPolicySize is the trust policy size quota in characters without
	// whitespace; 0 means DefaultMaxPolicySize.
	MaxPolicySize int
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

type validator struct {
	out []Finding
}

func (v *validator) add(sev Severity, rule string, steps []PathStep, format string, args ...any) {
	v.out = append(v.out, Finding{Severity: sev, Rule: rule, Steps: steps, Message: fmt.Sprintf(format, args...)})
}

func trustStep(i int) PathStep { return PathStep{Name: AttrTrust, Index: i} }

func at(i int, name string) []PathStep {
	return []PathStep{trustStep(i), {Name: name, Index: -1}}
}

func atKey(i int, name string, idx int, key string) []PathStep {
	return []PathStep{trustStep(i), {Name: name, Index: idx, Key: key}}
}

// validateSpec checks a Spec whose condition blocks are folded (see Validate).
func validateSpec(spec Spec, opts ValidateOptions) []Finding {
	v := &validator{}
	if len(spec.Statements) == 0 {
		v.add(SeverityError, RuleNoTrust, []PathStep{{Name: AttrTrust, Index: -1}},
			"no trust block: a role assumable with web identity needs at least one identity provider to trust; add a trust block with provider_arn or built_in")
		return v.out
	}
	seen := map[string]int{}
	renderable := true
	for i, t := range spec.Statements {
		if t.ProviderUnknown {
			// Only what does not depend on the issuer can be checked.
			if t.BuiltIn != "" {
				v.add(SeverityError, RuleProvider, at(i, AttrProviderARN),
					"both provider_arn (not known yet) and built_in (%q) are set: a trust block trusts exactly one identity provider; keep one of them", t.BuiltIn)
			}
			iss := LookupIssuer("") // no prefix: messages speak of "the provider's aud key"
			v.audiences(i, t, iss)
			v.claims(i, t, iss, false)
			v.sessionTags(i, t)
			renderable = false
			continue
		}
		principal, prefix, ok := v.provider(i, t)
		if !ok {
			renderable = false
			continue
		}
		if first, dup := seen[principal]; dup {
			v.add(SeverityError, RuleDuplicateProvider, at(i, providerAttr(t)),
				"provider %q is already trusted by trust[%d]: conditions of two blocks for one provider are ORed, which is rarely meant and hard to read; merge the audiences, subjects and claims into trust[%d]", principal, first, first)
		} else {
			seen[principal] = i
		}
		iss := LookupIssuer(prefix)
		v.audiences(i, t, iss)
		v.subjects(i, t, iss)
		v.claims(i, t, iss, true)
		v.cognitoGuests(i, t, iss)
		v.lookAlikes(i, t, prefix)
		v.sessionTags(i, t)
	}
	if renderable {
		v.size(spec, opts)
	}
	return v.out
}

func providerAttr(t Trust) string {
	if t.BuiltIn != "" && t.ProviderARN == "" {
		return AttrBuiltIn
	}
	return AttrProviderARN
}

func (v *validator) provider(i int, t Trust) (principal, prefix string, ok bool) {
	principal, prefix, err := t.principal()
	if err != nil {
		v.add(SeverityError, RuleProvider, at(i, providerAttr(t)), "%v; set provider_arn to an IAM OIDC provider ARN (for example awsoidc_provider.x.arn) or built_in to one of %s", err, strings.Join(BuiltInIssuers(), ", "))
		return "", "", false
	}
	if iss := LookupIssuer(prefix); t.ProviderARN != "" && iss.BuiltIn {
		builtIn := canonicalPrefix(prefix)
		v.add(SeverityError, RuleProvider, at(i, AttrProviderARN),
			"provider ARN %q names %s, which AWS trusts without an IAM OIDC provider (IAM refuses to create one for it); remove provider_arn and set built_in = %q", t.ProviderARN, prefix, builtIn)
		return "", "", false
	}
	return principal, prefix, true
}

func (v *validator) audiences(i int, t Trust, iss Issuer) {
	key := iss.Key(iss.AudienceClaim)
	if iss.Prefix == "" {
		key = iss.AudienceClaim
	}
	if len(t.Audiences) == 0 {
		switch iss.Prefix {
		case "":
			v.add(SeverityError, RuleAudiencesRequired, at(i, AttrAudiences),
				"audiences is empty: without a condition on the trusted provider's aud key, a token the issuer minted for any other application is accepted; set audiences to the client ID (audience) your tokens carry, for example %q for GitHub Actions", "sts.amazonaws.com")
		case Google:
			v.add(SeverityError, RuleAudiencesRequired, at(i, AttrAudiences),
				"audiences is empty for %s: Google issues tokens to every Google account for every OAuth client, so without %s pinned to your own OAuth client ID anyone with a Google account could assume the role; set audiences to your client ID (…apps.googleusercontent.com)", Google, key)
		default:
			v.add(SeverityError, RuleAudiencesRequired, at(i, AttrAudiences),
				"audiences is empty for %s: without a condition on %s a token the issuer minted for any other application is accepted; set audiences to the client ID (audience) your tokens carry, for example %q for GitHub Actions", iss.Prefix, key, "sts.amazonaws.com")
		}
		return
	}
	for _, a := range t.Audiences {
		switch {
		case a == "":
			v.add(SeverityError, RuleAudienceValue, atKey(i, AttrAudiences, -1, a),
				"an audience is the empty string: no token carries an empty %s; remove it or set the client ID", key)
		case strings.Trim(a, "*?") == "":
			v.add(SeverityError, RuleAudienceValue, atKey(i, AttrAudiences, -1, a),
				"audience %q matches every audience, so tokens minted for any application are accepted; set the exact client ID", a)
		case HasWildcard(a):
			v.audienceWildcard(i, a, iss)
		}
		v.variable(atKey(i, AttrAudiences, -1, a), a)
	}
}

// claims checks claim conditions; issuerKnown false skips the checks that
// need the issuer's catalogue entry.
func (v *validator) claims(i int, t Trust, iss Issuer, issuerKnown bool) {
	type opKey struct{ op, key string }
	seen := map[opKey]int{}
	for ci, c := range t.Claims {
		steps := atKey(i, AttrClaims, ci, c.Claim)
		rk := resolveKey(c.Claim, iss)
		if !issuerKnown && (rk.kind == keyUnknownClaim || rk.kind == keyForeign) {
			// Without the issuer, treat the name as a claim it may expose.
			rk = resolvedKey{kind: keyIssuerClaim, key: c.Claim, claim: c.Claim}
			if c.Claim == "amr" || strings.HasSuffix(c.Claim, ":amr") {
				rk.info.MultiValued = true
			}
		}
		switch rk.kind {
		case keyForeign:
			v.add(SeverityError, RuleClaimPrefix, steps,
				"claim %q uses the prefix %q, but this trust block's provider sets keys under %q: STS never sets a key for another provider, so the role could never be assumed; write %q or just %q",
				c.Claim, rk.prefix, iss.Prefix, iss.Key(rk.claim), rk.claim)
			continue
		case keyUnknownGlobal:
			v.add(SeverityError, RuleClaimUnknown, steps,
				"claim %q is not a key STS sets for AssumeRoleWithWebIdentity; the global keys are %s, %s, %s, %s and %s<key>",
				c.Claim, KeyRoleSessionName, KeySourceIdentity, KeyTransitiveTagKeys, KeyTagKeys, KeyRequestTagPrefix)
			continue
		case keyUnknownClaim:
			v.add(SeverityError, RuleClaimUnknown, steps,
				"claim %q is not a condition key AWS exposes for %s (%s); it exposes %s. STS drops every other claim, so a condition on it never matches and the role could never be assumed. Custom attributes such as groups or department reach AWS only as session tags: have the IdP put them in the %q claim and use session_tags (request_tags) instead",
				c.Claim, iss.Prefix, iss.Name, strings.Join(iss.ClaimNames(), ", "), TagsClaim)
			continue
		case keyGlobal:
			if rk.global.SessionTag {
				v.add(SeverityError, RuleClaimReserved, steps,
					"claim %q is a session-tag key: it only has a value when sts:TagSession is allowed; use session_tags (request_tags, allowed_keys, transitive_keys) instead", c.Claim)
				continue
			}
		case keyIssuerClaim:
			switch rk.claim {
			case iss.AudienceClaim:
				v.add(SeverityError, RuleClaimReserved, steps,
					"claim %q is the audience: put its values in audiences, so they are not ANDed with a second condition on the same key", c.Claim)
				continue
			case iss.SubjectClaim:
				v.add(SeverityError, RuleClaimReserved, steps,
					"claim %q is the subject: put its values in subjects, which ORs exact values and patterns correctly", c.Claim)
				continue
			}
		}
		if len(c.Values) == 0 {
			v.add(SeverityError, RuleClaimValues, steps, "claim %q has no values: a condition needs at least one; add values or remove the claim", c.Claim)
		}
		for _, val := range c.Values {
			if val == "" {
				v.add(SeverityError, RuleClaimValues, steps, "claim %q has an empty value; remove it", c.Claim)
			}
			v.variable(steps, val)
		}
		multi := rk.info.MultiValued
		op := c.Operator
		if op == "" {
			op = defaultOperator(c.Values, multi)
		} else {
			v.operator(steps, c, rk, multi)
		}
		k := opKey{op, rk.key}
		if first, dup := seen[k]; dup {
			v.add(SeverityError, RuleClaimDuplicate, steps,
				"claim %q repeats claims[%d] (%s on %s): their values would be merged into one list; put all values in one claim", c.Claim, first, op, rk.key)
		} else {
			seen[k] = ci
		}
	}
}

func (v *validator) operator(steps []PathStep, c Claim, rk resolvedKey, multi bool) {
	op := ParseOperator(c.Operator)
	switch {
	case !op.Known:
		v.add(SeverityError, RuleClaimOperator, steps,
			"operator %q for claim %q is not one this provider writes; use one of %s, optionally with IfExists or a ForAnyValue: prefix, or leave operator unset to choose StringEquals or StringLike from the values",
			c.Operator, c.Claim, strings.Join(KnownOperators(), ", "))
		return
	case op.Qualifier == ForAllValues:
		v.add(SeverityError, RuleClaimOperator, steps,
			"operator %q on claim %q: ForAllValues is true when the token lacks the claim, so in an Allow statement it lets such tokens in; use ForAnyValue:%s",
			c.Operator, c.Claim, op.Base+map[bool]string{true: "IfExists"}[op.IfExists])
		return
	}
	if op.kind == matchNull {
		for _, val := range c.Values {
			if val != "true" && val != "false" {
				v.add(SeverityError, RuleClaimOperator, steps,
					"value %q of claim %q: Null takes \"true\" (the token must lack the claim) or \"false\" (the token must carry it)", val, c.Claim)
			}
		}
	}
	if op.kind == matchEquals || op.kind == matchEqualsFold {
		for _, val := range c.Values {
			if HasWildcard(val) {
				v.add(SeverityError, RuleClaimOperator, steps,
					"value %q of claim %q has a wildcard but operator %s compares literally, so it only matches a token containing %q itself; use StringLike (or leave operator unset)",
					val, c.Claim, c.Operator, val)
			}
		}
	}
	if op.Negated {
		v.add(SeverityWarning, RuleClaimOperator, steps,
			"operator %s on claim %q is true when the token lacks the claim, so this Allow condition admits such tokens; prefer a positive operator, or add a Null check", c.Operator, c.Claim)
	}
	if op.IfExists {
		v.add(SeverityWarning, RuleClaimOperator, steps,
			"operator %s on claim %q is true when the token lacks the claim, so this Allow condition admits such tokens; drop IfExists unless that is meant", c.Operator, c.Claim)
	}
	if multi && op.Qualifier == "" && op.kind != matchNull {
		v.add(SeverityWarning, RuleClaimOperator, steps,
			"claim %q can hold several values, and %s has no set qualifier; use ForAnyValue:%s (or leave operator unset)", c.Claim, c.Operator, op.Base)
	}
}

// variable warns about `${`, which IAM reads as a policy variable.
func (v *validator) variable(steps []PathStep, val string) {
	if strings.Contains(val, "${") {
		v.add(SeverityWarning, RulePolicyVariable, steps,
			"value %q contains \"${\", which IAM reads as a policy variable; write ${$} for a literal $", val)
	}
}

func (v *validator) sessionTags(i int, t Trust) {
	st := t.SessionTags
	if st == nil {
		return
	}
	sub := func(name string, idx int, key string) []PathStep {
		return []PathStep{trustStep(i), {Name: AttrSessionTags, Index: -1}, {Name: name, Index: idx, Key: key}}
	}
	for ri, rt := range st.RequestTags {
		if rt.Key == "" || len(rt.Key) > 128 {
			v.add(SeverityError, RuleSessionTags, sub(AttrRequestTags, ri, rt.Key),
				"request tag key %q must be 1 to 128 characters, as AWS tag keys are", rt.Key)
		}
		if len(rt.Values) == 0 {
			v.add(SeverityError, RuleSessionTags, sub(AttrRequestTags, ri, rt.Key),
				"request tag %q has no values: a condition needs at least one; add values or remove it", rt.Key)
		}
		for _, val := range rt.Values {
			v.variable(sub(AttrRequestTags, ri, rt.Key), val)
		}
	}
	for _, k := range st.AllowedKeys {
		if k == "" {
			v.add(SeverityError, RuleSessionTags, sub(AttrAllowedKeys, -1, k), "an allowed tag key is the empty string; remove it")
		}
	}
	for _, k := range st.TransitiveKeys {
		if k == "" {
			v.add(SeverityError, RuleSessionTags, sub(AttrTransitiveKeys, -1, k), "a transitive tag key is the empty string; remove it")
		}
	}
	if len(st.AllowedKeys) > 0 {
		for ri, rt := range st.RequestTags {
			if !containsMatch(st.AllowedKeys, rt.Key) {
				v.add(SeverityError, RuleSessionTags, sub(AttrRequestTags, ri, rt.Key),
					"request tag %q is not among allowed_keys, so a token carrying it is denied and one without it fails this condition: the role could never be assumed; add %q to allowed_keys", rt.Key, rt.Key)
			}
		}
		for _, k := range st.TransitiveKeys {
			if !containsMatch(st.AllowedKeys, k) {
				v.add(SeverityWarning, RuleSessionTags, sub(AttrTransitiveKeys, -1, k),
					"transitive key %q is not among allowed_keys, so a token carrying that tag is denied anyway; add it to allowed_keys or remove it", k)
			}
		}
	}
}

func containsMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if MatchLike(p, s) {
			return true
		}
	}
	return false
}

func (v *validator) size(spec Spec, opts ValidateOptions) {
	limit := opts.MaxPolicySize
	if limit <= 0 {
		limit = DefaultMaxPolicySize
	}
	doc, err := Build(spec)
	if err != nil {
		return
	}
	if n := PolicySize(doc); n > limit {
		v.add(SeverityError, RulePolicySize, nil,
			"the trust policy is %d characters (whitespace not counted), over the quota of %d (IAM's ACLSizePerRole, 2048 unless raised); IAM would refuse it with LimitExceeded. Use fewer subjects (one pattern instead of many exact values), split the role, or have the quota raised and set the limit accordingly",
			n, limit)
	}
}
