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

// Tenancy says who can obtain a token from an issuer.
type Tenancy uint8

const (
	// TenancyPrivate is an issuer run for one organisation (Okta, Keycloak,
	// a self-managed GitLab): its users are the organisation's.
	TenancyPrivate Tenancy = iota
	// TenancyPerTenant is a service's issuer whose URL names one customer
	// (an EKS cluster, a CircleCI organisation, a Bitbucket workspace, a
	// GitHub enterprise): only that customer's workloads get its tokens,
	// but all of them do.
	TenancyPerTenant
	// TenancyShared is an issuer anyone can sign up to and get tokens from
	// (GitHub Actions' shared issuer, gitlab.com, HCP Terraform, Buildkite,
	// Pulumi Cloud, and the built-in Google, Cognito, Facebook and Login
	// with Amazon). Something in the token must pin the owner.
	TenancyShared
)

// Issuer describes what AWS exposes for one condition-key prefix, and who
// can obtain its tokens.
type Issuer struct {
	// Name is a human name such as "GitHub Actions" or "generic OIDC".
	Name string
	// Prefix is the condition-key prefix this description was looked up for.
	Prefix string
	// BuiltIn issuers are trusted by name, without an IAM OIDC provider.
	BuiltIn bool
	// Tenancy says who can obtain the issuer's tokens.
	Tenancy Tenancy
	// MultiTenant issuers give tokens to anyone who signs up and name the
	// owner in the subject (GitHub Actions' shared issuer, gitlab.com, HCP
	// Terraform, Buildkite, Pulumi Cloud): a role trusting them must pin
	// the subject to its owner. Built-in issuers are pinned by audience
	// instead and are not MultiTenant.
	MultiTenant bool
	// AudienceClaim is the claim `audiences` become conditions on (`aud`;
	// `app_id` for Facebook and Login with Amazon).
	AudienceClaim string
	// SubjectClaim is the claim `subjects` become conditions on (`sub`;
	// `id` for Facebook, `user_id` for Login with Amazon).
	SubjectClaim string
	// Claims lists every exposed claim, sorted by name.
	Claims []ClaimKey

	row *issuerRule
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
	if i.row == nil {
		return ""
	}
	return i.row.example
}

// SubjectFormats lists the shapes of the issuer's subjects, as documented,
// for messages and docs; empty for issuers without a known subject shape.
func (i Issuer) SubjectFormats() []string {
	if i.row == nil {
		return nil
	}
	return i.row.formats
}

// OwnerClaims lists the claims whose literal value pins the owner of a
// workload of a shared issuer (for GitHub Actions repository_owner_id,
// repository_id, enterprise_id and repository).
func (i Issuer) OwnerClaims() []string {
	if i.row == nil {
		return nil
	}
	out := make([]string, len(i.row.ownerClaims))
	for n, c := range i.row.ownerClaims {
		out[n] = c.name
	}
	return out
}

func (i Issuer) subjectRule() subjectRule {
	if i.row == nil {
		return subjectFree
	}
	return i.row.subjects
}

func (i Issuer) shapes() []subjectShape {
	if i.row == nil {
		return nil
	}
	return i.row.shapes
}

// ownerNoun names what pins the workload ("owner", "organization",
// "namespace").
func (i Issuer) ownerNoun() string {
	if i.row == nil || i.row.noun == "" {
		return "owner"
	}
	return i.row.noun
}

// ownerClaim returns the owner-pinning description of claim, if it is one.
func (i Issuer) ownerClaim(claim string) (ownerClaim, bool) {
	if i.row == nil {
		return ownerClaim{}, false
	}
	for _, c := range i.row.ownerClaims {
		if c.name == claim {
			return c, true
		}
	}
	return ownerClaim{}, false
}

// audienceMinted says who can obtain a token with any audience they like,
// for messages; empty for private issuers.
func (i Issuer) audienceMinted() string {
	if i.row == nil {
		return ""
	}
	return i.row.audienceMinted
}

