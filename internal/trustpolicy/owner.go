package trustpolicy

import (
	"fmt"
	"strings"
)

// Who owns a workload, as an issuer's subjects say it.
//
// An issuer that anyone can sign up to (GitHub Actions' shared issuer,
// gitlab.com, HCP Terraform, ...) gives tokens to strangers too, and a
// cluster's issuer gives tokens to every workload in it. A role trusting
// such an issuer is safe only when every token it accepts names one owner
// (an organisation, a group, a namespace). Issuers write the owner into the
// subject in shapes they document, and some let each tenant choose the
// shape (GitHub's custom subject templates). This file describes those
// shapes and reads a subject pattern against them: a pattern pins the owner
// when, whichever shape a stranger picks for their subject, the part naming
// the owner is literal text of the pattern.
//
// The reading is an analysis of the pattern, not a list of prefixes: it
// takes the literal start of the pattern (the text before the first `*`,
// `?` or policy variable, all of which may stand for anything, `:` and `/`
// included) and walks it through each shape. Text after a wildcard never
// pins anything, because a wildcard can swallow a stranger's own owner and
// free-text values (a workflow name, an environment) let a stranger write
// any characters, including a fake `key:value` pair.

// ownerKind says what a value names.
type ownerKind string

const (
	ownerName         ownerKind = "owner"         // an account, organisation or group name
	ownerID           ownerKind = "owner_id"      // its numeric ID
	ownerRepositoryID ownerKind = "repository_id" // one repository (and so its owner)
	ownerEnterprise   ownerKind = "enterprise"    // a GitHub enterprise name
	ownerEnterpriseID ownerKind = "enterprise_id" // a GitHub enterprise ID
	ownerNamespaceID  ownerKind = "namespace_id"  // a GitLab group or user namespace ID
	ownerProjectID    ownerKind = "project_id"    // one GitLab project or Buildkite pipeline
	ownerNamespace    ownerKind = "namespace"     // a Kubernetes namespace
)

// ownerRef is one owner a pattern or a subject names.
type ownerRef struct {
	kind  ownerKind
	value string
}

func (o ownerRef) String() string { return string(o.kind) + " " + o.value }

// pinning is what reading a pattern against an issuer's subject shapes
// found.
type pinning struct {
	// open is set when a subject a stranger can produce matches the
	// pattern; why says how, as a clause ("leaves the owner ... open").
	open bool
	why  string
	// owners lists the owners the pattern names, one per shape that can
	// match it. Empty (and open false) when no subject of the issuer can
	// match the pattern at all: a mistake, but no hole.
	owners []ownerRef
}

func openBecause(format string, args ...any) pinning {
	return pinning{open: true, why: fmt.Sprintf(format, args...)}
}

func pinnedTo(o ownerRef) pinning { return pinning{owners: []ownerRef{o}} }

// subjectShape is one documented way an issuer writes sub.
type subjectShape interface {
	// read walks the literal start of a pattern; closed says the pattern
	// has no wildcard, so the subject ends where lit ends.
	read(lit string, closed bool) pinning
}

// literalStart returns the text of a StringLike pattern before its first
// wildcard or policy variable, and whether the pattern is all literal.
func literalStart(pattern string) (string, bool) {
	end := len(pattern)
	if i := strings.IndexAny(pattern, "*?"); i >= 0 {
		end = i
	}
	if i := strings.Index(pattern[:end], "${"); i >= 0 {
		end = i
	}
	return pattern[:end], end == len(pattern)
}

// readSubject reads a pattern against every shape: it pins the owner only
// if no shape leaves it open.
func readSubject(shapes []subjectShape, pattern string) pinning {
	lit, closed := literalStart(pattern)
	var out pinning
	for _, s := range shapes {
		p := s.read(lit, closed)
		if p.open {
			return p
		}
		out.owners = append(out.owners, p.owners...)
	}
	return out
}

// pairKey describes one key of a key:value subject.
type pairKey struct {
	// owner is what the value (or its start) names; "" when it names no
	// owner.
	owner ownerKind
	// ownerEnds, when the owner is only the start of the value
	// ("octo-org/octo-repo"), lists the characters that end it; empty when
	// the whole value names the owner.
	ownerEnds string
	// colonFree values never contain ':', so the next pair starts at the
	// next ':'. Any other value is free text: a stranger may put ':' and
	// anything after it in it, so nothing after it can be read.
	colonFree bool
	// caution, for a key that seems to name an owner but does not pin the
	// workload's, says why, for messages.
	caution string
}

// pairsShape is a subject made of `key:value` pairs joined by ':', in an
// order the tenant may choose (GitHub's custom subject templates), with
// optional bare elements (GitHub's `pull_request` context).
type pairsShape struct {
	// keys lists the keys the issuer documents. A key not listed is read as
	// free text that names no owner when otherKeys is set, and as a
	// subject no token carries otherwise.
	keys      map[string]pairKey
	otherKeys bool
	// keyChars are the characters a key may hold besides ASCII letters and
	// digits.
	keyChars string
	bare     []string
	// noun names the owner in messages ("owner", "organization").
	noun string
}

func (g pairsShape) isKeyChar(r byte) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.IndexByte(g.keyChars, r) >= 0
}

// lookup returns the description of key, and whether a subject may hold it.
func (g pairsShape) lookup(key string) (pairKey, bool) {
	if key == "" {
		return pairKey{}, false
	}
	for i := 0; i < len(key); i++ {
		if !g.isKeyChar(key[i]) {
			return pairKey{}, false
		}
	}
	if k, ok := g.keys[key]; ok {
		return k, true
	}
	return pairKey{}, g.otherKeys
}

