package trustpolicy

import (
	"sort"
	"strings"
)

// The issuer catalogue: for a condition-key prefix (`<host><path>` of the
// provider URL, or a built-in issuer name), which claims STS turns into
// condition keys, where in the token it reads them, and whether anyone on
// the internet can obtain a token from that issuer. Every rule in the
// builder, the validator and the evaluator reads from here, so a new issuer
// or claim is one table row.

// Built-in issuer names. AWS trusts these without an IAM OIDC provider; the
// name itself is the federated principal and the condition-key prefix.
const (
	Google   = "accounts.google.com"
	Cognito  = "cognito-identity.amazonaws.com"
	Facebook = "graph.facebook.com"
	Amazon   = "www.amazon.com"
)

// BuiltInIssuers lists the issuers AWS trusts without an IAM OIDC provider,
// sorted.
func BuiltInIssuers() []string {
	return []string{Google, Cognito, Facebook, Amazon}
}

// IsBuiltIn reports whether name is one of BuiltInIssuers.
func IsBuiltIn(name string) bool {
	for _, b := range BuiltInIssuers() {
		if b == name {
			return true
		}
	}
	return false
}

// ClaimKey is one claim AWS exposes as a condition key `<prefix>:<Name>`.
type ClaimKey struct {
	// Name is the part after `<prefix>:`.
	Name string
	// MultiValued claims (amr) hold a list; conditions on them need a set
	// qualifier, and the builder uses ForAnyValue:StringLike.
	MultiValued bool
	// From lists where STS reads the value in the token, first present wins;
	// each entry is a path of JSON object members. Nil means the claim of
	// the same name.
	From [][]string
}

// source returns the token paths for the claim.
func (c ClaimKey) source() [][]string {
	if c.From == nil {
		return [][]string{{c.Name}}
	}
	return c.From
}

// Issuer describes what AWS exposes for one condition-key prefix.
type Issuer struct {
	// Name is a human name such as "GitHub Actions" or "generic OIDC".
	Name string
	// Prefix is the condition-key prefix this description was looked up for.
	Prefix string
	// BuiltIn issuers are trusted by name, without an IAM OIDC provider.
	BuiltIn bool
	// MultiTenant issuers give tokens to anyone who signs up (GitHub
	// Actions' shared issuer, gitlab.com, HCP Terraform, Buildkite): a role
	// trusting them must pin the subject to its owner.
	MultiTenant bool
	// AudienceClaim is the claim `audiences` become conditions on (`aud`;
	// `app_id` for Facebook and Login with Amazon).
	AudienceClaim string
	// SubjectClaim is the claim `subjects` become conditions on (`sub`;
	// `id` for Facebook, `user_id` for Login with Amazon).
	SubjectClaim string
	// Claims lists every exposed claim, sorted by name.
	Claims []ClaimKey
	// owner, for multi-tenant issuers, says how a subject names the
	// account, organisation or group that owns the workload.
	owner *subjectOwner
}

// subjectOwner locates the owner segment of a multi-tenant issuer's subject:
// the text after prefix up to the first of the end characters.
type subjectOwner struct {
	prefix string
	ends   string
	// example is a well-formed subject for messages.
	example string
}

// Claim returns the exposed claim called name.
func (i Issuer) Claim(name string) (ClaimKey, bool) {
	for _, c := range i.Claims {
		if c.Name == name {
			return c, true
		}
	}
	return ClaimKey{}, false
}

// ClaimNames lists the exposed claim names, sorted.
func (i Issuer) ClaimNames() []string {
	names := make([]string, len(i.Claims))
	for n, c := range i.Claims {
		names[n] = c.Name
	}
	return names
}

// Key returns the condition key for claim under this issuer's prefix.
func (i Issuer) Key(claim string) string { return i.Prefix + ":" + claim }

// SubjectExample returns a subject that pins the owner, for messages; empty
// for issuers without a known subject shape.
func (i Issuer) SubjectExample() string {
	if i.owner == nil {
		return ""
	}
	return i.owner.example
}

// The generic OIDC claims STS exposes for every IAM OIDC provider.
var genericClaims = []ClaimKey{
	{Name: "amr", MultiValued: true},
	{Name: "aud"},
	{Name: "azp"},
	{Name: "sub"},
}

func names(ns ...string) []ClaimKey {
	out := make([]ClaimKey, len(ns))
	for i, n := range ns {
		out[i] = ClaimKey{Name: n}
	}
	return out
}

var githubClaims = names("actor", "actor_id", "enterprise_id", "environment",
	"job_workflow_ref", "ref", "repository", "repository_id",
	"repository_owner_id", "workflow")

