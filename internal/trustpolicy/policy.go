package trustpolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode"

	awspolicy "github.com/hashicorp/awspolicyequivalence"
)

// PolicyVersion is the only policy language version the builder writes; it
// is also the one in which policy variables are substituted.
const PolicyVersion = "2012-10-17"

// DefaultMaxPolicySize is IAM's default quota for a role trust policy
// (ACLSizePerRole), in characters with whitespace removed.
const DefaultMaxPolicySize = 2048

// Policy is a parsed IAM policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one policy statement. List fields are nil when the element
// is absent and non-nil (possibly empty) when present.
type Statement struct {
	Sid          string
	Effect       string
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	// Conditions are sorted by operator, then key, at most one per pair
	// (JSON cannot hold two; Render merges any duplicates into one list).
	Conditions []Condition
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	// All is the string form "*".
	All bool
	// ByType maps principal types ("Federated", "AWS", "Service",
	// "CanonicalUser") to their values.
	ByType map[string][]string
}

// Condition is one `"<Operator>": {"<Key>": <Values>}` entry.
type Condition struct {
	Operator string
	Key      string
	// Values as written; numbers and booleans are kept as their JSON text.
	Values []string
}

// Effects.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// decodeDocument accepts a policy as written, URL-encoded as IAM's Get
// calls return it, or wrapped in a one-element JSON array.
func decodeDocument(doc string) (string, error) {
	doc = strings.TrimSpace(doc)
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") || strings.HasPrefix(doc, "%5B") || strings.HasPrefix(doc, "%5b") {
		decoded, err := url.QueryUnescape(doc)
		if err != nil {
			return "", fmt.Errorf("expected a URL-encoded policy document, found one that does not decode: %v", err)
		}
		doc = strings.TrimSpace(decoded)
	}
	return doc, nil
}

// Decode returns the JSON text of a policy document given as written or
// URL-encoded, as IAM's Get calls return it; the text is otherwise kept as
// it is, whitespace and member order included.
func Decode(doc string) (string, error) { return decodeDocument(doc) }