// mayStartKey reports whether some key a subject may hold starts with s.
func (g pairsShape) mayStartKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if !g.isKeyChar(s[i]) {
			return false
		}
	}
	if g.otherKeys {
		return true
	}
	for k := range g.keys {
		if strings.HasPrefix(k, s) {
			return true
		}
	}
	return false
}

func (g pairsShape) read(lit string, closed bool) pinning {
	return g.element(lit, 0, closed)
}

// element reads the element starting at pos.
func (g pairsShape) element(lit string, pos int, closed bool) pinning {
	rest := lit[pos:]
	if rest == "" {
		if closed {
			// The empty subject, or one ending in ':': no token carries it.
			return pinning{}
		}
		return openBecause("has a wildcard before the %s is named, which a stranger's whole subject can fill", g.noun)
	}
	var branches []pinning
	for _, b := range g.bare {
		switch {
		case rest == b && closed:
			branches = append(branches, g.noOwner(lit))
		case strings.HasPrefix(rest, b+":"):
			branches = append(branches, g.element(lit, pos+len(b)+1, closed))
		}
	}
	branches = append(branches, g.pair(lit, pos, closed))
	var out pinning
	for _, p := range branches {
		if p.open {
			return p
		}
		out.owners = append(out.owners, p.owners...)
	}
	return out
}

func (g pairsShape) noOwner(lit string) pinning {
	return openBecause("names no %s: a stranger's subject can be exactly %q", g.noun, lit)
}

// pair reads the key:value pair starting at pos.
func (g pairsShape) pair(lit string, pos int, closed bool) pinning {
	rest := lit[pos:]
	colon := strings.IndexByte(rest, ':')
	if colon < 0 {
		// The literal text ends inside a key.
		if !closed && g.mayStartKey(rest) {
			return openBecause("has a wildcard before the %s is named, which a stranger's whole subject can fill", g.noun)
		}
		return pinning{}
	}
	key := rest[:colon]
	spec, ok := g.lookup(key)
	if !ok {
		return pinning{}
	}
	valueAt := pos + colon + 1
	val := lit[valueAt:]
	if spec.owner != "" {
		ends, whole := spec.ownerEnds, spec.ownerEnds == ""
		if whole {
			ends = ":"
		}
		e := strings.IndexAny(val, ends)
		switch {
		case e == 0:
			return pinning{} // an empty owner: no token carries it
		case e > 0:
			return pinnedTo(ownerRef{spec.owner, val[:e]})
		case !closed:
			return openBecause("leaves the %s after %q open to a wildcard, so a stranger's own %s matches", g.noun, lit[:valueAt], g.noun)
		case whole && val != "":
			return pinnedTo(ownerRef{spec.owner, val})
		default:
			return pinning{}
		}
	}
	if !spec.colonFree {
		if spec.caution != "" {
			return openBecause("starts with %s, which %s", key, spec.caution)
		}
		return openBecause("has %q before the %s is named; its value is free text a stranger chooses, which may itself contain \":\" and any pairs after it", key, g.noun)
	}
	e := strings.IndexByte(val, ':')
	if e < 0 {
		if closed {
			return g.noOwner(lit)
		}
		return openBecause("has a wildcard before the %s is named, which a stranger's whole subject can fill", g.noun)
	}
	return g.element(lit, valueAt+e+1, closed)
}

// fieldsShape is a subject of fixed shape: a literal lead, then the owner
// up to a separator, then the rest (Kubernetes'
// `system:serviceaccount:<namespace>:<name>`).
type fieldsShape struct {
	lead string
	kind ownerKind
	sep  byte
	noun string
}

func (f fieldsShape) read(lit string, closed bool) pinning {
	rest, ok := strings.CutPrefix(lit, f.lead)
	if !ok {
		if !closed && strings.HasPrefix(f.lead, lit) {
			return openBecause("has a wildcard before the %s is named (%s<%s>:…)", f.noun, f.lead, f.noun)
		}
		return pinning{}
	}
	e := strings.IndexByte(rest, f.sep)
	switch {
	case e == 0:
		return pinning{}
	case e > 0:
		return pinnedTo(ownerRef{f.kind, rest[:e]})
	case !closed:
		return openBecause("leaves the %s after %q open to a wildcard", f.noun, f.lead)
	default:
		return pinning{} // no separator: no token carries it
	}
}

// ownerClaim is a claim AWS exposes whose literal value pins the owner.
type ownerClaim struct {
	name string
	kind ownerKind
	// ends, when the owner is the start of the value, as pairKey.ownerEnds.
	ends string
}

// pins reports whether a claim condition pins the owner: an operator that
// is false when the claim is absent and compares positively, and values
// whose owner part is all literal.
func (oc ownerClaim) pins(c Claim) bool {
	if len(c.Values) == 0 {
		return false
	}
	if c.Operator != "" {
		op := ParseOperator(c.Operator)
		if !op.Known || op.Negated || op.IfExists || op.Qualifier == ForAllValues || op.kind == matchNull {
			return false
		}
	}
	for _, v := range c.Values {
		lit, closed := literalStart(v)
		if oc.ends == "" {
			if !closed || lit == "" {
				return false
			}
			continue
		}
		if i := strings.IndexAny(lit, oc.ends); i <= 0 {
			return false
		}
	}
	return true
}
