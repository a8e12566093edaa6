package trustpolicy

import (
	"fmt"
	"slices"
	"strings"
)

// The rules about who can get in: that a role trusting an issuer strangers
// get tokens from pins the owner (by audience for the built-in issuers, by
// subject or claim for the shared CI issuers), that a cluster's role pins
// the namespace, that a Cognito role decides about guests, and that a
// provider URL is the issuer it resembles.

// Rule identifiers of these checks.
const (
	// RuleAudienceWildcard: a wildcard in an audience. An error for
	// built-in and shared issuers, whose audiences strangers mint; a
	// warning elsewhere.
	RuleAudienceWildcard = "audience-wildcard"
	// RuleAnySubjectUnpinned: allow_any_subject on a shared issuer without
	// a claim that pins the owner to a literal value.
	RuleAnySubjectUnpinned = "any-subject-unpinned"
	// RuleSubjectWorkload: a cluster's role whose subjects leave the
	// namespace open (or are missing), so every workload could assume it.
	RuleSubjectWorkload = "subject-workload"
	// RuleCognitoGuests: a Cognito identity pool role that accepts guest
	// (unauthenticated) identities without saying so.
	RuleCognitoGuests = "cognito-guests"
	// RuleIssuerLookAlike: a provider that resembles an issuer but can
	// never match its tokens (a warning).
	RuleIssuerLookAlike = "issuer-look-alike"
)

func (v *validator) audienceWildcard(i int, a string, iss Issuer) {
	steps := atKey(i, AttrAudiences, -1, a)
	if iss.BuiltIn || iss.Tenancy == TenancyShared {
		v.add(SeverityError, RuleAudienceWildcard, steps,
			"audience %q has a wildcard, and for %s (%s) %s, so a stranger's token whose audience matches the pattern is accepted; set the exact %s of your own application",
			a, iss.Prefix, iss.Name, iss.audienceMinted(), iss.audienceNoun())
		return
	}
	v.add(SeverityWarning, RuleAudienceWildcard, steps,
		"audience %q has a wildcard, so tokens the issuer minted for any application whose %s matches are accepted; prefer the exact %s", a, iss.audienceNoun(), iss.audienceNoun())
}

// subjects checks subject values, and that the subjects of an issuer
// strangers or every workload of a cluster get tokens from pin the owner.
func (v *validator) subjects(i int, t Trust, iss Issuer) {
	key := iss.Key(iss.SubjectClaim)
	for _, s := range t.Subjects {
		if s == "" {
			v.add(SeverityError, RuleSubjectValue, atKey(i, AttrSubjects, -1, s),
				"a subject is the empty string: no token carries an empty %s; remove it", key)
		}
		v.variable(atKey(i, AttrSubjects, -1, s), s)
	}
	switch iss.subjectRule() {
	case subjectOwner:
		v.ownerSubjects(i, t, iss)
	case subjectWorkload:
		v.workloadSubjects(i, t, iss)
	default:
		if iss.row == nil && !t.AllowAnySubject {
			// An issuer the catalogue does not know, with subjects shaped
			// like Kubernetes service accounts: a cluster.
			k8s := iss
			k8s.row, k8s.Name = &kubernetesRow, kubernetesRow.name
			for _, s := range t.Subjects {
				if lit, _ := literalStart(s); strings.HasPrefix(lit, "system:serviceaccount:") {
					v.workloadSubject(i, s, k8s)
				}
			}
		}
	}
}

// ownerSubjects applies the rules of an issuer that gives tokens to anyone.
func (v *validator) ownerSubjects(i int, t Trust, iss Issuer) {
	key := iss.Key(iss.SubjectClaim)
	if t.AllowAnySubject {
		v.anySubject(i, t, iss)
		return
	}
	if len(t.Subjects) == 0 {
		v.add(SeverityError, RuleSubjectsRequired, at(i, AttrSubjects),
			"subjects is empty for %s (%s), an issuer anyone can get tokens from: without a condition on %s every %s user could assume this role; set subjects to patterns that name the %s, for example %q%s",
			iss.Prefix, iss.Name, key, iss.Name, iss.ownerNoun(), iss.SubjectExample(), claimAlternative(iss))
		return
	}
	for _, s := range t.Subjects {
		if s == "" {
			continue
		}
		why := unpinnedSubject(iss, s)
		if why == "" {
			continue
		}
		v.add(SeverityError, RuleSubjectCatchAll, atKey(i, AttrSubjects, -1, s),
			"subject %q %s. %s (%s) gives tokens to anyone, so a stranger could assume this role; its subjects take these forms: %s. Name the %s literally, first and before any wildcard, for example %q%s",
			s, why, iss.Prefix, iss.Name, strings.Join(iss.SubjectFormats(), "; "), iss.ownerNoun(), iss.SubjectExample(), claimAlternative(iss))
	}
}

