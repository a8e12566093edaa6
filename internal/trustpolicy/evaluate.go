package trustpolicy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Request is an AssumeRoleWithWebIdentity call as the trust policy sees it.
type Request struct {
	// Provider is the federated principal: an IAM OIDC provider ARN or a
	// built-in issuer name such as "accounts.google.com". When empty it is
	// taken from the token's iss claim, and a Federated ARN matches when its
	// `<host><path>` equals the issuer's, whatever the account.
	Provider string
	// Claims are the token's claims as the IdP wrote them: strings, lists,
	// numbers, booleans and objects (session tags under TagsClaim).
	Claims map[string]any
	// Action defaults to sts:AssumeRoleWithWebIdentity.
	Action string
	// RoleSessionName sets sts:RoleSessionName when not empty.
	RoleSessionName string
	// SourceIdentity sets sts:SourceIdentity when not empty; otherwise the
	// token's SourceIdentityClaim is used.
	SourceIdentity string
}

// Decision is the evaluator's answer.
type Decision struct {
	// Allowed is true when every action the call needs is allowed and none
	// is explicitly denied.
	Allowed bool
	// MatchedStatement is the index of the first Allow statement that
	// allows the main action, -1 when none does. MatchedSid is its Sid.
	MatchedStatement int
	MatchedSid       string
	// DeniedBy is the index of the first Deny statement that applied, -1
	// when none did.
	DeniedBy int
	// Actions lists what the call needs: the main action, plus
	// sts:TagSession when the token carries session tags and
	// sts:SetSourceIdentity when it sets a source identity.
	Actions []string
	// Context lists the request's condition keys and values, derived from
	// the claims as STS would, sorted by key.
	Context []ContextValue
	// Reasons lists each check made, statement by statement.
	Reasons []Reason
	// Summary says in one sentence why the call is allowed or denied.
	Summary string
	// Error is set when the policy could not be parsed; Allowed is false.
	Error string
}

// ContextValue is one condition key in the request context.
type ContextValue struct {
	Key    string
	Values []string
}

// Reason is one check: the principal, the action, or one condition key.
type Reason struct {
	Statement int
	Sid       string
	Effect    string
	// Action is the action being evaluated when the check was made.
	Action string
	// Key is "Principal", "Action" or a condition key.
	Key string
	// Operator is the condition operator; for Principal and Action it is
	// the element name (Principal, NotPrincipal, Action, NotAction).
	Operator string
	Expected []string
	Actual   []string
	Result   bool
	Note     string
}

// requestContext holds condition keys, looked up case-insensitively as IAM
// does.
type requestContext struct {
	prefix  string
	issuer  Issuer
	derived bool // the provider came from iss
	keys    map[string]ContextValue
	notes   []string
}

func (c *requestContext) set(key string, vals []string) {
	c.keys[strings.ToLower(key)] = ContextValue{Key: key, Values: vals}
}

func (c *requestContext) get(key string) (ContextValue, bool) {
	v, ok := c.keys[strings.ToLower(key)]
	if !ok || len(v.Values) == 0 {
		return ContextValue{}, false
	}
	return v, true
}

func (c *requestContext) lookupVariable(key string) (string, bool) {
	v, ok := c.get(key)
	if !ok || len(v.Values) != 1 {
		return "", false
	}
	return v.Values[0], true
}

// providerPrefix returns the condition-key prefix for a provider: the
// `<host><path>` of an IAM OIDC provider ARN, or the name itself.
func providerPrefix(provider string) (string, error) {
	if strings.HasPrefix(provider, "arn:") {
		a, err := splitProviderARN(provider)
		if err != nil {
			return "", err
		}
		return a.Key, nil
	}
	return provider, nil
}

// issuerPrefix turns an iss claim into a condition-key prefix.
func issuerPrefix(iss string) string {
	return strings.TrimPrefix(iss, "https://")
}

