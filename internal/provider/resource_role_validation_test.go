package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// TestAccRole_invalidConfigurationsFailAtPlan runs each invalid role through terraform plan:
// it must fail on the right attribute, say which rule, and send IAM nothing.
func TestAccRole_invalidConfigurationsFailAtPlan(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	okta := providerARNFor("example.okta.com/oauth2/default")
	gitlab := providerARNFor("gitlab.com")
	tfc := providerARNFor("app.terraform.io")
	buildkite := providerARNFor("agent.buildkite.com")
	// role is a role with a valid trust block and the given extra arguments.
	role := func(extra string) string {
		return roleResourceConfig(fmt.Sprintf(`
  name = "ok"
  %s
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/octo-repo:ref:refs/heads/main"]
  }`, extra, githubProviderARN))
	}
	// trust is a role with one trust block of the given body.
	trust := func(body string) string {
		return roleResourceConfig(`
  name = "ok"
  trust {
    ` + body + `
  }`)
	}
	policy := `jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })`

	cases := []invalidConfig{
		// Role attributes.
		{"name of 65 characters", roleResourceConfig(fmt.Sprintf(`
  name = %q
  trust {
    provider_arn = %q
    audiences    = ["a"]
  }`, long(65), okta)),
			attributeErrorPattern("Invalid Attribute Value Length", "name", "string length must be between 1 and 64, got: 65")},
		{"name with a space", roleResourceConfig(fmt.Sprintf(`
  name = "deploy role"
  trust {
    provider_arn = %q
    audiences    = ["a"]
  }`, okta)),
			attributeErrorPattern("Invalid Attribute Value Match", "name", "may hold only letters, digits and + = , . @ _ -", `got: deploy role`)},
		{"name and name_prefix", role(`name_prefix = "ci-"`),
			attributeErrorPattern("Invalid Attribute Combination", "name", `Attribute "name_prefix" cannot be specified when "name" is specified`)},
		{"name_prefix of 39 characters", roleResourceConfig(fmt.Sprintf(`
  name_prefix = %q
  trust {
    provider_arn = %q
    audiences    = ["a"]
  }`, long(39), okta)),
			attributeErrorPattern("Invalid Attribute Value Length", "name_prefix", "string length must be between 1 and 38, got: 39")},
		{"path without slashes", role(`path = "ci"`),
			attributeErrorPattern("Invalid Attribute Value Match", "path", "must be / or begin and end with /")},
		{"path of 513 characters", role(`path = "/` + long(511) + `/"`),
			attributeErrorPattern("Invalid Attribute Value Length", "path", "string length must be between 1 and 512, got: 513")},
		{"description of 1001 characters", role(`description = "` + long(1001) + `"`),
			attributeErrorPattern("Invalid Attribute Value Length", "description", "string length must be at most 1000, got: 1001")},
		{"description with curly quotes", role(`description = "the “deploy” role"`),
			attributeErrorPattern("Invalid Attribute Value Match", "description", "printable Latin-1 characters")},
		{"session of 3599 seconds", role(`max_session_duration = 3599`),
			attributeErrorPattern("Session Duration Out of Range", "max_session_duration", "max_session_duration is 3599 seconds; IAM allows 3600 to 43200 seconds")},
		{"session of 43201 seconds", role(`max_session_duration = 43201`),
			attributeErrorPattern("Session Duration Out of Range", "max_session_duration", "is 43201 seconds", "unset for IAM's default of 3600")},
		{"session with a leading zero", role(`max_session_duration = "07200"`),
			attributeErrorPattern("Not a Whole Number", "max_session_duration", `max_session_duration is "07200"`, "plain digits", "such as max_session_duration = 3600")},
		{"session with a fraction", role(`max_session_duration = 7200.5`),
			attributeErrorPattern("Not a Whole Number", "max_session_duration", `max_session_duration is "7200.5"`)},
		{"boundary that is a role ARN", role(`permissions_boundary = "arn:aws:iam::123456789012:role/boundary"`),
			attributeErrorPattern("Invalid Attribute Value Match", "permissions_boundary", "must be an IAM managed policy ARN")},
		{"managed policy given by name", role(`managed_policy_arns = ["ReadOnlyAccess"]`),
			attributeErrorPattern("Invalid Attribute Value Match", "managed_policy_arns", "must be an IAM managed policy ARN", "got: ReadOnlyAccess")},
		{"inline policy that is not JSON", role(`inline_policies = { read = "s3:GetObject" }`),
			attributeErrorPattern("Invalid Policy Document", "inline_policies", "is not a policy document IAM accepts", "invalid JSON")},
		{"inline policy with a Principal", role(`inline_policies = { read = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "*" }] }) }`),
			attributeErrorPattern("Invalid Policy Document", "inline_policies", "Statement[0]", "has a Principal")},
		{"inline policy name with a space", role(`inline_policies = { "read all" = ` + policy + ` }`),
			attributeErrorPattern("Invalid Attribute Value Match", "inline_policies", "may hold only letters, digits")},
		{"inline policies over 10240 characters", role(`inline_policies = { for i in range(12) : "p${i}" => jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::${join("", [for j in range(900) : "x"])}" }] }) }`),
			attributeErrorPattern("Inline Policies Too Large", "inline_policies", "IAM allows at most 10240 per role")},
		{"reserved tag key", role(`tags = { "aws:owner" = "me" }`),
			attributeErrorPattern("Reserved Tag Key", "tags", `"aws:owner" starts with aws:`)},
		{"trust policy quota over the maximum", role(`trust_policy_size_quota = 4097`),
			attributeErrorPattern("Trust Policy Quota Out of Range", "trust_policy_size_quota", "trust_policy_size_quota is 4097 characters", "raised to at most 4096")},
		{"trust policy quota with a space", role(`trust_policy_size_quota = " 4096"`),
			attributeErrorPattern("Not a Whole Number", "trust_policy_size_quota", `trust_policy_size_quota is " 4096"`)},

		// The trusted provider.
		{"no trust block", roleResourceConfig(`name = "ok"`),
			errorPattern("Missing Trust Block", "no trust block", "add a trust block with provider_arn or built_in")},
		{"provider_arn and built_in", trust(fmt.Sprintf(`provider_arn = %q
    built_in     = "accounts.google.com"
    audiences    = ["a"]`, okta)),
			attributeErrorPattern("Invalid Trusted Provider", "provider_arn", "found both")},
		{"provider_arn that is a role ARN", trust(`provider_arn = "arn:aws:iam::123456789012:role/deploy"
    audiences    = ["a"]`),
			attributeErrorPattern("Invalid Trusted Provider", "provider_arn", "arn:aws:iam::123456789012:role/deploy", "set provider_arn to an IAM OIDC provider ARN")},
		{"provider_arn for Google", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a.apps.googleusercontent.com"]`, providerARNFor("accounts.google.com"))),
			attributeErrorPattern("Invalid Trusted Provider", "provider_arn", "AWS trusts without an IAM OIDC provider", `set built_in = "accounts.google.com"`)},
		{"built_in that is not built in", trust(`built_in  = "login.microsoftonline.com"
    audiences = ["a"]`),
			attributeErrorPattern("Invalid Trusted Provider", "built_in", `found "login.microsoftonline.com"`)},
		{"one provider in two blocks", roleResourceConfig(fmt.Sprintf(`
  name = "ok"
  trust {
    provider_arn = %[1]q
    audiences    = ["a"]
  }
  trust {
    provider_arn = %[1]q
    audiences    = ["b"]
  }`, okta)),
			attributeErrorPattern("Provider Trusted Twice", "provider_arn", "is already trusted by trust[0]", "merge the audiences")},

		// Audiences.
		{"no audiences", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = []`, okta)),
			attributeErrorPattern("Missing Audiences", "audiences", "audiences is empty for example.okta.com/oauth2/default")},
		{"Google without its client ID", trust(`built_in  = "accounts.google.com"
    audiences = []`),
			attributeErrorPattern("Missing Audiences", "audiences", "pinned to your own OAuth client ID", "anyone with a Google account could assume the role")},
		{"Google with a wildcard audience", trust(`built_in  = "accounts.google.com"
    audiences = ["*"]`),
			attributeErrorPattern("Invalid Audience", "audiences", `audience "*" matches every audience`)},

		// Subjects of issuers anyone can get tokens from.
		{"GitHub Actions without subjects", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = []`, githubProviderARN)),
			attributeErrorPattern("Missing Subjects", "subjects", "subjects is empty for token.actions.githubusercontent.com", "every GitHub Actions user could assume this role", "allow_any_subject")},
		{"GitHub Actions with repo:*", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:*"]`, githubProviderARN)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", `subject "repo:*"`, "leaves the owner", "repo:octo-org/octo-repo:ref:refs/heads/main")},
		{"GitHub Actions with a bare *", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/octo-repo:ref:refs/heads/main", "*"]`, githubProviderARN)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", `subject "*" matches every subject`)},
		{"gitlab.com with any project", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["https://gitlab.com"]
    subjects     = ["project_path:*"]`, gitlab)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", `subject "project_path:*"`, "GitLab.com")},
		{"HCP Terraform with any organization", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["aws.workload.identity"]
    subjects     = ["organization:*:project:default:workspace:prod:run_phase:apply"]`, tfc)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", "HCP Terraform")},
		{"Buildkite without subjects", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = []`, buildkite)),
			attributeErrorPattern("Missing Subjects", "subjects", "agent.buildkite.com (Buildkite)")},
		{"an empty subject", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a"]
    subjects     = [""]`, okta)),
			attributeErrorPattern("Invalid Subject", "subjects", "a subject is the empty string")},

		// Configurations that would let a stranger in (a representative part of the corpus in
		// internal/trustpolicy/corpus_test.go).
		{"Google with any OAuth client", trust(`built_in  = "accounts.google.com"
    audiences = ["*.apps.googleusercontent.com"]`),
			attributeErrorPattern("Audience Pattern", "audiences", `audience "*.apps.googleusercontent.com" has a wildcard`, "anyone can create a Google OAuth client")},
		{"Cognito with any pool of a region", trust(`built_in  = "cognito-identity.amazonaws.com"
    audiences = ["us-east-1:*"]
    claims    = { amr = ["authenticated"] }`),
			attributeErrorPattern("Audience Pattern", "audiences", "anyone can create a Cognito identity pool", "identity pool ID")},
		{"Facebook with an app ID prefix", trust(`built_in  = "graph.facebook.com"
    audiences = ["1*"]`),
			attributeErrorPattern("Audience Pattern", "audiences", "anyone can register a Facebook app")},
		{"Cognito that guests can assume", trust(`built_in  = "cognito-identity.amazonaws.com"
    audiences = ["eu-west-1:6c2f1b2e-0000-4000-8000-1234567890ab"]`),
			errorPattern("Guest Identities Accepted", "guest (unauthenticated) identities", `amr = ["authenticated"]`)},
		{"GitHub Actions custom template with any owner", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repository_owner_id:*"]`, githubProviderARN)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", `leaves the owner after "repository_owner_id:" open`, "custom template")},
		{"GitHub Actions owner ID after a wildcard", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["*:repository_owner_id:1234567"]`, githubProviderARN)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", "has a wildcard before the owner is named")},
		{"GitHub Actions any reusable workflow", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["job_workflow_ref:*"]`, githubProviderARN)),
			attributeErrorPattern("Subject Matches Anyone", "subjects", "reusable workflow in a public repository can be called from any repository")},
		{"GitHub Actions issuer in mixed case", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:*"]`, providerARNFor("Token.Actions.GitHubUserContent.com"))),
			attributeErrorPattern("Subject Matches Anyone", "subjects", `after "repo:"`)},
		{"GitHub Actions opt-out without an owner claim", trust(fmt.Sprintf(`provider_arn      = %q
    audiences         = ["sts.amazonaws.com"]
    allow_any_subject = true`, githubProviderARN)),
			attributeErrorPattern("Owner Not Pinned", "allow_any_subject", "no claim pins the owner", "repository_owner_id")},
		{"GitHub Actions opt-out with a wildcard owner claim", trust(fmt.Sprintf(`provider_arn      = %q
    audiences         = ["sts.amazonaws.com"]
    allow_any_subject = true
    claims            = { repository_owner_id = ["*"] }`, githubProviderARN)),
			attributeErrorPattern("Owner Not Pinned", "allow_any_subject", "repository_owner_id does not")},
		{"HCP Terraform opt-out", trust(fmt.Sprintf(`provider_arn      = %q
    audiences         = ["aws.workload.identity"]
    allow_any_subject = true`, tfc)),
			attributeErrorPattern("Owner Not Pinned", "allow_any_subject", "exposes no claim that names the organization")},
		{"Pulumi Cloud with any organization", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["my-org"]
    subjects     = ["pulumi:deploy:org:*"]`, providerARNFor("api.pulumi.com/oidc"))),
			attributeErrorPattern("Subject Matches Anyone", "subjects", "Pulumi Cloud")},
		{"EKS with only an audience", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = []`, providerARNFor("oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"))),
			attributeErrorPattern("Subject Matches Every Workload", "subjects", "every service account in every namespace", "allow_any_subject = true")},
		{"EKS with any namespace", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["system:serviceaccount:*"]`, providerARNFor("oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"))),
			attributeErrorPattern("Subject Matches Every Workload", "subjects", "leaves the namespace")},

		// Claims.
		{"custom claim", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a"]
    claims       = { "custom:department" = ["engineering"] }`, okta)),
			attributeErrorPattern("Claim Not Exposed by AWS", "claims", `claim "custom:department" is not a condition key AWS exposes`, "session_tags")},
		{"groups claim", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a"]
    claims       = { groups = ["admins"] }`, okta)),
			attributeErrorPattern("Claim Not Exposed by AWS", "claims", `claim "groups"`, "request_tags")},
		{"claim under another provider's prefix", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/octo-repo:ref:refs/heads/main"]
    claims       = { "gitlab.com:project_id" = ["42"] }`, githubProviderARN)),
			attributeErrorPattern("Condition Key of Another Provider", "claims", `uses the prefix "gitlab.com"`, "never sets a key for another provider")},
		{"sub as a claim", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a"]
    claims       = { sub = ["alice"] }`, okta)),
			attributeErrorPattern("Claim Belongs Elsewhere", "claims", "is the subject: put its values in subjects")},
		{"request tag as a claim", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a"]
    claims       = { "aws:RequestTag/team" = ["a"] }`, okta)),
			attributeErrorPattern("Claim Belongs Elsewhere", "claims", "is a session-tag key", "use session_tags")},
		{"claim without values", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:octo-org/octo-repo:ref:refs/heads/main"]
    claims       = { repository_id = [] }`, githubProviderARN)),
			attributeErrorPattern("Invalid Claim Values", "claims", `claim "repository_id" has no values`)},

		// Session tags and size.
		{"request tag not among allowed keys", trust(fmt.Sprintf(`provider_arn = %q
    audiences    = ["a"]
    session_tags {
      request_tags = { department = ["engineering"] }
      allowed_keys = ["team"]
    }`, okta)),
			attributeErrorPattern("Invalid Session Tags", "request_tags", `request tag "department" is not among allowed_keys`, "could never be assumed")},
		{"trust policy over the quota", roleResourceConfig(fmt.Sprintf(`
  name = "ok"
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = [for i in range(60) : "repo:octo-org/repository-number-${i}:ref:refs/heads/main"]
  }`, githubProviderARN)),
			attributeErrorPattern("Trust Policy Too Large", "subjects", "over the quota of 2048", "LimitExceeded", "trust_policy_size_quota")},
	}

	invalidConfigsFailAtPlan(t, 20, cases)
}

// TestAccRole_documentedExamplesPassPlan keeps the documentation's examples valid: each
// plans without error and without asking IAM for anything but the credentials check.
func TestAccRole_documentedExamplesPassPlan(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "resources", "awsoidc_role", "resource.tf"))
	if err != nil {
		t.Fatalf("reading the documented example: %v", err)
	}
	e := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             e.providerBlock("") + string(example),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	if n := e.ep.ServiceCount(acctest.ServiceIAM); n != 0 {
		t.Errorf("IAM received %d request(s) while planning new resources, want none: %s", n, strings.Join(e.iamActions(), ", "))
	}
}

// TestAccRole_allowAnySubjectIsTheDocumentedOptOut pins that the subject rule for shared
// issuers can be waived explicitly, and only explicitly.
func TestAccRole_allowAnySubjectIsTheDocumentedOptOut(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	cfg := func(allow string) string {
		return e.providerBlock("") + roleResourceConfig(fmt.Sprintf(`
  name = "ok"
  trust {
    provider_arn = %q
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:*"]
    claims       = { repository_owner_id = ["1234567"] }
    %s
  }`, githubProviderARN, allow))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(""), PlanOnly: true, ExpectError: attributeErrorPattern("Subject Matches Anyone", "subjects", "allow_any_subject = true")},
			{Config: cfg("allow_any_subject = false"), PlanOnly: true, ExpectError: attributeErrorPattern("Subject Matches Anyone", "subjects")},
			{Config: cfg("allow_any_subject = true"), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
