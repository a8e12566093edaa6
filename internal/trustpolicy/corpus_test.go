package trustpolicy

import (
	"strings"
	"testing"
)

// The adversarial corpus: trust blocks that would let a stranger in, each
// with the stranger's token that the built policy lets in, which Validate
// must refuse; and trust blocks people write on purpose, each with the
// token meant and the nearest stranger's (other owner, organisation,
// project, namespace, client, pool), which Validate must accept and the
// evaluator must tell apart.

func providerFor(key string) string { return "arn:aws:iam::" + account + ":oidc-provider/" + key }

// tok is a token presented through provider; kv alternates claim names and
// values.
func tok(provider string, kv ...any) Request {
	claims := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		claims[kv[i].(string)] = kv[i+1]
	}
	return Request{Provider: provider, Claims: claims}
}

const (
	ghAud     = "sts.amazonaws.com"
	glAud     = "https://gitlab.com"
	tfcAud    = "aws.workload.identity"
	ghOwnerID = "60012345"
	repoID    = "892431870"
	fbApp     = "1234567890"
	lwaClient = "amzn1.application-oa2-client.0123456789abcdef"
)

var (
	eksOtherARN  = providerFor("oidc.eks.eu-west-1.amazonaws.com/id/0000AAAA1111")
	circleARN    = providerFor("oidc.circleci.com/org/2f2f0c6e-1111-2222-3333-444455556666")
	bitbucketARN = providerFor("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc")
	gheSlugARN   = providerFor("token.actions.githubusercontent.com/octo-enterprise")
	gheComARN    = providerFor("token.actions.octocorp.ghe.com")
)

func gh(subjects ...string) Trust {
	return Trust{ProviderARN: githubARN, Audiences: []string{ghAud}, Subjects: subjects}
}

func ghAny(claims ...Claim) Trust {
	return Trust{ProviderARN: githubARN, Audiences: []string{ghAud}, AllowAnySubject: true, Claims: claims}
}

func ghSub(sub string, kv ...any) Request {
	return tok(githubARN, append([]any{"aud", ghAud, "sub", sub}, kv...)...)
}

func withARN(t Trust, arn string) Trust { t.ProviderARN = arn; return t }

func on(arn string, aud string, subjects ...string) Trust {
	return Trust{ProviderARN: arn, Audiences: []string{aud}, Subjects: subjects}
}

func anyOn(arn, aud string, claims ...Claim) Trust {
	return Trust{ProviderARN: arn, Audiences: []string{aud}, AllowAnySubject: true, Claims: claims}
}

func claim(name string, values ...string) Claim { return Claim{Claim: name, Values: values} }

func cognito(aud string, claims ...Claim) Trust {
	return Trust{BuiltIn: Cognito, Audiences: []string{aud}, Claims: claims}
}

func cognitoTok(aud string, amr ...any) Request {
	return tok(Cognito, "aud", aud, "sub", "eu-west-1:11111111-2222-4333-8444-555555555555", "amr", amr)
}

type strangerCase struct {
	name     string
	trust    Trust
	rule     string
	stranger Request
}