// audienceNoun names the issuer's audience in messages.
func (i Issuer) audienceNoun() string {
	if i.row == nil || i.row.audienceNoun == "" {
		return "client ID"
	}
	return i.row.audienceNoun
}

// subjectRule says what subjects an issuer needs.
type subjectRule uint8

const (
	// subjectFree: the issuer's tokens come from one organisation's users
	// or workloads; any subject may be trusted.
	subjectFree subjectRule = iota
	// subjectOwner: strangers get tokens too; every subject pattern must
	// pin the owner, and allow_any_subject needs a claim that does.
	subjectOwner
	// subjectWorkload: every workload of a cluster gets tokens; every
	// subject pattern must pin the namespace, and allow_any_subject is the
	// deliberate choice of every workload in the cluster.
	subjectWorkload
)

// The generic OIDC claims STS exposes for every IAM OIDC provider.
// Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
// ("Available keys for AWS OIDC federation": amr, aud, azp, sub) (H).
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

// Provider-specific keys STS sets since January 2026, exactly as AWS lists
// them. Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
// (the GitHub, GitLab, Buildkite, Google and CircleCI rows of the keys
// table; also /work/shared/AWS-FACTS.md, "Provider-specific keys (2026)") (H).
// AWS also validates claims of Oracle Cloud (OCI) tokens; no OCI keys are
// listed here because none are in the facts this catalogue is checked
// against.
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
	name     string
	match    func(canonical string) bool
	builtIn  bool
	tenancy  Tenancy
	audience string
	subject  string
	// generic adds the generic OIDC claims to extra.
	generic bool
	extra   []ClaimKey

	// subjects is what the issuer's subjects must pin, read with shapes.
	subjects subjectRule
	shapes   []subjectShape
	noun     string
	// ownerClaims are the claims whose literal value pins the owner.
	ownerClaims []ownerClaim
	// formats and example document the subjects for messages.
	formats []string
	example string
	// audienceMinted says who chooses the audience of a token, for issuers
	// where a stranger does; audienceNoun names the audience in messages
	// ("OAuth client ID"), "client ID" when empty.
	audienceMinted string
	audienceNoun   string
	// noTrailingSlash: the issuer's iss has no trailing slash, so a
	// provider URL with one never matches its tokens.
	noTrailingSlash bool
}

func exactly(s ...string) func(string) bool {
	return func(p string) bool {
		for _, x := range s {
			if p == x {
				return true
			}
		}
		return false
	}
}