// Parse reads a policy document: Action, Resource, Principal values and
// condition values may each be a string or a list, Statement an object or a
// list, and the whole document may be URL-encoded (as IAM returns it).
func Parse(doc string) (Policy, error) {
	text, err := decodeDocument(doc)
	if err != nil {
		return Policy{}, err
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return Policy{}, fmt.Errorf("expected a JSON policy document, found invalid JSON: %v", err)
	}
	if dec.More() {
		return Policy{}, fmt.Errorf("expected one JSON policy document, found trailing data after it")
	}
	if list, ok := raw.([]any); ok && len(list) == 1 {
		raw = list[0]
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return Policy{}, fmt.Errorf("expected a JSON object as the policy document, found %s", jsonKind(raw))
	}
	var p Policy
	stmts, hasStatement := top["Statement"]
	// Elements are read in sorted order so that a document with several faults
	// always reports the same one, whatever order the map yields.
	for _, k := range slices.Sorted(maps.Keys(top)) {
		v := top[k]
		switch k {
		case "Version":
			if p.Version, err = stringField("Version", v); err != nil {
				return Policy{}, err
			}
		case "Id":
			if p.ID, err = stringField("Id", v); err != nil {
				return Policy{}, err
			}
		case "Statement":
		default:
			return Policy{}, fmt.Errorf("expected the policy elements Version, Id and Statement, found unknown element %q", k)
		}
	}
	if !hasStatement {
		return Policy{}, fmt.Errorf("expected a Statement element in the policy, found none")
	}
	var list []any
	switch s := stmts.(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return Policy{}, fmt.Errorf("expected Statement to be an object or a list of objects, found %s", jsonKind(stmts))
	}
	p.Statements = make([]Statement, 0, len(list))
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return Policy{}, fmt.Errorf("expected Statement[%d] to be an object, found %s", i, jsonKind(item))
		}
		st, err := parseStatement(obj)
		if err != nil {
			return Policy{}, fmt.Errorf("in Statement[%d]: %w", i, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(obj map[string]any) (Statement, error) {
	var st Statement
	var err error
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		switch k {
		case "Sid":
			st.Sid, err = stringField(k, v)
		case "Effect":
			st.Effect, err = stringField(k, v)
			if err == nil && st.Effect != EffectAllow && st.Effect != EffectDeny {
				err = fmt.Errorf("expected Effect \"Allow\" or \"Deny\", found %q", st.Effect)
			}
		case "Principal":
			st.Principal, err = parsePrincipal(k, v)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(k, v)
		case "Action":
			st.Action, err = stringList(k, v)
		case "NotAction":
			st.NotAction, err = stringList(k, v)
		case "Resource":
			st.Resource, err = stringList(k, v)
		case "NotResource":
			st.NotResource, err = stringList(k, v)
		case "Condition":
			st.Conditions, err = parseConditions(v)
		default:
			err = fmt.Errorf("expected statement elements Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition, found unknown element %q", k)
		}
		if err != nil {
			return Statement{}, err
		}
	}
	if st.Effect == "" {
		return Statement{}, fmt.Errorf("expected an Effect element, found none")
	}
	return st, nil
}

func parsePrincipal(name string, v any) (*Principal, error) {
	switch p := v.(type) {
	case string:
		if p != "*" {
			return nil, fmt.Errorf("expected %s to be \"*\" or an object such as {\"Federated\": \"…\"}, found the string %q", name, p)
		}
		return &Principal{All: true}, nil
	case map[string]any:
		out := &Principal{ByType: map[string][]string{}}
		for _, typ := range slices.Sorted(maps.Keys(p)) {
			list, err := stringList(name+"."+typ, p[typ])
			if err != nil {
				return nil, err
			}
			out.ByType[typ] = list
		}
		return out, nil
	default:
		return nil, fmt.Errorf("expected %s to be \"*\" or an object, found %s", name, jsonKind(v))
	}
}

func parseConditions(v any) ([]Condition, error) {
	ops, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected Condition to be an object of operators, found %s", jsonKind(v))
	}
	out := []Condition{}
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		keys := ops[op]
		km, ok := keys.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("expected Condition.%s to be an object of condition keys, found %s", op, jsonKind(keys))
		}
		for _, key := range slices.Sorted(maps.Keys(km)) {
			list, err := scalarList("Condition."+op+"."+key, km[key])
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: key, Values: list})
		}
	}
	sortConditions(out)
	return out, nil
}

func sortConditions(cs []Condition) {
	sort.SliceStable(cs, func(a, b int) bool {
		if cs[a].Operator != cs[b].Operator {
			return cs[a].Operator < cs[b].Operator
		}
		return cs[a].Key < cs[b].Key
	})
}

func stringField(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("expected %s to be a string, found %s", name, jsonKind(v))
	}
	return s, nil
}

func stringList(name string, v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, item := range t {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("expected %s to hold strings, found %s", name, jsonKind(item))
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("expected %s to be a string or a list of strings, found %s", name, jsonKind(v))
	}
}