var gitlabClaims = names("namespace_id", "pipeline_source", "project_id",
	"ref_protected", "runner_environment", "user_access_level", "user_email",
	"user_id", "user_login")

var buildkiteClaims = names("build_branch", "cluster_id", "cluster_name",
	"organization_id", "organization_slug", "pipeline_id", "pipeline_slug")

// issuerRule is one row of the catalogue.
type issuerRule struct {
	name        string
	match       func(prefix string) bool
	builtIn     bool
	multiTenant bool
	audience    string
	subject     string
	// generic adds the generic OIDC claims to extra.
	generic bool
	extra   []ClaimKey
	owner   *subjectOwner
}

func exactly(s string) func(string) bool { return func(p string) bool { return p == s } }

// catalogue is consulted in order; the first matching row wins, and a
// prefix no row matches is a generic OIDC provider.
var catalogue = []issuerRule{
	{
		name: "Google", match: exactly(Google), builtIn: true,
		audience: "aud", subject: "sub",
		extra: []ClaimKey{
			// STS puts the token's azp (the OAuth client that asked for
			// the token) in :aud when present, and the token's aud in :oaud.
			{Name: "aud", From: [][]string{{"azp"}, {"aud"}}},
			{Name: "google/organization_number", From: [][]string{{"google", "organization_number"}, {"google/organization_number"}}},
			{Name: "oaud", From: [][]string{{"aud"}}},
			{Name: "sub"},
		},
	},
	{
		name: "Amazon Cognito identity pools", match: exactly(Cognito), builtIn: true,
		audience: "aud", subject: "sub",
		extra: []ClaimKey{{Name: "amr", MultiValued: true}, {Name: "aud"}, {Name: "sub"}},
	},
	{
		name: "Facebook", match: exactly(Facebook), builtIn: true,
		audience: "app_id", subject: "id", extra: names("app_id", "id"),
	},
	{
		name: "Login with Amazon", match: exactly(Amazon), builtIn: true,
		audience: "app_id", subject: "user_id", extra: names("app_id", "user_id"),
	},
	{
		name: "GitHub Actions", match: exactly("token.actions.githubusercontent.com"),
		multiTenant: true, audience: "aud", subject: "sub", generic: true, extra: githubClaims,
		owner: &subjectOwner{prefix: "repo:", ends: "/:", example: "repo:octo-org/octo-repo:ref:refs/heads/main"},
	},
	{
		// GitHub Enterprise Cloud with a unique issuer URL: one enterprise.
		name: "GitHub Actions (enterprise issuer)", match: githubEnterpriseSlug,
		audience: "aud", subject: "sub", generic: true, extra: githubClaims,
	},
	{
		// GitHub Enterprise Cloud with data residency: one enterprise.
		name: "GitHub Actions (GHE.com)", match: githubDataResidency,
		audience: "aud", subject: "sub", generic: true, extra: githubClaims,
	},
	{
		name: "GitLab.com", match: exactly("gitlab.com"),
		multiTenant: true, audience: "aud", subject: "sub", generic: true, extra: gitlabClaims,
		owner: &subjectOwner{prefix: "project_path:", ends: "/:", example: "project_path:my-group/my-project:ref_type:branch:ref:main"},
	},
	{
		name: "HCP Terraform", match: exactly("app.terraform.io"),
		multiTenant: true, audience: "aud", subject: "sub", generic: true,
		owner: &subjectOwner{prefix: "organization:", ends: ":", example: "organization:my-org:project:my-project:workspace:my-workspace:run_phase:apply"},
	},
	{
		name: "Buildkite", match: exactly("agent.buildkite.com"),
		multiTenant: true, audience: "aud", subject: "sub", generic: true, extra: buildkiteClaims,
		owner: &subjectOwner{prefix: "organization:", ends: ":", example: "organization:my-org:pipeline:deploy:ref:refs/heads/main:commit:*:step:*"},
	},
	{
		name: "CircleCI", match: circleCIOrg,
		audience: "aud", subject: "sub", generic: true,
		extra: []ClaimKey{{Name: "oidc.circleci.com/project-id"}},
	},
	{
		name: "Amazon EKS", match: eksCluster,
		audience: "aud", subject: "sub", generic: true,
	},
}

const githubHost = "token.actions.githubusercontent.com"

// githubEnterpriseSlug matches `token.actions.githubusercontent.com/<slug>`.
func githubEnterpriseSlug(p string) bool {
	slug, ok := strings.CutPrefix(p, githubHost+"/")
	return ok && slug != "" && !strings.Contains(slug, "/")
}