// GitHub Actions subjects.
//
// Sources:
//   - https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
//     "Understanding the OIDC token" and "Example subject claims": iss is
//     https://token.actions.githubusercontent.com; sub is
//     repo:ORG/REPO:environment:NAME, repo:ORG/REPO:ref:refs/heads/BRANCH,
//     repo:ORG/REPO:ref:refs/tags/TAG or repo:ORG/REPO:pull_request; aud is
//     chosen by the workflow that asks for the token (H).
//     "Customizing the subject claims for an organization or repository":
//     an organisation or repository admin sets include_claim_keys, and sub
//     becomes those claims as key:value pairs in that order, for example
//     repository_owner:octo-org or
//     repo:octo-org/octo-repo:environment:prod:job_workflow_ref:...; keys
//     hold letters, digits and underscores; `repo` and `context` stand for
//     the default parts (H for the mechanism, M for how context is written:
//     it is read here as free text).
//   - https://docs.github.com/en/rest/actions/oidc — any repository or
//     organisation admin sets its own template (use_default,
//     include_claim_keys) (H).
//   - /work/shared/AWS-FACTS.md "Issuers and subjects": repositories created
//     after 2026-07-15 get repo:ORG@ORG_ID/REPO@REPO_ID:… (M).
//   - https://docs.github.com/en/actions/sharing-automations/reusing-workflows
//     — a reusable workflow in a public repository can be called from any
//     repository; job_workflow_ref names the reusable workflow, not the
//     caller (H).
//   - https://git-scm.com/docs/git-check-ref-format — ref names never
//     contain ':' (H). GitHub account and repository names hold letters,
//     digits, '-', '_' and '.', never ':', '/' or '@' (M).
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
//     "Configuring a role for GitHub OIDC identity provider": the trust
//     policy must constrain sub to your organisation or repository (H).
var githubSubjectKeys = map[string]pairKey{
	"repo":                {owner: ownerName, ownerEnds: "/@"},
	"repository":          {owner: ownerName, ownerEnds: "/"},
	"repository_owner":    {owner: ownerName},
	"repository_owner_id": {owner: ownerID},
	"repository_id":       {owner: ownerRepositoryID},
	"enterprise":          {owner: ownerEnterprise},
	"enterprise_id":       {owner: ownerEnterpriseID},
	"workflow_ref":        {owner: ownerName, ownerEnds: "/"},
	"job_workflow_ref": {caution: "names the repository of the reusable workflow, not the repository running it, " +
		"and a reusable workflow in a public repository can be called from any repository"},
	// Values that never contain ':'.
	"actor": {colonFree: true}, "actor_id": {colonFree: true}, "base_ref": {colonFree: true},
	"event_name": {colonFree: true}, "head_ref": {colonFree: true}, "ref": {colonFree: true},
	"ref_protected": {colonFree: true}, "ref_type": {colonFree: true},
	"repository_visibility": {colonFree: true}, "run_attempt": {colonFree: true},
	"run_id": {colonFree: true}, "run_number": {colonFree: true},
	"runner_environment": {colonFree: true}, "sha": {colonFree: true},
	"workflow_sha": {colonFree: true}, "job_workflow_sha": {colonFree: true},
	// context, environment and workflow (a workflow's display name) are
	// free text, as is any key not listed.
}

var githubSubjects = []subjectShape{pairsShape{keys: githubSubjectKeys, otherKeys: true, keyChars: "_", bare: []string{"pull_request"}, noun: "owner"}}

var githubFormats = []string{
	"repo:OWNER/REPO:ref:refs/heads/BRANCH (also :environment:NAME, :pull_request)",
	"repo:OWNER@OWNER_ID/REPO@REPO_ID:… (repositories created after 2026-07-15)",
	"key:value pairs of a custom template chosen by any organisation or repository, such as repository_owner_id:ID:…",
}

var githubOwnerClaims = []ownerClaim{
	{name: "repository_owner_id", kind: ownerID},
	{name: "repository_id", kind: ownerRepositoryID},
	{name: "enterprise_id", kind: ownerEnterpriseID},
	{name: "repository", kind: ownerName, ends: "/"},
}

// Kubernetes service account subjects.
//
// Sources:
//   - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens
//     — service account tokens carry sub
//     system:serviceaccount:(NAMESPACE):(SERVICEACCOUNT) (H).
//   - https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
//     — namespaces are DNS labels (no ':') (H).
//   - https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
//     — IRSA trust policies condition
//     oidc.eks.REGION.amazonaws.com/id/ID:sub on
//     system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT and :aud on
//     sts.amazonaws.com; every pod in the cluster can get a token (H).
var serviceAccountSubjects = []subjectShape{fieldsShape{lead: "system:serviceaccount:", kind: ownerNamespace, sep: ':', noun: "namespace"}}