func buildContext(req Request) *requestContext {
	ctx := &requestContext{keys: map[string]ContextValue{}}
	provider := req.Provider
	if provider == "" {
		if iss, ok := req.Claims["iss"].(string); ok && iss != "" {
			ctx.prefix, ctx.derived = issuerPrefix(iss), true
			ctx.notes = append(ctx.notes, fmt.Sprintf("no provider given: using the token's issuer %q, so a Federated provider ARN for %q in any account matches", iss, ctx.prefix))
		} else {
			ctx.notes = append(ctx.notes, "no provider given and the token has no iss claim: no Federated principal can match")
		}
	} else {
		prefix, err := providerPrefix(provider)
		if err != nil {
			ctx.notes = append(ctx.notes, fmt.Sprintf("provider: %v", err))
		}
		ctx.prefix = prefix
	}
	ctx.issuer = LookupIssuer(ctx.prefix)

	// Only the claims AWS exposes for this issuer become keys; any other
	// claim is invisible to the trust policy.
	if ctx.prefix != "" {
		for _, c := range ctx.issuer.Claims {
			for _, path := range c.source() {
				v, ok := claimAt(req.Claims, path)
				if !ok {
					continue
				}
				vals, ok := claimStrings(v)
				if !ok {
					ctx.notes = append(ctx.notes, fmt.Sprintf("claim %q is %s, which STS cannot compare; %s is left unset", strings.Join(path, "."), jsonKind(v), ctx.issuer.Key(c.Name)))
					break
				}
				ctx.set(ctx.issuer.Key(c.Name), vals)
				break
			}
		}
	}

	if req.RoleSessionName != "" {
		ctx.set(KeyRoleSessionName, []string{req.RoleSessionName})
	}
	if req.SourceIdentity != "" {
		ctx.set(KeySourceIdentity, []string{req.SourceIdentity})
	} else if s, ok := req.Claims[SourceIdentityClaim].(string); ok && s != "" {
		ctx.set(KeySourceIdentity, []string{s})
	}
	addSessionTags(ctx, req.Claims[TagsClaim])
	return ctx
}

