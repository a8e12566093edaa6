package acctest

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	awspolicy "github.com/hashicorp/awspolicyequivalence"
	tfjson "github.com/hashicorp/terraform-json"
)

// Resource types CompareIAM knows.
const (
	TypeProvider = "awsoidc_provider"
	TypeRole     = "awsoidc_role"
)

// IAMDiff is how Terraform's state and IAM disagree. Every list is sorted.
type IAMDiff struct {
	// Missing are state resources whose object IAM does not hold.
	Missing []string
	// Orphans are IAM objects in scope that no state resource holds.
	Orphans []string
	// Duplicates are IAM objects that two or more state resources hold.
	Duplicates []string
	// Mismatches are attributes whose value in state differs from IAM's.
	Mismatches []string
	// Compared is how many state resources were compared.
	Compared int
}

// Empty reports whether state and IAM agree exactly.
func (d *IAMDiff) Empty() bool {
	return len(d.Missing)+len(d.Orphans)+len(d.Duplicates)+len(d.Mismatches) == 0
}

// Err is nil when state and IAM agree, and otherwise an error listing every
// disagreement.
func (d *IAMDiff) Err() error {
	if d.Empty() {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "state and IAM disagree (%d missing from IAM, %d orphaned in IAM, %d held twice, %d attribute mismatches; %d state resources compared)",
		len(d.Missing), len(d.Orphans), len(d.Duplicates), len(d.Mismatches), d.Compared)
	for _, group := range []struct {
		title string
		items []string
	}{
		{"in state but not in IAM", d.Missing},
		{"in IAM but not in state (orphans)", d.Orphans},
		{"held by more than one state resource (duplicates)", d.Duplicates},
		{"differing", d.Mismatches},
	} {
		if len(group.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:", group.title)
		for _, item := range group.items {
			fmt.Fprintf(&b, "\n  %s", item)
		}
	}
	return fmt.Errorf("%s", b.String())
}

// CompareIAM compares the managed awsoidc_provider and awsoidc_role resources
// of a Terraform state (as `terraform show -json` prints it) with what IAM
// holds in scope: the same ARNs, URLs, client IDs, thumbprints and tags for
// providers; the same names, ARNs, IDs, paths, tags, managed policies, and
// trust and inline policies (compared by meaning) for roles; nothing in IAM
// that state lacks, nothing in state that IAM lacks, and no object held twice.
// A nil state is an empty one (after destroy).
func CompareIAM(snap *IAMSnapshot, state *tfjson.State) *IAMDiff {
	d := &IAMDiff{}
	providers := map[string]*IAMProvider{}
	for i := range snap.Providers {
		providers[snap.Providers[i].ARN] = &snap.Providers[i]
	}
	roles := map[string]*IAMRole{}
	for i := range snap.Roles {
		roles[snap.Roles[i].Name] = &snap.Roles[i]
	}
	heldBy := map[string][]string{} // IAM object → state addresses

	for _, r := range stateResources(state) {
		switch r.Type {
		case TypeProvider:
			d.Compared++
			arn := stringAttr(r, "arn")
			p, ok := providers[arn]
			if !ok {
				d.Missing = append(d.Missing, fmt.Sprintf("%s: OIDC provider %q", r.Address, arn))
				continue
			}
			heldBy["provider "+arn] = append(heldBy["provider "+arn], r.Address)
			d.Mismatches = append(d.Mismatches, compareProvider(r, p)...)
		case TypeRole:
			d.Compared++
			name := stringAttr(r, "name")
			role, ok := roles[name]
			if !ok {
				d.Missing = append(d.Missing, fmt.Sprintf("%s: role %q", r.Address, name))
				continue
			}
			heldBy["role "+name] = append(heldBy["role "+name], r.Address)
			d.Mismatches = append(d.Mismatches, compareRole(r, role)...)
		}
	}

	for _, p := range snap.Providers {
		if len(heldBy["provider "+p.ARN]) == 0 {
			d.Orphans = append(d.Orphans, fmt.Sprintf("OIDC provider %s", p.ARN))
		}
	}
	for _, r := range snap.Roles {
		if len(heldBy["role "+r.Name]) == 0 {
			d.Orphans = append(d.Orphans, fmt.Sprintf("role %s (%s)", r.Name, r.ARN))
		}
	}
	for _, object := range slices.Sorted(maps.Keys(heldBy)) {
		if addresses := heldBy[object]; len(addresses) > 1 {
			d.Duplicates = append(d.Duplicates, fmt.Sprintf("%s held by %s", object, strings.Join(addresses, ", ")))
		}
	}
	sort.Strings(d.Missing)
	sort.Strings(d.Orphans)
	sort.Strings(d.Mismatches)
	return d
}

func compareProvider(r *tfjson.StateResource, p *IAMProvider) []string {
	var out []string
	differ := func(attr string, state, iam any) {
		out = append(out, fmt.Sprintf("%s.%s: state %v, IAM %v (%s)", r.Address, attr, state, iam, p.ARN))
	}
	if u := stringAttr(r, "url"); strings.TrimPrefix(u, "https://") != p.URL {
		differ("url", u, p.URL)
	}
	if ids := setAttr(r, "client_ids", false); !slices.Equal(ids, p.ClientIDs) {
		differ("client_ids", ids, p.ClientIDs)
	}
	if tps := setAttr(r, "thumbprints", true); !slices.Equal(tps, p.Thumbprints) {
		differ("thumbprints", tps, p.Thumbprints)
	}
	if tags := mapAttr(r, "tags_all"); !maps.Equal(tags, p.Tags) {
		differ("tags_all", tags, p.Tags)
	}
	return out
}

func compareRole(r *tfjson.StateResource, role *IAMRole) []string {
	var out []string
	differ := func(attr string, state, iam any) {
		out = append(out, fmt.Sprintf("%s.%s: state %v, IAM %v (role %s)", r.Address, attr, state, iam, role.Name))
	}
	for attr, iam := range map[string]string{"arn": role.ARN, "unique_id": role.ID, "path": role.Path} {
		if got := stringAttr(r, attr); got != iam {
			differ(attr, got, iam)
		}
	}
	if doc := stringAttr(r, "assume_role_policy"); !samePolicy(doc, role.TrustPolicy) {
		differ("assume_role_policy", doc, role.TrustPolicy)
	}
	if arns := setAttr(r, "managed_policy_arns", false); !slices.Equal(arns, role.ManagedPolicies) {
		differ("managed_policy_arns", arns, role.ManagedPolicies)
	}
	inline := mapAttr(r, "inline_policies")
	if !slices.Equal(slices.Sorted(maps.Keys(inline)), slices.Sorted(maps.Keys(role.InlinePolicies))) {
		differ("inline_policies", slices.Sorted(maps.Keys(inline)), slices.Sorted(maps.Keys(role.InlinePolicies)))
	} else {
		for _, name := range slices.Sorted(maps.Keys(inline)) {
			if !samePolicy(inline[name], role.InlinePolicies[name]) {
				differ("inline_policies["+name+"]", inline[name], role.InlinePolicies[name])
			}
		}
	}
	if tags := mapAttr(r, "tags_all"); !maps.Equal(tags, role.Tags) {
		differ("tags_all", tags, role.Tags)
	}
	return out
}

// samePolicy compares two policy documents by meaning, as IAM does.
func samePolicy(a, b string) bool {
	if a == b {
		return true
	}
	eq, err := awspolicy.PoliciesAreEquivalent(a, b)
	return err == nil && eq
}

// stateResources lists the managed resources of the root module and its
// children.
func stateResources(state *tfjson.State) []*tfjson.StateResource {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil
	}
	var out []*tfjson.StateResource
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		for _, r := range m.Resources {
			if r.Mode == tfjson.ManagedResourceMode {
				out = append(out, r)
			}
		}
		for _, child := range m.ChildModules {
			walk(child)
		}
	}
	walk(state.Values.RootModule)
	return out
}

func stringAttr(r *tfjson.StateResource, name string) string {
	s, _ := r.AttributeValues[name].(string)
	return s
}

// setAttr returns a list or set attribute's strings sorted, lower-cased if asked.
func setAttr(r *tfjson.StateResource, name string, lower bool) []string {
	list, _ := r.AttributeValues[name].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		s := fmt.Sprint(v)
		if lower {
			s = strings.ToLower(s)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func mapAttr(r *tfjson.StateResource, name string) map[string]string {
	m, _ := r.AttributeValues[name].(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}
