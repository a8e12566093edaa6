package trustpolicy

import (
	"strings"
	"unicode/utf8"
)

// IAM's string matching. StringLike treats `*` as any run of characters
// (including none, including `/`) and `?` as exactly one character, case
// sensitively, with no escape character and no character classes; that is
// why path.Match (which stops `*` at `/` and reads `[` and `\`) is not used.
// In policy version 2012-10-17, `${…}` is a policy variable: `${*}`, `${?}`
// and `${$}` stand for the literal characters, `${key}` for the request's
// value of a single-valued key, and `${key, 'default'}` for that value or
// the default when the key is absent.

type tokenKind uint8

const (
	tokLiteral tokenKind = iota
	tokOne
	tokAny
)

type token struct {
	kind tokenKind
	r    rune
}

// lookupFunc resolves a policy variable to the request's value.
type lookupFunc func(key string) (string, bool)

// tokenize turns a policy value into tokens. like enables `*` and `?`;
// lookup, when non-nil, enables policy variables. ok is false when a
// variable names a key the request does not have and gives no default.
func tokenize(pattern string, like bool, lookup lookupFunc) (toks []token, ok bool) {
	toks = make([]token, 0, len(pattern))
	literal := func(s string) {
		for _, r := range s {
			toks = append(toks, token{kind: tokLiteral, r: r})
		}
	}
	for i := 0; i < len(pattern); {
		if lookup != nil && strings.HasPrefix(pattern[i:], "${") {
			if end := strings.IndexByte(pattern[i+2:], '}'); end >= 0 {
				body := pattern[i+2 : i+2+end]
				i += 2 + end + 1
				switch body {
				case "*", "?", "$":
					literal(body)
					continue
				}
				val, found := resolveVariable(body, lookup)
				if !found {
					return nil, false
				}
				literal(val)
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(pattern[i:])
		i += size
		switch {
		case like && r == '*':
			toks = append(toks, token{kind: tokAny})
		case like && r == '?':
			toks = append(toks, token{kind: tokOne})
		default:
			toks = append(toks, token{kind: tokLiteral, r: r})
		}
	}
	return toks, true
}

// resolveVariable reads `key` or `key, 'default'`.
func resolveVariable(body string, lookup lookupFunc) (string, bool) {
	key, def, hasDefault := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if v, ok := lookup(key); ok {
		return v, true
	}
	if !hasDefault {
		return "", false
	}
	def = strings.TrimSpace(def)
	if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
		return def[1 : len(def)-1], true
	}
	return "", false
}

// literalString joins literal tokens; only meaningful when like was false.
func literalString(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteRune(t.r)
	}
	return b.String()
}

// globMatch matches s against the tokens: linear backtracking over the last
// `*`, so adversarial patterns cannot blow up.
func globMatch(toks []token, s string) bool {
	in := []rune(s)
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(in) {
		switch {
		case p < len(toks) && toks[p].kind == tokAny:
			star, mark = p, i
			p++
		case p < len(toks) && (toks[p].kind == tokOne || toks[p].r == in[i]):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(toks) && toks[p].kind == tokAny {
		p++
	}
	return p == len(toks)
}

// HasWildcard reports whether a value would be read as a pattern by
// StringLike.
func HasWildcard(v string) bool { return strings.ContainsAny(v, "*?") }

// MatchLike reports whether s matches the StringLike pattern, without
// policy variables.
func MatchLike(pattern, s string) bool {
	toks, _ := tokenize(pattern, true, nil)
	return globMatch(toks, s)
}

// matchActionPattern matches an Action element value (case-insensitive,
// `*` and `?` wildcards, no variables).
func matchActionPattern(pattern, action string) bool {
	return MatchLike(strings.ToLower(pattern), strings.ToLower(action))
}