// addSessionTags maps the session-tags claim to aws:RequestTag/<k>,
// aws:TagKeys and sts:TransitiveTagKeys.
func addSessionTags(ctx *requestContext, raw any) {
	if raw == nil {
		return
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		ctx.notes = append(ctx.notes, fmt.Sprintf("claim %q is %s, expected an object with principal_tags; STS would reject the token", TagsClaim, jsonKind(raw)))
		return
	}
	var keys []string
	if pt, ok := obj["principal_tags"].(map[string]any); ok {
		names := make([]string, 0, len(pt))
		for k := range pt {
			names = append(names, k)
		}
		sort.Strings(names) // notes come out in a stable order
		for _, k := range names {
			v := pt[k]
			vals, ok := claimStrings(v)
			if !ok || len(vals) == 0 {
				ctx.notes = append(ctx.notes, fmt.Sprintf("session tag %q has no string value; STS would reject the token", k))
				continue
			}
			if len(vals) > 1 {
				ctx.notes = append(ctx.notes, fmt.Sprintf("session tag %q has %d values; STS accepts one value per tag and would reject the token", k, len(vals)))
			}
			ctx.set(KeyRequestTagPrefix+k, vals[:1])
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		ctx.set(KeyTagKeys, keys)
	}
	if tk, ok := obj["transitive_tag_keys"]; ok {
		if vals, ok := claimStrings(tk); ok && len(vals) > 0 {
			ctx.set(KeyTransitiveTagKeys, vals)
		}
	}
}

// claimAt walks a path of object members.
func claimAt(claims map[string]any, path []string) (any, bool) {
	var cur any = claims
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// claimStrings converts a claim to the strings STS compares.
func claimStrings(v any) ([]string, bool) {
	scalar := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			return strconv.FormatBool(t), true
		case float64:
			return strconv.FormatFloat(t, 'f', -1, 64), true
		case float32:
			return strconv.FormatFloat(float64(t), 'f', -1, 32), true
		case int:
			return strconv.Itoa(t), true
		case int64:
			return strconv.FormatInt(t, 10), true
		case int32:
			return strconv.FormatInt(int64(t), 10), true
		case uint64:
			return strconv.FormatUint(t, 10), true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	switch t := v.(type) {
	case []string:
		return append([]string{}, t...), true
	case []any:
		out := make([]string, 0, len(t))
		for _, item := range t {
			s, ok := scalar(item)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

// Evaluate decides whether STS would let req assume a role with this trust
// policy, and why. Not modelled: token verification (signature, iss, aud
// against the provider's client IDs, exp/nbf/iat, thumbprints), operators
// other than the String family and Null (treated so as to err towards
// denial), policy variables other than `${*}`, `${?}`, `${$}` and request
// keys, service control and resource control policies, and session
// policies.
func Evaluate(policyJSON string, req Request) Decision {
	p, err := Parse(policyJSON)
	if err != nil {
		return Decision{MatchedStatement: -1, DeniedBy: -1, Error: err.Error(),
			Summary: "denied: the trust policy could not be parsed: " + err.Error()}
	}
	return EvaluatePolicy(p, req)
}

// EvaluatePolicy is Evaluate on a parsed policy.
func EvaluatePolicy(p Policy, req Request) Decision {
	ctx := buildContext(req)
	d := Decision{MatchedStatement: -1, DeniedBy: -1}
	main := req.Action
	if main == "" {
		main = ActionAssumeRoleWithWebIdentity
	}
	d.Actions = []string{main}
	if _, ok := ctx.get(KeyTagKeys); ok && !strings.EqualFold(main, ActionTagSession) {
		d.Actions = append(d.Actions, ActionTagSession)
	}
	if _, ok := ctx.get(KeySourceIdentity); ok && !strings.EqualFold(main, ActionSetSourceIdentity) {
		d.Actions = append(d.Actions, ActionSetSourceIdentity)
	}
	vars := p.Version == PolicyVersion

	type outcome struct{ allow, deny int }
	outcomes := make([]outcome, len(d.Actions))
	for idx, action := range d.Actions {
		outcomes[idx] = outcome{-1, -1}
		for i, st := range p.Statements {
			if evalStatement(&d, i, st, action, req.Provider, ctx, vars) {
				if st.Effect == EffectDeny {
					if outcomes[idx].deny < 0 {
						outcomes[idx].deny = i
					}
				} else if outcomes[idx].allow < 0 {
					outcomes[idx].allow = i
				}
			}
		}
	}

	d.Allowed = true
	for idx, o := range outcomes {
		if o.deny >= 0 && d.DeniedBy < 0 {
			d.DeniedBy = o.deny
		}
		if o.deny >= 0 || o.allow < 0 {
			d.Allowed = false
		}
		if idx == 0 && o.allow >= 0 {
			d.MatchedStatement = o.allow
			d.MatchedSid = p.Statements[o.allow].Sid
		}
	}
	for _, v := range ctx.keys {
		d.Context = append(d.Context, v)
	}
	sort.Slice(d.Context, func(a, b int) bool { return d.Context[a].Key < d.Context[b].Key })
	d.Summary = summarize(d, ctx, req.Provider, func(i int) (int, int) { return outcomes[i].allow, outcomes[i].deny })
	if len(ctx.notes) > 0 {
		d.Summary += " (" + strings.Join(ctx.notes, "; ") + ")"
	}
	return d
}

func summarize(d Decision, ctx *requestContext, provider string, outcome func(int) (int, int)) string {
	who := provider
	if who == "" {
		who = ctx.prefix
	}
	for i, action := range d.Actions {
		allow, deny := outcome(i)
		if deny >= 0 {
			return fmt.Sprintf("denied: statement %d explicitly denies %s", deny, action)
		}
		if allow < 0 {
			why := ""
			if i > 0 {
				switch action {
				case ActionTagSession:
					why = "the token carries session tags, so the trust policy must also allow sts:TagSession, and "
				case ActionSetSourceIdentity:
					why = "the call sets a source identity, so the trust policy must also allow sts:SetSourceIdentity, and "
				}
			}
			failed := failedChecks(d.Reasons, action)
			if failed == "" {
				return fmt.Sprintf("denied: %sno statement allows %s for %s", why, action, who)
			}
			return fmt.Sprintf("denied: %sno statement allows %s for %s; failed: %s", why, action, who, failed)
		}
	}
	allow, _ := outcome(0)
	return fmt.Sprintf("allowed: statement %d allows %s for %s", allow, strings.Join(d.Actions, " and "), who)
}

// failedChecks lists the failed conditions of statements whose principal and
// action matched, so the summary points at what to change.
func failedChecks(rs []Reason, action string) string {
	var parts []string
	for _, r := range rs {
		if r.Action != action || r.Result || r.Effect != EffectAllow {
			continue
		}
		if r.Key == "Principal" || r.Key == "Action" {
			continue
		}
		parts = append(parts, fmt.Sprintf("statement %d %s %s expected %s, found %s", r.Statement, r.Operator, r.Key, quoteList(r.Expected), quoteList(r.Actual)))
	}
	return strings.Join(parts, "; ")
}

func quoteList(vs []string) string {
	if len(vs) == 0 {
		return "nothing"
	}
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// evalStatement records the checks for one statement and reports whether it
// applies to the request.
func evalStatement(d *Decision, i int, st Statement, action, provider string, ctx *requestContext, vars bool) bool {
	base := Reason{Statement: i, Sid: st.Sid, Effect: st.Effect, Action: action}

	pr := base
	pr.Key = "Principal"
	pr.Actual = []string{provider}
	if provider == "" {
		pr.Actual = []string{ctx.prefix}
	}
	switch {
	case st.Principal != nil:
		pr.Operator = "Principal"
		pr.Expected = principalValues(st.Principal)
		pr.Result, pr.Note = principalMatches(st.Principal, provider, ctx)
	case st.NotPrincipal != nil:
		pr.Operator = "NotPrincipal"
		pr.Expected = principalValues(st.NotPrincipal)
		m, note := principalMatches(st.NotPrincipal, provider, ctx)
		pr.Result, pr.Note = !m, note
	default:
		pr.Note = "the statement has no Principal; a trust policy statement needs one"
	}
	d.Reasons = append(d.Reasons, pr)

	ar := base
	ar.Key = "Action"
	ar.Actual = []string{action}
	switch {
	case st.Action != nil:
		ar.Operator, ar.Expected = "Action", st.Action
		for _, a := range st.Action {
			if matchActionPattern(a, action) {
				ar.Result = true
			}
		}
	case st.NotAction != nil:
		ar.Operator, ar.Expected, ar.Result = "NotAction", st.NotAction, true
		for _, a := range st.NotAction {
			if matchActionPattern(a, action) {
				ar.Result = false
			}
		}
	default:
		ar.Note = "the statement has no Action"
	}
	d.Reasons = append(d.Reasons, ar)
	if !pr.Result || !ar.Result {
		return false
	}

	// Every condition is evaluated, not only up to the first failure, so
	// the reasons show everything that would need to change.
	applies := true
	for _, c := range st.Conditions {
		r := evalCondition(base, c, st.Effect, ctx, vars)
		d.Reasons = append(d.Reasons, r)
		applies = applies && r.Result
	}
	return applies
}

func principalValues(p *Principal) []string {
	if p.All {
		return []string{"*"}
	}
	var out []string
	types := make([]string, 0, len(p.ByType))
	for t := range p.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		for _, v := range p.ByType[t] {
			out = append(out, t+":"+v)
		}
	}
	return out
}

func principalMatches(p *Principal, provider string, ctx *requestContext) (bool, string) {
	if p.All {
		return true, "Principal \"*\" matches everyone"
	}
	for _, v := range p.ByType["AWS"] {
		if v == "*" {
			return true, "Principal {\"AWS\": \"*\"} is treated like \"*\""
		}
	}
	for _, v := range p.ByType["Federated"] {
		switch {
		case v == "*":
			return true, "Federated \"*\" matches every provider"
		case provider != "" && v == provider:
			return true, ""
		case provider == "" && ctx.derived:
			if pre, err := providerPrefix(v); err == nil && pre == ctx.prefix {
				return true, "matched by the token's issuer"
			}
		}
	}
	return false, ""
}

// evalCondition evaluates one condition key against the request context.
func evalCondition(base Reason, c Condition, effect string, ctx *requestContext, vars bool) Reason {
	r := base
	r.Key, r.Operator, r.Expected = c.Key, c.Operator, c.Values
	op := ParseOperator(c.Operator)
	cv, present := ctx.get(c.Key)
	r.Actual = cv.Values

	if !op.Known {
		// Err towards denial: an unknown condition never opens an Allow
		// and always lets a Deny apply.
		r.Result = effect == EffectDeny
		r.Note = fmt.Sprintf("operator %q is not modelled; treated as %s so the answer errs towards denial", c.Operator, map[bool]string{true: "matching", false: "not matching"}[r.Result])
		return r
	}
	if op.kind == matchNull {
		for _, v := range c.Values {
			switch strings.ToLower(v) {
			case "true":
				r.Result = r.Result || !present
			case "false":
				r.Result = r.Result || present
			default:
				r.Note = fmt.Sprintf("Null expects \"true\" or \"false\", found %q", v)
			}
		}
		return r
	}
	if !present {
		switch {
		case op.IfExists:
			r.Result, r.Note = true, "key absent: IfExists makes the condition true"
		case op.Qualifier == ForAllValues:
			r.Result, r.Note = true, "key absent: ForAllValues is true when the key is absent, so in an Allow statement it matches tokens without the claim"
		case op.Qualifier == ForAnyValue:
			r.Result, r.Note = false, "key absent: ForAnyValue is false when the key is absent"
		case op.Negated:
			r.Result, r.Note = true, "key absent: a negated operator is true when the key is absent"
		default:
			r.Result, r.Note = false, absentNote(c.Key, ctx)
		}
		return r
	}

	var lookup lookupFunc
	if vars {
		lookup = ctx.lookupVariable
	}
	unresolved := false
	matchesOne := func(actual string) bool {
		for _, want := range c.Values {
			toks, ok := tokenize(want, op.kind == matchLike, lookup)
			if !ok {
				unresolved = true
				continue
			}
			switch op.kind {
			case matchEquals:
				if literalString(toks) == actual {
					return true
				}
			case matchEqualsFold:
				if strings.EqualFold(literalString(toks), actual) {
					return true
				}
			case matchLike:
				if globMatch(toks, actual) {
					return true
				}
			}
		}
		return false
	}
	// perValue is the operator's verdict on one request value; a negated
	// operator holds when the value matches none of the policy's values.
	perValue := func(actual string) bool { return matchesOne(actual) != op.Negated }

	all, some := true, false
	for _, v := range cv.Values {
		ok := perValue(v)
		all = all && ok
		some = some || ok
	}
	switch {
	case op.Qualifier == ForAllValues:
		r.Result = all
	case op.Qualifier == ForAnyValue:
		r.Result = some
	case len(cv.Values) > 1:
		// IAM wants a set qualifier on a multi-valued key; without one this
		// reads it as "some value matches" (negated: "no value matches").
		if op.Negated {
			r.Result = all
		} else {
			r.Result = some
		}
		r.Note = "the key has several values and the operator no set qualifier: read as some value matching (negated: no value matching); use ForAnyValue: to say so"
	default:
		r.Result = all
	}
	if unresolved {
		r.Note = joinNote(r.Note, "a policy variable names a key the request does not have; that value matches nothing")
	}
	return r
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// absentNote explains why a key has no value.
func absentNote(key string, ctx *requestContext) string {
	prefix, claim, ok := strings.Cut(key, ":")
	if ok && ctx.prefix != "" && strings.EqualFold(prefix, ctx.prefix) {
		if _, exposed := ctx.issuer.Claim(claim); !exposed {
			return fmt.Sprintf("key absent: AWS does not expose claim %q for %s (it exposes %s); custom attributes reach AWS only as session tags (%s)", claim, ctx.issuer.Name, strings.Join(ctx.issuer.ClaimNames(), ", "), TagsClaim)
		}
		return fmt.Sprintf("key absent: the token has no %q claim", claim)
	}
	if ok && ctx.prefix != "" && prefix != "aws" && prefix != "sts" {
		return fmt.Sprintf("key absent: the key's prefix %q is not the provider's %q, so STS never sets it", prefix, ctx.prefix)
	}
	if g, known := LookupGlobalKey(key); known && g.SessionTag {
		return "key absent: the token carries no session tags"
	}
	return "key absent"
}