// scalarList reads condition values: strings, numbers and booleans, alone
// or in a list. IAM compares them as strings.
func scalarList(name string, v any) ([]string, error) {
	scalar := func(x any) (string, bool) {
		switch s := x.(type) {
		case string:
			return s, true
		case json.Number:
			return s.String(), true
		case bool:
			if s {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, ok := scalar(item)
			if !ok {
				return nil, fmt.Errorf("expected %s to hold strings, numbers or booleans, found %s", name, jsonKind(item))
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, fmt.Errorf("expected %s to be a string, number, boolean or a list of them, found %s", name, jsonKind(v))
	}
	return []string{s}, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// Rendering. Every list of values is sorted and de-duplicated; a single
// value is written as a plain string and several as a list, everywhere
// (Action, Principal, condition values). Object members appear in a fixed
// order: Version, Id, Statement; Sid, Effect, Principal, NotPrincipal,
// Action, NotAction, Resource, NotResource, Condition; operators, condition
// keys and principal types sorted. Two policies that differ only in member
// order, value order or single-versus-list therefore render identically.

// values renders as a string when it holds one element.
type values []string

func (v values) MarshalJSON() ([]byte, error) {
	if len(v) == 0 {
		return []byte("[]"), nil
	}
	if len(v) == 1 {
		return marshalNoEscape(v[0])
	}
	return marshalNoEscape([]string(v))
}

type renderedPrincipal struct{ p *Principal }

func (r renderedPrincipal) MarshalJSON() ([]byte, error) {
	if r.p.All {
		return []byte(`"*"`), nil
	}
	m := make(map[string]values, len(r.p.ByType))
	for k, v := range r.p.ByType {
		m[k] = canonical(v)
	}
	return marshalNoEscape(m)
}

type renderedStatement struct {
	Sid          string                        `json:"Sid,omitempty"`
	Effect       string                        `json:"Effect"`
	Principal    *renderedPrincipal            `json:"Principal,omitempty"`
	NotPrincipal *renderedPrincipal            `json:"NotPrincipal,omitempty"`
	Action       *values                       `json:"Action,omitempty"`
	NotAction    *values                       `json:"NotAction,omitempty"`
	Resource     *values                       `json:"Resource,omitempty"`
	NotResource  *values                       `json:"NotResource,omitempty"`
	Condition    *map[string]map[string]values `json:"Condition,omitempty"`
}

type renderedPolicy struct {
	Version   string              `json:"Version,omitempty"`
	ID        string              `json:"Id,omitempty"`
	Statement []renderedStatement `json:"Statement"`
}

// canonical sorts and de-duplicates.
func canonical(in []string) values {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// present keeps an element that was written, even as an empty list, and
// omits one that was not.
func present(in []string) *values {
	if in == nil {
		return nil
	}
	v := canonical(in)
	if v == nil {
		v = values{}
	}
	return &v
}

// Render writes the policy canonically: compact when indent is false,
// indented by two spaces otherwise.
func Render(p Policy, indent bool) (string, error) {
	out := renderedPolicy{Version: p.Version, ID: p.ID, Statement: make([]renderedStatement, 0, len(p.Statements))}
	for _, st := range p.Statements {
		rs := renderedStatement{Sid: st.Sid, Effect: st.Effect}
		if st.Principal != nil {
			rs.Principal = &renderedPrincipal{st.Principal}
		}
		if st.NotPrincipal != nil {
			rs.NotPrincipal = &renderedPrincipal{st.NotPrincipal}
		}
		rs.Action, rs.NotAction = present(st.Action), present(st.NotAction)
		rs.Resource, rs.NotResource = present(st.Resource), present(st.NotResource)
		if st.Conditions != nil {
			cond := map[string]map[string]values{}
			for _, c := range st.Conditions {
				if cond[c.Operator] == nil {
					cond[c.Operator] = map[string]values{}
				}
				cond[c.Operator][c.Key] = canonical(append(slices.Clone(cond[c.Operator][c.Key]), c.Values...))
			}
			rs.Condition = &cond
		}
		out.Statement = append(out.Statement, rs)
	}
	b, err := marshalNoEscape(out)
	if err != nil {
		return "", err
	}
	if !indent {
		return string(b), nil
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Normalize parses doc and renders it compactly in canonical form, for
// storing in state: member order, value order and single-versus-list never
// change the result.
func Normalize(doc string) (string, error) {
	p, err := Parse(doc)
	if err != nil {
		return "", err
	}
	return Render(p, false)
}

// Equivalent reports whether two policy documents mean the same, ignoring
// whitespace, member order, value order, duplicate values and
// single-versus-list. It uses hashicorp/awspolicyequivalence, as the AWS
// provider does, on the normalized documents when both parse (the library
// alone counts duplicate values), and on the documents as written otherwise.
func Equivalent(a, b string) (bool, error) {
	na, errA := Normalize(a)
	nb, errB := Normalize(b)
	if errA == nil && errB == nil {
		return awspolicy.PoliciesAreEquivalent(na, nb)
	}
	da, err := decodeDocument(a)
	if err != nil {
		return false, err
	}
	db, err := decodeDocument(b)
	if err != nil {
		return false, err
	}
	return awspolicy.PoliciesAreEquivalent(da, db)
}

// PolicySize counts a policy's characters as IAM does for its size quota:
// whitespace is not counted.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