// catalogue is consulted in order; the first matching row wins, and a
// prefix no row matches is a generic OIDC provider. Rows match the
// canonical prefix (see canonicalPrefix): IAM compares condition keys
// case-insensitively, so an issuer written in another case is the same
// issuer to the rules.
var catalogue = []issuerRule{
	{
		// Sources:
		//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
		//     — accounts.google.com:aud is the token's azp when present,
		//     else its aud; :oaud is its aud; :sub; and
		//     accounts.google.com:google/organization_number (2026) (H).
		//   - https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
		//     — aud and azp are OAuth client IDs; every Google account can
		//     sign in (H). https://support.google.com/cloud/answer/6158849
		//     — anyone creates OAuth clients in their own project (H).
		name: "Google", match: exactly(Google), builtIn: true, tenancy: TenancyShared,
		audience: "aud", subject: "sub",
		extra: []ClaimKey{
			{Name: "aud", From: [][]string{{"azp"}, {"aud"}}},
			{Name: "google/organization_number", From: [][]string{{"google", "organization_number"}, {"google/organization_number"}}},
			{Name: "oaud", From: [][]string{{"aud"}}},
			{Name: "sub"},
		},
		audienceMinted: "anyone can create a Google OAuth client (…apps.googleusercontent.com) in a project of their own",
		audienceNoun:   "OAuth client ID",
	},
	{
		// Sources:
		//   - https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
		//     — a role for an identity pool conditions
		//     cognito-identity.amazonaws.com:aud on the pool ID and
		//     ForAnyValue:StringLike cognito-identity.amazonaws.com:amr on
		//     "authenticated" or "unauthenticated"; without the aud
		//     condition any pool's identities could assume the role (H).
		//   - https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools.html
		//     — pools may give guest (unauthenticated) identities, whose amr
		//     is ["unauthenticated"]; pool IDs are REGION:GUID (H).
		name: "Amazon Cognito identity pools", match: exactly(Cognito), builtIn: true, tenancy: TenancyShared,
		audience: "aud", subject: "sub",
		extra:          []ClaimKey{{Name: "amr", MultiValued: true}, {Name: "aud"}, {Name: "sub"}},
		audienceMinted: "anyone can create a Cognito identity pool (REGION:GUID) in an account of their own",
		audienceNoun:   "identity pool ID",
	},
	{
		// Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
		// — graph.facebook.com:app_id and :id (H). Anyone registers a
		// Facebook app (https://developers.facebook.com/docs/development/create-an-app) (H).
		name: "Facebook", match: exactly(Facebook), builtIn: true, tenancy: TenancyShared,
		audience: "app_id", subject: "id", extra: names("app_id", "id"),
		audienceMinted: "anyone can register a Facebook app", audienceNoun: "app ID",
	},
	{
		// Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
		// — www.amazon.com:app_id and :user_id (H). Anyone registers a Login
		// with Amazon client (https://developer.amazon.com/docs/login-with-amazon/register-web.html) (M).
		name: "Login with Amazon", match: exactly(Amazon), builtIn: true, tenancy: TenancyShared,
		audience: "app_id", subject: "user_id", extra: names("app_id", "user_id"),
		audienceMinted: "anyone can register a Login with Amazon client",
	},
	{
		// The shared issuer of every repository on github.com; see
		// githubSubjectKeys for the sources.
		name: "GitHub Actions", match: exactly(githubHost), tenancy: TenancyShared,
		audience: "aud", subject: "sub", generic: true, extra: githubClaims,
		subjects: subjectOwner, shapes: githubSubjects, noun: "owner", ownerClaims: githubOwnerClaims,
		formats: githubFormats, example: "repo:octo-org/octo-repo:ref:refs/heads/main",
		audienceMinted: "every workflow chooses the audience of its own tokens", noTrailingSlash: true,
	},
	{
		// GitHub Enterprise Cloud with a unique issuer URL: one enterprise.
		// Source: https://docs.github.com/en/enterprise-cloud@latest/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#switching-to-a-unique-token-url
		// — iss becomes https://token.actions.githubusercontent.com/ENTERPRISE_SLUG (H).
		name: "GitHub Actions (enterprise issuer)", match: githubEnterpriseSlug, tenancy: TenancyPerTenant,
		audience: "aud", subject: "sub", generic: true, extra: githubClaims,
		shapes: githubSubjects, noun: "owner", ownerClaims: githubOwnerClaims,
		formats: githubFormats, example: "repo:octo-org/octo-repo:ref:refs/heads/main", noTrailingSlash: true,
	},
	{
		// GitHub Enterprise Cloud with data residency: one enterprise.
		// Source: https://docs.github.com/en/enterprise-cloud@latest/admin/data-residency/about-github-enterprise-cloud-with-data-residency
		// and the OIDC page above for GHE.com — iss is
		// https://token.actions.SUBDOMAIN.ghe.com (M).
		name: "GitHub Actions (GHE.com)", match: githubDataResidency, tenancy: TenancyPerTenant,
		audience: "aud", subject: "sub", generic: true, extra: githubClaims,
		shapes: githubSubjects, noun: "owner", ownerClaims: githubOwnerClaims,
		formats: githubFormats, example: "repo:octo-org/octo-repo:ref:refs/heads/main", noTrailingSlash: true,
	},
	{
		// Sources:
		//   - https://docs.gitlab.com/ee/ci/secrets/id_token_authentication.html
		//     — iss is the instance URL (https://gitlab.com); sub is
		//     project_path:GROUP/PROJECT:ref_type:TYPE:ref:NAME; aud is set
		//     by each job (id_tokens); namespace_id and project_id name the
		//     project's namespace and the project (H).
		//   - https://docs.gitlab.com/ee/api/projects.html
		//     (ci_id_token_sub_claim_components) — a project may change the
		//     parts of sub, which always start with project_path (M).
		//   - https://docs.gitlab.com/ee/ci/cloud_services/aws/ — condition
		//     gitlab.com:sub on your group or project (H).
		name: "GitLab.com", match: exactly("gitlab.com"), tenancy: TenancyShared,
		audience: "aud", subject: "sub", generic: true, extra: gitlabClaims,
		subjects: subjectOwner, noun: "top-level group",
		shapes: []subjectShape{pairsShape{keys: map[string]pairKey{
			"project_path": {owner: ownerName, ownerEnds: "/"},
			"ref_type":     {colonFree: true}, "ref": {colonFree: true},
		}, otherKeys: true, keyChars: "_", noun: "top-level group"}},
		ownerClaims:    []ownerClaim{{name: "namespace_id", kind: ownerNamespaceID}, {name: "project_id", kind: ownerProjectID}},
		formats:        []string{"project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH (also ref_type:tag)"},
		example:        "project_path:my-group/my-project:ref_type:branch:ref:main",
		audienceMinted: "every job chooses the audience of its own tokens", noTrailingSlash: true,
	},
	{
		// Sources:
		//   - https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens
		//     — iss https://app.terraform.io; sub
		//     organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE;
		//     aud set by the workspace (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE,
		//     default aws.workload.identity) (H).
		//   - https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration
		//     — the trust policy must condition sub on your organization (H).
		//   - https://developer.hashicorp.com/terraform/cloud-docs/europe —
		//     HCP Europe runs at app.eu.terraform.io (M).
		// AWS exposes no claim of these tokens beyond the generic ones, so
		// only the subject can pin the organization.
		name: "HCP Terraform", match: exactly("app.terraform.io", "app.eu.terraform.io"), tenancy: TenancyShared,
		audience: "aud", subject: "sub", generic: true,
		subjects: subjectOwner, noun: "organization",
		shapes: []subjectShape{pairsShape{keys: map[string]pairKey{
			"organization": {owner: ownerName},
			"project":      {colonFree: true}, "workspace": {colonFree: true}, "run_phase": {colonFree: true},
		}, otherKeys: true, keyChars: "_", noun: "organization"}},
		formats:        []string{"organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:plan|apply"},
		example:        "organization:my-org:project:my-project:workspace:my-workspace:run_phase:apply",
		audienceMinted: "every workspace chooses the audience of its own tokens", noTrailingSlash: true,
	},
	{
		// Sources:
		//   - https://buildkite.com/docs/agent/v3/cli-oidc — iss
		//     https://agent.buildkite.com; sub
		//     organization:ORG_SLUG:pipeline:PIPELINE_SLUG:ref:REF:commit:COMMIT:step:STEP_KEY;
		//     aud chosen with --audience (H).
		//   - https://buildkite.com/docs/pipelines/security/oidc/aws — the
		//     trust policy conditions sub on your organization (H).
		name: "Buildkite", match: exactly("agent.buildkite.com"), tenancy: TenancyShared,
		audience: "aud", subject: "sub", generic: true, extra: buildkiteClaims,
		subjects: subjectOwner, noun: "organization",
		shapes: []subjectShape{pairsShape{keys: map[string]pairKey{
			"organization": {owner: ownerName},
			"pipeline":     {colonFree: true}, "ref": {colonFree: true}, "commit": {colonFree: true},
		}, otherKeys: true, keyChars: "_", noun: "organization"}},
		ownerClaims: []ownerClaim{
			{name: "organization_id", kind: ownerID}, {name: "organization_slug", kind: ownerName}, {name: "pipeline_id", kind: ownerProjectID},
		},
		formats:        []string{"organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:KEY"},
		example:        "organization:my-org:pipeline:deploy:ref:refs/heads/main:commit:*:step:*",
		audienceMinted: "every job chooses the audience of its own tokens", noTrailingSlash: true,
	},
	{
		// Sources:
		//   - https://www.pulumi.com/docs/pulumi-cloud/deployments/oidc/aws/
		//     — iss https://api.pulumi.com/oidc; sub
		//     pulumi:deploy:org:ORG:project:PROJECT:stack:STACK:operation:OP:scope:write (M).
		//   - https://www.pulumi.com/docs/esc/providers/aws-login/ — Pulumi
		//     ESC tokens: sub pulumi:environments:org:ORG:env:PROJECT/ENV, or
		//     with subjectAttributes
		//     pulumi:environments:pulumi.organization.login:ORG:… (M).
		// AWS exposes no claim of these tokens beyond the generic ones.
		name: "Pulumi Cloud", match: exactly("api.pulumi.com/oidc"), tenancy: TenancyShared,
		audience: "aud", subject: "sub", generic: true,
		subjects: subjectOwner, noun: "organization",
		shapes: []subjectShape{pairsShape{keys: map[string]pairKey{
			"pulumi": {colonFree: true},
			"org":    {owner: ownerName}, "pulumi.organization.login": {owner: ownerName},
		}, otherKeys: true, keyChars: "_.", noun: "organization"}},
		formats: []string{
			"pulumi:deploy:org:ORG:project:PROJECT:stack:STACK:operation:OP:scope:write",
			"pulumi:environments:org:ORG:env:PROJECT/ENV (or pulumi:environments:pulumi.organization.login:ORG:…)",
		},
		example:        "pulumi:deploy:org:my-org:project:my-project:stack:prod:*",
		audienceMinted: "anyone can sign up to Pulumi Cloud and obtain tokens for an organization of their own", noTrailingSlash: true,
	},
	{
		// Source: https://circleci.com/docs/openid-connect-tokens/ — iss
		// https://oidc.circleci.com/org/ORG_ID (one organisation); aud is
		// ORG_ID; sub org/ORG_ID/project/PROJECT_ID/user/USER_ID;
		// oidc.circleci.com/project-id names the project (H).
		name: "CircleCI", match: circleCIOrg, tenancy: TenancyPerTenant,
		audience: "aud", subject: "sub", generic: true,
		extra:   []ClaimKey{{Name: "oidc.circleci.com/project-id"}},
		formats: []string{"org/ORG_ID/project/PROJECT_ID/user/USER_ID"}, noTrailingSlash: true,
	},
	{
		// Source: https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
		// — iss https://api.bitbucket.org/2.0/workspaces/WORKSPACE/pipelines-config/identity/oidc
		// (one workspace); aud ari:cloud:bitbucket::workspace/WORKSPACE_UUID;
		// sub {REPOSITORY_UUID}[:{ENVIRONMENT_UUID}]:{STEP_UUID} (M).
		name: "Bitbucket Pipelines", match: bitbucketWorkspace, tenancy: TenancyPerTenant,
		audience: "aud", subject: "sub", generic: true,
		formats: []string{"{REPOSITORY_UUID}:{STEP_UUID} or {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID}"}, noTrailingSlash: true,
	},
	{
		// See serviceAccountSubjects for the sources.
		name: "Amazon EKS", match: eksCluster, tenancy: TenancyPerTenant,
		audience: "aud", subject: "sub", generic: true,
		subjects: subjectWorkload, shapes: serviceAccountSubjects, noun: "namespace",
		formats: []string{"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT"},
		example: "system:serviceaccount:payments:api", noTrailingSlash: true,
	},
}