// claimAlternative offers the claim-based waiver where the issuer has a
// claim that can pin the owner.
func claimAlternative(iss Issuer) string {
	oc := iss.OwnerClaims()
	if len(oc) == 0 {
		return fmt.Sprintf(" (%s exposes no claim that names the %s, so only subjects can pin it)", iss.Name, iss.ownerNoun())
	}
	return fmt.Sprintf(", or pin the %s with a claim (%s, literal values) and set allow_any_subject = true", iss.ownerNoun(), strings.Join(oc, ", "))
}

// anySubject checks the waiver of the subject rule on an issuer anyone gets
// tokens from: it stands only when a claim pins the owner.
func (v *validator) anySubject(i int, t Trust, iss Issuer) {
	var loose []string
	for _, c := range t.Claims {
		rk := resolveKey(c.Claim, iss)
		if rk.kind != keyIssuerClaim {
			continue
		}
		oc, ok := iss.ownerClaim(rk.claim)
		if !ok {
			continue
		}
		if oc.pins(c) {
			return
		}
		loose = append(loose, c.Claim)
	}
	f := Finding{Severity: SeverityError, Rule: RuleAnySubjectUnpinned, Steps: at(i, AttrAllowAnySubject),
		DependsOn: [][]PathStep{at(i, AttrClaims)}}
	oc := iss.OwnerClaims()
	switch {
	case len(oc) == 0:
		f.Message = fmt.Sprintf("allow_any_subject = true waives the subject check for %s (%s), which gives tokens to anyone, and %s exposes no claim that names the %s, so nothing would stop a stranger; remove allow_any_subject and name the %s in subjects, for example %q",
			iss.Prefix, iss.Name, iss.Name, iss.ownerNoun(), iss.ownerNoun(), iss.SubjectExample())
	default:
		not := ""
		if len(loose) > 0 {
			not = fmt.Sprintf(" (%s does not: a wildcard, a negated or IfExists operator, or no value)", strings.Join(loose, ", "))
		}
		f.Message = fmt.Sprintf("allow_any_subject = true waives the subject check for %s (%s), which gives tokens to anyone, but no claim pins the %s to a literal value%s, so any %s user could assume this role; add a claim that does, for example claims = { %s = [\"…\"] } (one of %s), or remove allow_any_subject and name the %s in subjects, for example %q",
			iss.Prefix, iss.Name, iss.ownerNoun(), not, iss.Name, oc[0], strings.Join(oc, ", "), iss.ownerNoun(), iss.SubjectExample())
	}
	v.out = append(v.out, f)
}

// workloadSubjects applies the rules of a cluster's issuer: every workload
// gets tokens, so subjects must name the namespace unless every workload is
// meant.
func (v *validator) workloadSubjects(i int, t Trust, iss Issuer) {
	if t.AllowAnySubject {
		return
	}
	if len(t.Subjects) == 0 {
		v.add(SeverityError, RuleSubjectWorkload, at(i, AttrSubjects),
			"subjects is empty for %s (%s): every service account in every namespace of the cluster could assume this role; set subjects to the service accounts meant, for example %q (%s), or set allow_any_subject = true if every workload in the cluster should",
			iss.Prefix, iss.Name, iss.SubjectExample(), strings.Join(iss.SubjectFormats(), "; "))
		return
	}
	for _, s := range t.Subjects {
		if s != "" {
			v.workloadSubject(i, s, iss)
		}
	}
}