// githubDataResidency matches `token.actions.<subdomain>.ghe.com`.
func githubDataResidency(p string) bool {
	mid, ok := strings.CutPrefix(p, "token.actions.")
	if !ok {
		return false
	}
	sub, ok := strings.CutSuffix(mid, ".ghe.com")
	return ok && sub != "" && !strings.ContainsAny(sub, "./")
}

// circleCIOrg matches `oidc.circleci.com/org/<org-id>`.
func circleCIOrg(p string) bool {
	id, ok := strings.CutPrefix(p, "oidc.circleci.com/org/")
	return ok && id != "" && !strings.Contains(id, "/")
}

// eksCluster matches `oidc.eks.<region>.amazonaws.com[.cn]/id/<id>`.
func eksCluster(p string) bool {
	host, path, ok := strings.Cut(p, "/")
	if !ok || !strings.HasPrefix(host, "oidc.eks.") {
		return false
	}
	if !strings.HasSuffix(host, ".amazonaws.com") && !strings.HasSuffix(host, ".amazonaws.com.cn") {
		return false
	}
	id, ok := strings.CutPrefix(path, "id/")
	return ok && id != "" && !strings.Contains(id, "/")
}

// LookupIssuer describes the issuer behind a condition-key prefix. Any
// prefix the catalogue does not know is a generic OIDC provider.
func LookupIssuer(prefix string) Issuer {
	for _, r := range catalogue {
		if !r.match(prefix) {
			continue
		}
		var claims []ClaimKey
		if r.generic {
			claims = append(claims, genericClaims...)
		}
		claims = append(claims, r.extra...)
		sort.Slice(claims, func(a, b int) bool { return claims[a].Name < claims[b].Name })
		return Issuer{
			Name: r.name, Prefix: prefix, BuiltIn: r.builtIn, MultiTenant: r.multiTenant,
			AudienceClaim: r.audience, SubjectClaim: r.subject, Claims: claims, owner: r.owner,
		}
	}
	return Issuer{
		Name: "generic OIDC", Prefix: prefix, AudienceClaim: "aud", SubjectClaim: "sub",
		Claims: append([]ClaimKey(nil), genericClaims...),
	}
}

// Global condition keys usable in a web-identity trust policy whatever the
// issuer.
const (
	KeyRoleSessionName   = "sts:RoleSessionName"
	KeySourceIdentity    = "sts:SourceIdentity"
	KeyTransitiveTagKeys = "sts:TransitiveTagKeys"
	KeyTagKeys           = "aws:TagKeys"
	// KeyRequestTagPrefix is followed by the tag key.
	KeyRequestTagPrefix = "aws:RequestTag/"
)

// GlobalKey describes a global condition key.
type GlobalKey struct {
	// Key as AWS spells it (for aws:RequestTag/<k>, with the tag key).
	Key string
	// MultiValued keys hold a list in the request.
	MultiValued bool
	// SessionTag keys only have a value when the token carries session
	// tags, which needs sts:TagSession in the trust policy.
	SessionTag bool
}

// LookupGlobalKey reports whether key is a global key this package knows.
// Condition key names are case-insensitive in IAM.
func LookupGlobalKey(key string) (GlobalKey, bool) {
	lower := strings.ToLower(key)
	switch lower {
	case strings.ToLower(KeyRoleSessionName):
		return GlobalKey{Key: KeyRoleSessionName}, true
	case strings.ToLower(KeySourceIdentity):
		return GlobalKey{Key: KeySourceIdentity}, true
	case strings.ToLower(KeyTransitiveTagKeys):
		return GlobalKey{Key: KeyTransitiveTagKeys, MultiValued: true, SessionTag: true}, true
	case strings.ToLower(KeyTagKeys):
		return GlobalKey{Key: KeyTagKeys, MultiValued: true, SessionTag: true}, true
	}
	if tag, ok := strings.CutPrefix(lower, strings.ToLower(KeyRequestTagPrefix)); ok && tag != "" {
		return GlobalKey{Key: KeyRequestTagPrefix + key[len(KeyRequestTagPrefix):], SessionTag: true}, true
	}
	return GlobalKey{}, false
}

// Session-related token claims.
const (
	// TagsClaim carries session tags:
	// {"principal_tags": {"k": ["v"]}, "transitive_tag_keys": ["k"]}.
	TagsClaim = "https://aws.amazon.com/tags"
	// SourceIdentityClaim carries the source identity.
	SourceIdentityClaim = "https://aws.amazon.com/source_identity"
)

// STS actions a web-identity trust policy grants.
const (
	ActionAssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity"
	ActionTagSession                = "sts:TagSession"
	ActionSetSourceIdentity         = "sts:SetSourceIdentity"
)