// kubernetesRow describes subjects of Kubernetes service accounts trusted
// through an issuer the catalogue does not know (a self-managed cluster):
// a subject pattern that starts like one is read as one.
var kubernetesRow = issuerRule{
	name: "Kubernetes cluster", subjects: subjectWorkload, shapes: serviceAccountSubjects, noun: "namespace",
	formats: []string{"system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT"}, example: "system:serviceaccount:payments:api",
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

// bitbucketWorkspace matches
// `api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc`.
func bitbucketWorkspace(p string) bool {
	rest, ok := strings.CutPrefix(p, "api.bitbucket.org/2.0/workspaces/")
	if !ok {
		return false
	}
	ws, ok := strings.CutSuffix(rest, "/pipelines-config/identity/oidc")
	return ok && ws != "" && !strings.Contains(ws, "/")
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

// canonicalPrefix is the form catalogue rows match: lower case (condition
// keys are case-insensitive in IAM), without a discovery-document path
// (`/.well-known/…`) or a trailing slash. These look-alikes never match the
// real issuer's tokens (LookAlikes warns about them), but if they did, the
// real issuer's rules would be the ones that matter, so they get them.
func canonicalPrefix(p string) string {
	p = strings.ToLower(p)
	if i := strings.Index(p, "/.well-known/"); i >= 0 {
		p = p[:i]
	}
	return strings.TrimSuffix(p, "/")
}

// lookupRow returns the catalogue row for a prefix, nil for a generic
// issuer.
func lookupRow(prefix string) *issuerRule {
	c := canonicalPrefix(prefix)
	for i := range catalogue {
		if catalogue[i].match(c) {
			return &catalogue[i]
		}
	}
	return nil
}

// LookupIssuer describes the issuer behind a condition-key prefix, matched
// case-insensitively. Any prefix the catalogue does not know is a generic
// OIDC provider.
func LookupIssuer(prefix string) Issuer {
	r := lookupRow(prefix)
	if r == nil {
		return Issuer{
			Name: "generic OIDC", Prefix: prefix, AudienceClaim: "aud", SubjectClaim: "sub",
			Claims: append([]ClaimKey(nil), genericClaims...),
		}
	}
	var claims []ClaimKey
	if r.generic {
		claims = append(claims, genericClaims...)
	}
	claims = append(claims, r.extra...)
	sort.Slice(claims, func(a, b int) bool { return claims[a].Name < claims[b].Name })
	return Issuer{
		Name: r.name, Prefix: prefix, BuiltIn: r.builtIn, Tenancy: r.tenancy,
		MultiTenant:   r.tenancy == TenancyShared && !r.builtIn,
		AudienceClaim: r.audience, SubjectClaim: r.subject, Claims: claims, row: r,
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