var strangerCorpus = []strangerCase{
	// GitHub Actions' shared issuer: subjects.
	{"GitHub without subjects", gh(), RuleSubjectsRequired, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub *", gh("*"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub repo:*", gh("repo:*"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub repo:*/*", gh("repo:*/*"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:pull_request")},
	{"GitHub any owner's main branch", gh("repo:*:ref:refs/heads/main"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub owner prefix", gh("repo:octo-org*"), RuleSubjectCatchAll, ghSub("repo:octo-org-evil/app:ref:refs/heads/main")},
	{"GitHub wildcard inside the owner", gh("repo:octo-*/deploy:ref:refs/heads/main"), RuleSubjectCatchAll, ghSub("repo:octo-evil/deploy:ref:refs/heads/main")},
	{"GitHub ? in the owner", gh("repo:octo-or?/app:*"), RuleSubjectCatchAll, ghSub("repo:octo-orx/app:ref:refs/heads/main")},
	{"GitHub owner ID after a wildcard owner", gh("repo:*@60012345/*"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:environment:a@60012345/b")},
	{"GitHub wildcard before the context", gh("*:ref:refs/heads/main"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub template: any owner ID", gh("repository_owner_id:*"), RuleSubjectCatchAll, ghSub("repository_owner_id:99999")},
	{"GitHub template: any owner", gh("repository_owner:*"), RuleSubjectCatchAll, ghSub("repository_owner:evil-org")},
	{"GitHub template: any reusable workflow", gh("job_workflow_ref:*"), RuleSubjectCatchAll, ghSub("job_workflow_ref:evil-org/x/.github/workflows/a.yml@refs/heads/main")},
	{"GitHub template: any repository ID", gh("repository_id:*:ref:refs/heads/main"), RuleSubjectCatchAll, ghSub("repository_id:99999:ref:refs/heads/main")},
	{"GitHub template: owner ID prefix", gh("repository_owner_id:6001234*"), RuleSubjectCatchAll, ghSub("repository_owner_id:60012349")},
	{"GitHub template: owner ID after a wildcard", gh("*:repository_owner_id:" + ghOwnerID), RuleSubjectCatchAll, ghSub("workflow:x:repository_owner_id:" + ghOwnerID)},
	{"GitHub template: a branch, no owner", gh("ref:refs/heads/main"), RuleSubjectCatchAll, ghSub("ref:refs/heads/main")},
	{"GitHub template: a public reusable workflow", gh("job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"), RuleSubjectCatchAll,
		ghSub("job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main")},
	{"GitHub template: a workflow name before the owner", gh("workflow:deploy:repository_owner_id:" + ghOwnerID), RuleSubjectCatchAll,
		ghSub("workflow:deploy:repository_owner_id:" + ghOwnerID)},
	{"GitHub template: an environment before the owner", gh("environment:prod:*"), RuleSubjectCatchAll, ghSub("environment:prod:repo:evil-org/app")},
	{"GitHub template: an actor", gh("actor:octocat:*"), RuleSubjectCatchAll, ghSub("actor:octocat:repo:evil-org/app")},
	{"GitHub template: any repository", gh("repository:*/app"), RuleSubjectCatchAll, ghSub("repository:evil-org/app")},
	{"GitHub template: any enterprise", gh("enterprise:*"), RuleSubjectCatchAll, ghSub("enterprise:evil-corp")},
	{"GitHub key prefix", gh("rep*"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub one good subject and one open", gh("repo:octo-org/app:*", "repo:*"), RuleSubjectCatchAll, ghSub("repo:evil-org/app:ref:refs/heads/main")},

	// GitHub Actions: allow_any_subject.
	{"GitHub opt-out alone", ghAny(), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub opt-out with repo:*", withSubjects(ghAny(), "repo:*"), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub opt-out, any owner ID", ghAny(claim("repository_owner_id", "*")), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app", "repository_owner_id", "99999")},
	{"GitHub opt-out, owner ID prefix", ghAny(claim("repository_owner_id", "6001234*")), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app", "repository_owner_id", "60012349")},
	{"GitHub opt-out, an actor", ghAny(claim("actor_id", "583231")), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app", "actor_id", "583231", "repository_owner_id", "99999")},
	{"GitHub opt-out, an environment", ghAny(claim("environment", "prod")), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app:environment:prod", "environment", "prod")},
	{"GitHub opt-out, a negated owner ID", ghAny(Claim{Claim: "repository_owner_id", Values: []string{"1"}, Operator: "StringNotEquals"}), RuleAnySubjectUnpinned,
		ghSub("repo:evil-org/app", "repository_owner_id", "99999")},
	{"GitHub opt-out, any owner's repository", ghAny(claim("repository", "*/app")), RuleAnySubjectUnpinned, ghSub("repo:evil-org/app", "repository", "evil-org/app")},

	// GitHub Actions under another spelling of its issuer.
	{"GitHub host in mixed case", withARN(gh("repo:*"), providerFor("Token.Actions.GitHubUserContent.com")), RuleSubjectCatchAll,
		tok(providerFor("Token.Actions.GitHubUserContent.com"), "aud", ghAud, "sub", "repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub host in capitals without subjects", withARN(gh(), providerFor("TOKEN.ACTIONS.GITHUBUSERCONTENT.COM")), RuleSubjectsRequired,
		tok(providerFor("TOKEN.ACTIONS.GITHUBUSERCONTENT.COM"), "aud", ghAud, "sub", "repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub issuer with a trailing slash", withARN(gh("repo:*"), providerFor("token.actions.githubusercontent.com/")), RuleSubjectCatchAll,
		tok(providerFor("token.actions.githubusercontent.com/"), "aud", ghAud, "sub", "repo:evil-org/app:ref:refs/heads/main")},
	{"GitHub discovery URL as issuer", withARN(gh("repo:*"), providerFor("token.actions.githubusercontent.com/.well-known/openid-configuration")), RuleSubjectCatchAll,
		tok(providerFor("token.actions.githubusercontent.com/.well-known/openid-configuration"), "aud", ghAud, "sub", "repo:evil-org/app:ref:refs/heads/main")},

	// gitlab.com.
	{"GitLab without subjects", on(gitlabARN, glAud), RuleSubjectsRequired, tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main")},
	{"GitLab project_path:*", on(gitlabARN, glAud, "project_path:*"), RuleSubjectCatchAll, tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main")},
	{"GitLab group prefix", on(gitlabARN, glAud, "project_path:my-group*"), RuleSubjectCatchAll, tok(gitlabARN, "aud", glAud, "sub", "project_path:my-group-evil/app:ref_type:branch:ref:main")},
	{"GitLab any group's project", on(gitlabARN, glAud, "project_path:*/my-project:ref_type:branch:ref:main"), RuleSubjectCatchAll,
		tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/my-project:ref_type:branch:ref:main")},
	{"GitLab wildcard before the context", on(gitlabARN, glAud, "*:ref_type:branch:ref:main"), RuleSubjectCatchAll,
		tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main")},
	{"GitLab opt-out alone", anyOn(gitlabARN, glAud), RuleAnySubjectUnpinned, tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main")},
	{"GitLab opt-out, any namespace", anyOn(gitlabARN, glAud, claim("namespace_id", "*")), RuleAnySubjectUnpinned,
		tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main", "namespace_id", "999")},
	{"GitLab opt-out, protected refs", anyOn(gitlabARN, glAud, claim("ref_protected", "true")), RuleAnySubjectUnpinned,
		tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main", "ref_protected", "true")},
	{"GitLab host in capitals", withARN(on(gitlabARN, glAud, "project_path:*"), providerFor("GitLab.com")), RuleSubjectCatchAll,
		tok(providerFor("GitLab.com"), "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:main")},

	// HCP Terraform, US and EU.
	{"HCP Terraform any organization", on(tfcARN, tfcAud, "organization:*:project:*:workspace:*:run_phase:*"), RuleSubjectCatchAll,
		tok(tfcARN, "aud", tfcAud, "sub", "organization:evil:project:p:workspace:w:run_phase:apply")},
	{"HCP Terraform organization prefix", on(tfcARN, tfcAud, "organization:my-org*"), RuleSubjectCatchAll,
		tok(tfcARN, "aud", tfcAud, "sub", "organization:my-org-evil:project:p:workspace:w:run_phase:apply")},
	{"HCP Terraform wildcard before the workspace", on(tfcARN, tfcAud, "*:workspace:prod:run_phase:apply"), RuleSubjectCatchAll,
		tok(tfcARN, "aud", tfcAud, "sub", "organization:evil:project:p:workspace:prod:run_phase:apply")},
	{"HCP Terraform without subjects", on(tfcARN, tfcAud), RuleSubjectsRequired, tok(tfcARN, "aud", tfcAud, "sub", "organization:evil:project:p:workspace:w:run_phase:apply")},
	{"HCP Terraform opt-out", anyOn(tfcARN, tfcAud), RuleAnySubjectUnpinned, tok(tfcARN, "aud", tfcAud, "sub", "organization:evil:project:p:workspace:w:run_phase:apply")},
	{"HCP Europe any organization", on(tfcEUARN, tfcAud, "organization:*"), RuleSubjectCatchAll,
		tok(tfcEUARN, "aud", tfcAud, "sub", "organization:evil:project:p:workspace:w:run_phase:plan")},
	{"HCP Europe without subjects", on(tfcEUARN, tfcAud), RuleSubjectsRequired, tok(tfcEUARN, "aud", tfcAud, "sub", "organization:evil:project:p:workspace:w:run_phase:plan")},

	// Buildkite.
	{"Buildkite without subjects", on(buildkiteARN, ghAud), RuleSubjectsRequired,
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:evil:pipeline:p:ref:refs/heads/main:commit:abc:step:s")},
	{"Buildkite any organization", on(buildkiteARN, ghAud, "organization:*"), RuleSubjectCatchAll,
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:evil:pipeline:p:ref:refs/heads/main:commit:abc:step:s")},
	{"Buildkite organization prefix", on(buildkiteARN, ghAud, "organization:acme*:pipeline:deploy:*"), RuleSubjectCatchAll,
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:acme-evil:pipeline:deploy:ref:refs/heads/main:commit:abc:step:s")},
	{"Buildkite opt-out, a pipeline name", anyOn(buildkiteARN, ghAud, claim("pipeline_slug", "deploy")), RuleAnySubjectUnpinned,
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:evil:pipeline:deploy:ref:r:commit:c:step:s", "pipeline_slug", "deploy")},
	{"Buildkite opt-out, an organization prefix", anyOn(buildkiteARN, ghAud, claim("organization_slug", "acme*")), RuleAnySubjectUnpinned,
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:acme-evil:pipeline:p:ref:r:commit:c:step:s", "organization_slug", "acme-evil")},

	// Pulumi Cloud.
	{"Pulumi any organization", on(pulumiARN, "acme", "pulumi:deploy:org:*"), RuleSubjectCatchAll,
		tok(pulumiARN, "aud", "acme", "sub", "pulumi:deploy:org:evil:project:p:stack:s:operation:update:scope:write")},
	{"Pulumi any subject of the service", on(pulumiARN, "acme", "pulumi:*"), RuleSubjectCatchAll,
		tok(pulumiARN, "aud", "acme", "sub", "pulumi:environments:org:evil:env:p/e")},
	{"Pulumi without subjects", on(pulumiARN, "acme"), RuleSubjectsRequired, tok(pulumiARN, "aud", "acme", "sub", "pulumi:environments:org:evil:env:p/e")},
	{"Pulumi organization prefix", on(pulumiARN, "acme", "pulumi:environments:org:acme*"), RuleSubjectCatchAll,
		tok(pulumiARN, "aud", "acme", "sub", "pulumi:environments:org:acme-evil:env:p/e")},

	// Clusters: every workload gets a token.
	{"EKS with only aud", on(eksARN, ghAud), RuleSubjectWorkload, tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:kube-system:default")},
	{"EKS any namespace", on(eksARN, ghAud, "system:serviceaccount:*"), RuleSubjectWorkload, tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:kube-system:default")},
	{"EKS namespace prefix", on(eksARN, ghAud, "system:serviceaccount:pay*:api"), RuleSubjectWorkload, tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:payroll:api")},
	{"EKS host in capitals with only aud", on(providerFor("OIDC.EKS.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"), ghAud), RuleSubjectWorkload,
		tok(providerFor("OIDC.EKS.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"), "aud", ghAud, "sub", "system:serviceaccount:kube-system:default")},
	{"self-managed cluster, any namespace", on(keycloak, "k8s", "system:serviceaccount:*:default"), RuleSubjectWorkload,
		tok(keycloak, "aud", "k8s", "sub", "system:serviceaccount:kube-system:default")},

	// Google.
	{"Google without audiences", Trust{BuiltIn: Google}, RuleAudiencesRequired, tok(Google, "azp", "999-evil.apps.googleusercontent.com", "aud", "999-evil.apps.googleusercontent.com", "sub", "1")},
	{"Google any client", Trust{BuiltIn: Google, Audiences: []string{"*"}}, RuleAudienceValue, tok(Google, "azp", "999-evil.apps.googleusercontent.com", "aud", "x", "sub", "1")},
	{"Google any OAuth client", Trust{BuiltIn: Google, Audiences: []string{"*.apps.googleusercontent.com"}}, RuleAudienceWildcard,
		tok(Google, "azp", "999-evil.apps.googleusercontent.com", "aud", "999-evil.apps.googleusercontent.com", "sub", "1")},
	{"Google project number prefix", Trust{BuiltIn: Google, Audiences: []string{"12345*"}}, RuleAudienceWildcard,
		tok(Google, "azp", "123459999999-evil.apps.googleusercontent.com", "aud", "x", "sub", "1")},
	{"Google client suffix", Trust{BuiltIn: Google, Audiences: []string{"*abc.apps.googleusercontent.com"}}, RuleAudienceWildcard,
		tok(Google, "azp", "999-evilabc.apps.googleusercontent.com", "aud", "x", "sub", "1")},

	// Cognito identity pools.
	{"Cognito without audiences", Trust{BuiltIn: Cognito, Claims: []Claim{claim("amr", "authenticated")}}, RuleAudiencesRequired,
		cognitoTok("us-east-1:99999999-0000-4000-8000-000000000000", "authenticated")},
	{"Cognito any pool of a region", cognito("us-east-1:*", claim("amr", "authenticated")), RuleAudienceWildcard,
		cognitoTok("us-east-1:99999999-0000-4000-8000-000000000000", "authenticated")},
	{"Cognito any pool", cognito("*", claim("amr", "authenticated")), RuleAudienceValue, cognitoTok("us-east-1:99999999-0000-4000-8000-000000000000", "authenticated")},
	{"Cognito pool ID prefix", cognito("eu-west-1:6*", claim("amr", "authenticated")), RuleAudienceWildcard,
		cognitoTok("eu-west-1:6fffffff-0000-4000-8000-000000000000", "authenticated")},
	{"Cognito without amr", cognito(poolID), RuleCognitoGuests, cognitoTok(poolID, "unauthenticated")},
	{"Cognito amr *", cognito(poolID, claim("amr", "*")), RuleCognitoGuests, cognitoTok(poolID, "unauthenticated")},
	{"Cognito amr *authenticated", cognito(poolID, claim("amr", "*authenticated")), RuleCognitoGuests, cognitoTok(poolID, "unauthenticated")},
	{"Cognito amr present", cognito(poolID, Claim{Claim: "amr", Values: []string{"false"}, Operator: "Null"}), RuleCognitoGuests, cognitoTok(poolID, "unauthenticated")},

	// Facebook and Login with Amazon.
	{"Facebook without audiences", Trust{BuiltIn: Facebook}, RuleAudiencesRequired, tok(Facebook, "app_id", "999", "id", "1")},
	{"Facebook app ID prefix", Trust{BuiltIn: Facebook, Audiences: []string{"1*"}}, RuleAudienceWildcard, tok(Facebook, "app_id", "1999", "id", "1")},
	{"Facebook any app", Trust{BuiltIn: Facebook, Audiences: []string{"*"}}, RuleAudienceValue, tok(Facebook, "app_id", "999", "id", "1")},
	{"Login with Amazon without audiences", Trust{BuiltIn: Amazon}, RuleAudiencesRequired, tok(Amazon, "app_id", "amzn1.application-oa2-client.evil", "user_id", "1")},
	{"Login with Amazon any client", Trust{BuiltIn: Amazon, Audiences: []string{"amzn1.application-oa2-client.*"}}, RuleAudienceWildcard,
		tok(Amazon, "app_id", "amzn1.application-oa2-client.evil", "user_id", "1")},
}

func withSubjects(t Trust, subjects ...string) Trust { t.Subjects = subjects; return t }

// TestCorpus_everyConfigurationThatLetsAStrangerInIsRefused: each trust
// block of the corpus lets the stranger in once built (the hole is real),
// and Validate refuses it with an error of the expected rule.
func TestCorpus_everyConfigurationThatLetsAStrangerInIsRefused(t *testing.T) {
	refused := 0
	seen := map[string]bool{}
	for _, c := range strangerCorpus {
		if seen[c.name] {
			t.Errorf("%s: name used twice", c.name)
		}
		seen[c.name] = true
		spec := Spec{Statements: []Trust{c.trust}}
		doc, err := Build(spec)
		if err != nil {
			t.Errorf("%s: Build: %v", c.name, err)
			continue
		}
		if d := Evaluate(doc, c.stranger); !d.Allowed {
			t.Errorf("%s: the stranger's token is denied (%s), so the case shows no hole", c.name, d.Summary)
		}
		fs := Validate(spec, ValidateOptions{})
		found := false
		for _, f := range fs {
			if f.Rule == c.rule && f.Severity == SeverityError {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %s error; findings %v", c.name, c.rule, fs)
			continue
		}
		refused++
	}
	t.Logf("configurations refused / tried: %d / %d", refused, len(strangerCorpus))
	if len(strangerCorpus) < 60 {
		t.Errorf("the corpus has %d configurations; keep at least 60", len(strangerCorpus))
	}
}

type legitCase struct {
	name     string
	trust    Trust
	intended Request
	// stranger is the nearest token of someone else; more are further
	// strangers that must be denied too.
	stranger Request
	more     []Request
}

var legitCorpus = []legitCase{
	// GitHub Actions' shared issuer.
	{"GitHub one branch", gh("repo:octo-org/octo-repo:ref:refs/heads/main"),
		ghSub("repo:octo-org/octo-repo:ref:refs/heads/main"), ghSub("repo:evil-org/octo-repo:ref:refs/heads/main"), nil},
	{"GitHub an organisation", gh("repo:octo-org/*"),
		ghSub("repo:octo-org/app:environment:prod"), ghSub("repo:octo-org-evil/app:environment:prod"),
		[]Request{ghSub("repository_owner:octo-org"), ghSub("repo:octo-org@1/app@2:ref:refs/heads/main")}},
	{"GitHub immutable subject", gh("repo:octo-org@60012345/octo-repo@892431870:ref:refs/heads/main"),
		ghSub("repo:octo-org@60012345/octo-repo@892431870:ref:refs/heads/main"), ghSub("repo:octo-org@99999/octo-repo@892431870:ref:refs/heads/main"), nil},
	{"GitHub template by owner ID", gh("repository_owner_id:" + ghOwnerID + ":*"),
		ghSub("repository_owner_id:" + ghOwnerID + ":environment:prod"), ghSub("repository_owner_id:" + ghOwnerID + "0:environment:prod"),
		[]Request{ghSub("workflow:x:repository_owner_id:" + ghOwnerID + ":environment:prod")}},
	{"GitHub template, exactly the owner ID", gh("repository_owner_id:" + ghOwnerID),
		ghSub("repository_owner_id:" + ghOwnerID), ghSub("repository_owner_id:60012346"), nil},
	{"GitHub template by repository ID", gh("repository_id:" + repoID + ":ref:refs/heads/main"),
		ghSub("repository_id:" + repoID + ":ref:refs/heads/main"), ghSub("repository_id:892431871:ref:refs/heads/main"), nil},
	{"GitHub an environment", gh("repo:octo-org/octo-repo:environment:prod"),
		ghSub("repo:octo-org/octo-repo:environment:prod"), ghSub("repo:octo-orgx/octo-repo:environment:prod"), nil},
	{"GitHub pull requests", gh("repo:octo-org/octo-repo:pull_request"),
		ghSub("repo:octo-org/octo-repo:pull_request"), ghSub("repo:evil-org/octo-repo:pull_request"), nil},
	{"GitHub a reusable workflow of the owner's", gh("repo:octo-org/*:job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"),
		ghSub("repo:octo-org/app:job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"),
		ghSub("repo:evil-org/app:job_workflow_ref:octo-org/shared/.github/workflows/deploy.yml@refs/heads/main"), nil},
	{"GitHub template by owner name", gh("repository_owner:octo-org"),
		ghSub("repository_owner:octo-org"), ghSub("repository_owner:octo-org2"), nil},
	{"GitHub template by enterprise", gh("enterprise:octo-corp:*"),
		ghSub("enterprise:octo-corp:repo:octo-org/app"), ghSub("enterprise:octo-corp-evil:repo:evil/app"), nil},
	{"GitHub opt-out, owner ID claim", ghAny(claim("repository_owner_id", ghOwnerID)),
		ghSub("repo:octo-org/app:ref:refs/heads/dev", "repository_owner_id", ghOwnerID), ghSub("repo:evil-org/app:ref:refs/heads/dev", "repository_owner_id", "99999"), nil},
	{"GitHub opt-out, repository ID claim", ghAny(claim("repository_id", repoID)),
		ghSub("repository_owner_id:"+ghOwnerID, "repository_id", repoID), ghSub("repository_owner_id:99999", "repository_id", "99999"), nil},
	{"GitHub opt-out, enterprise ID claim", ghAny(claim("enterprise_id", "42")),
		ghSub("repo:octo-org/app:pull_request", "enterprise_id", "42"), ghSub("repo:evil-org/app:pull_request", "enterprise_id", "43"),
		[]Request{ghSub("repo:evil-org/app:pull_request")}},
	{"GitHub enterprise issuer, any subject", Trust{ProviderARN: gheSlugARN, Audiences: []string{ghAud}},
		tok(gheSlugARN, "aud", ghAud, "sub", "repo:octo-org/app:ref:refs/heads/main"),
		tok(providerFor("token.actions.githubusercontent.com/evil-enterprise"), "aud", ghAud, "sub", "repo:octo-org/app:ref:refs/heads/main"), nil},
	{"GHE.com tenant, any subject", Trust{ProviderARN: gheComARN, Audiences: []string{ghAud}},
		tok(gheComARN, "aud", ghAud, "sub", "repo:octo-org/app:ref:refs/heads/main"),
		tok(providerFor("token.actions.evilcorp.ghe.com"), "aud", ghAud, "sub", "repo:octo-org/app:ref:refs/heads/main"), nil},

	// gitlab.com.
	{"GitLab one branch", on(gitlabARN, glAud, "project_path:my-group/my-project:ref_type:branch:ref:main"),
		tok(gitlabARN, "aud", glAud, "sub", "project_path:my-group/my-project:ref_type:branch:ref:main"),
		tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/my-project:ref_type:branch:ref:main"), nil},
	{"GitLab a group", on(gitlabARN, glAud, "project_path:my-group/*"),
		tok(gitlabARN, "aud", glAud, "sub", "project_path:my-group/sub/app:ref_type:tag:ref:v1"),
		tok(gitlabARN, "aud", glAud, "sub", "project_path:my-group-evil/app:ref_type:tag:ref:v1"), nil},
	{"GitLab opt-out, project ID claim", anyOn(gitlabARN, glAud, claim("project_id", "42")),
		tok(gitlabARN, "aud", glAud, "sub", "project_path:my-group/app:ref_type:branch:ref:x", "project_id", "42"),
		tok(gitlabARN, "aud", glAud, "sub", "project_path:evil/app:ref_type:branch:ref:x", "project_id", "43"), nil},

	// HCP Terraform.
	{"HCP Terraform an organization", on(tfcARN, tfcAud, "organization:my-org:project:*:workspace:*:run_phase:*"),
		tok(tfcARN, "aud", tfcAud, "sub", "organization:my-org:project:default:workspace:prod:run_phase:apply"),
		tok(tfcARN, "aud", tfcAud, "sub", "organization:my-org2:project:default:workspace:prod:run_phase:apply"), nil},
	{"HCP Europe one workspace", on(tfcEUARN, tfcAud, "organization:my-org:project:default:workspace:prod:run_phase:apply"),
		tok(tfcEUARN, "aud", tfcAud, "sub", "organization:my-org:project:default:workspace:prod:run_phase:apply"),
		tok(tfcEUARN, "aud", tfcAud, "sub", "organization:evil:project:default:workspace:prod:run_phase:apply"),
		[]Request{tok(tfcARN, "aud", tfcAud, "sub", "organization:my-org:project:default:workspace:prod:run_phase:apply")}},

	// Buildkite.
	{"Buildkite one pipeline", on(buildkiteARN, ghAud, "organization:acme:pipeline:deploy:*"),
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:acme:pipeline:deploy:ref:refs/heads/main:commit:abc:step:s"),
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:acme-evil:pipeline:deploy:ref:refs/heads/main:commit:abc:step:s"), nil},
	{"Buildkite opt-out, organization ID claim", anyOn(buildkiteARN, ghAud, claim("organization_id", "0190-acme")),
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:acme:pipeline:p:ref:r:commit:c:step:s", "organization_id", "0190-acme"),
		tok(buildkiteARN, "aud", ghAud, "sub", "organization:evil:pipeline:p:ref:r:commit:c:step:s", "organization_id", "0190-evil"), nil},

	// Pulumi Cloud.
	{"Pulumi deployments of one stack", on(pulumiARN, "acme", "pulumi:deploy:org:acme:project:*:stack:prod:*"),
		tok(pulumiARN, "aud", "acme", "sub", "pulumi:deploy:org:acme:project:web:stack:prod:operation:update:scope:write"),
		tok(pulumiARN, "aud", "acme", "sub", "pulumi:deploy:org:evil:project:web:stack:prod:operation:update:scope:write"), nil},
	{"Pulumi ESC environments", on(pulumiARN, "aws:acme", "pulumi:environments:org:acme:env:*"),
		tok(pulumiARN, "aud", "aws:acme", "sub", "pulumi:environments:org:acme:env:infra/prod"),
		tok(pulumiARN, "aud", "aws:acme", "sub", "pulumi:environments:org:acme2:env:infra/prod"), nil},

	// Built-in issuers, pinned by audience.
	{"Google one client", Trust{BuiltIn: Google, Audiences: []string{googleID}},
		tok(Google, "azp", googleID, "aud", googleID, "sub", "1"),
		tok(Google, "azp", "123456789012-abd.apps.googleusercontent.com", "aud", "123456789012-abd.apps.googleusercontent.com", "sub", "1"), nil},
	{"Google one Workspace organisation", Trust{BuiltIn: Google, Audiences: []string{googleID}, Claims: []Claim{claim("google/organization_number", "1234")}},
		tok(Google, "azp", googleID, "aud", googleID, "sub", "1", "google", map[string]any{"organization_number": "1234"}),
		tok(Google, "azp", googleID, "aud", googleID, "sub", "1", "google", map[string]any{"organization_number": "1235"}), nil},
	{"Cognito signed-in identities", cognito(poolID, claim("amr", "authenticated")),
		cognitoTok(poolID, "authenticated", "graph.facebook.com", "graph.facebook.com:123"),
		cognitoTok("eu-west-1:6c2f1b2e-0000-4000-8000-1234567890ac", "authenticated"),
		[]Request{cognitoTok(poolID, "unauthenticated")}},
	{"Cognito guest role, by choice", cognito(poolID, claim("amr", "unauthenticated")),
		cognitoTok(poolID, "unauthenticated"), cognitoTok("eu-west-1:6c2f1b2e-0000-4000-8000-1234567890ac", "unauthenticated"), nil},
	{"Facebook one app", Trust{BuiltIn: Facebook, Audiences: []string{fbApp}},
		tok(Facebook, "app_id", fbApp, "id", "1"), tok(Facebook, "app_id", "1234567891", "id", "1"), nil},
	{"Login with Amazon one client", Trust{BuiltIn: Amazon, Audiences: []string{lwaClient}},
		tok(Amazon, "app_id", lwaClient, "user_id", "1"), tok(Amazon, "app_id", lwaClient+"0", "user_id", "1"), nil},

	// Per-tenant issuers.
	{"EKS one service account", on(eksARN, ghAud, "system:serviceaccount:payments:api"),
		tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:payments:api"), tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:billing:api"), nil},
	{"EKS one namespace", on(eksARN, ghAud, "system:serviceaccount:payments:*"),
		tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:payments:worker"), tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:payments-evil:worker"), nil},
	{"EKS every workload, by choice", anyOn(eksARN, ghAud),
		tok(eksARN, "aud", ghAud, "sub", "system:serviceaccount:kube-system:default"), tok(eksOtherARN, "aud", ghAud, "sub", "system:serviceaccount:kube-system:default"), nil},
	{"CircleCI one project", Trust{ProviderARN: circleARN, Audiences: []string{"2f2f0c6e-1111-2222-3333-444455556666"}, Claims: []Claim{claim("oidc.circleci.com/project-id", "9a9a")}},
		tok(circleARN, "aud", "2f2f0c6e-1111-2222-3333-444455556666", "sub", "org/2f2f/project/9a9a/user/u", "oidc.circleci.com/project-id", "9a9a"),
		tok(circleARN, "aud", "2f2f0c6e-1111-2222-3333-444455556666", "sub", "org/2f2f/project/9a9b/user/u", "oidc.circleci.com/project-id", "9a9b"),
		[]Request{tok(providerFor("oidc.circleci.com/org/evil"), "aud", "2f2f0c6e-1111-2222-3333-444455556666", "oidc.circleci.com/project-id", "9a9a")}},
	{"Bitbucket one repository", on(bitbucketARN, "ari:cloud:bitbucket::workspace/acme-uuid", "{repo-1}:*"),
		tok(bitbucketARN, "aud", "ari:cloud:bitbucket::workspace/acme-uuid", "sub", "{repo-1}:{step-9}"),
		tok(bitbucketARN, "aud", "ari:cloud:bitbucket::workspace/acme-uuid", "sub", "{repo-2}:{step-9}"), nil},
	{"Okta one app", on(oktaARN, "0oa1", "00u1"),
		tok(oktaARN, "aud", "0oa1", "sub", "00u1"), tok(oktaARN, "aud", "0oa2", "sub", "00u1"), nil},
	{"self-managed cluster, one service account", on(keycloak, "k8s", "system:serviceaccount:payments:api"),
		tok(keycloak, "aud", "k8s", "sub", "system:serviceaccount:payments:api"), tok(keycloak, "aud", "k8s", "sub", "system:serviceaccount:billing:api"), nil},
}

// TestCorpus_legitimateConfigurationsAreAcceptedAndTellStrangersApart:
// each trust block people write on purpose passes Validate without a
// finding, lets the intended identity in, and keeps the nearest stranger
// (and any further one listed) out.
func TestCorpus_legitimateConfigurationsAreAcceptedAndTellStrangersApart(t *testing.T) {
	accepted := 0
	for _, c := range legitCorpus {
		spec := Spec{Statements: []Trust{c.trust}}
		if fs := Validate(spec, ValidateOptions{}); len(fs) > 0 {
			t.Errorf("%s: findings %v", c.name, fs)
			continue
		}
		doc, err := Build(spec)
		if err != nil {
			t.Errorf("%s: Build: %v", c.name, err)
			continue
		}
		if d := Evaluate(doc, c.intended); !d.Allowed {
			t.Errorf("%s: the intended identity is denied: %s", c.name, d.Summary)
			continue
		}
		ok := true
		for _, s := range append([]Request{c.stranger}, c.more...) {
			if d := Evaluate(doc, s); d.Allowed {
				t.Errorf("%s: a stranger (%s, %v) is allowed: %s", c.name, s.Provider, s.Claims, d.Summary)
				ok = false
			}
		}
		if ok {
			accepted++
		}
	}
	t.Logf("legitimate configurations accepted / tried: %d / %d", accepted, len(legitCorpus))
	if len(legitCorpus) < 30 {
		t.Errorf("the corpus has %d legitimate configurations; keep at least 30", len(legitCorpus))
	}
}

// TestCorpus_messagesNameTheFix: every refusal in the corpus says what to
// write instead.
func TestCorpus_messagesNameTheFix(t *testing.T) {
	fixes := []string{"set ", "name the ", "add ", "remove ", "write ", "use "}
	for _, c := range strangerCorpus {
		for _, f := range Validate(Spec{Statements: []Trust{c.trust}}, ValidateOptions{}) {
			if f.Rule != c.rule {
				continue
			}
			has := false
			for _, fix := range fixes {
				has = has || strings.Contains(strings.ToLower(f.Message), fix)
			}
			if !has {
				t.Errorf("%s: %s message names no fix: %s", c.name, f.Rule, f.Message)
			}
		}
	}
}