// unpinnedSubject says why subject pattern s does not pin the owner of a token from
// iss ("matches every subject", or what readSubject found open), or "" when it does.
func unpinnedSubject(iss Issuer, s string) string {
	if strings.Trim(s, "*?") == "" {
		return "matches every subject"
	}
	if p := readSubject(iss.shapes(), s); p.open {
		return p.why
	}
	return ""
}

func (v *validator) workloadSubject(i int, s string, iss Issuer) {
	why := unpinnedSubject(iss, s)
	if why == "" {
		return
	}
	v.add(SeverityError, RuleSubjectWorkload, atKey(i, AttrSubjects, -1, s),
		"subject %q %s, so the service accounts of every namespace it matches in %s (%s) could assume this role; name the %s literally, for example %q (%s), or set allow_any_subject = true if every workload in the cluster should",
		s, why, iss.Prefix, iss.Name, iss.ownerNoun(), iss.SubjectExample(), strings.Join(iss.SubjectFormats(), "; "))
}

// Cognito identity pool values.
const (
	cognitoAuthenticated   = "authenticated"
	cognitoUnauthenticated = "unauthenticated"
)

// cognitoGuests refuses an identity pool role that guest identities can
// assume, unless the configuration names them: the evaluator is asked
// whether a guest token of the pool would be let in.
func (v *validator) cognitoGuests(i int, t Trust, iss Issuer) {
	if canonicalPrefix(iss.Prefix) != Cognito || len(t.Audiences) == 0 {
		return
	}
	var amr []Claim
	steps := at(i, AttrClaims)
	for ci, c := range t.Claims {
		rk := resolveKey(c.Claim, iss)
		if rk.kind != keyIssuerClaim || rk.claim != "amr" {
			continue
		}
		if len(amr) == 0 {
			steps = atKey(i, AttrClaims, ci, c.Claim)
		}
		amr = append(amr, c)
		if positiveOperator(c.Operator) && slices.Contains(c.Values, cognitoUnauthenticated) {
			return // a role meant for guests, and saying so
		}
	}
	aud := instance(t.Audiences[0])
	probe := Trust{BuiltIn: Cognito, Audiences: []string{aud}, Claims: amr}
	doc, err := Build(Spec{Statements: []Trust{probe}})
	if err != nil {
		return
	}
	guest := Request{Provider: Cognito, Claims: map[string]any{
		"aud": aud, "sub": "us-east-1:00000000-0000-4000-8000-000000000000", "amr": []any{cognitoUnauthenticated},
	}}
	if !Evaluate(doc, guest).Allowed {
		return
	}
	f := Finding{Severity: SeverityError, Rule: RuleCognitoGuests, Steps: steps,
		DependsOn: [][]PathStep{at(i, AttrClaims), at(i, AttrAudiences)}}
	fix := fmt.Sprintf("add claims = { amr = [%q] } so that only signed-in identities can assume it, or, for a role meant for guests, write amr = [%q] explicitly", cognitoAuthenticated, cognitoUnauthenticated)
	if len(amr) == 0 {
		f.Message = fmt.Sprintf("no amr condition for %s: an identity pool can give guest (unauthenticated) identities, whose tokens carry amr %q, and this role would accept them alongside signed-in users; %s",
			Cognito, cognitoUnauthenticated, fix)
	} else {
		f.Message = fmt.Sprintf("the amr condition accepts guest (unauthenticated) identities, whose tokens carry amr %q; %s", cognitoUnauthenticated, fix)
	}
	v.out = append(v.out, f)
}

// positiveOperator reports whether an operator (empty for the default) is
// false when the claim is absent and compares positively.
func positiveOperator(raw string) bool {
	if raw == "" {
		return true
	}
	op := ParseOperator(raw)
	return op.Known && !op.Negated && !op.IfExists && op.Qualifier != ForAllValues && op.kind != matchNull
}

// instance returns a string a StringLike pattern matches.
func instance(pattern string) string {
	return strings.NewReplacer("*", "", "?", "x").Replace(pattern)
}

func (v *validator) lookAlikes(i int, t Trust, prefix string) {
	if t.ProviderARN == "" {
		return
	}
	for _, la := range LookAlikes(prefix) {
		v.add(SeverityWarning, RuleIssuerLookAlike, at(i, AttrProviderARN), "provider %q: %s", prefix, la.Message)
	}
}
