package recipes

// The identities below are invented; their shapes follow what each IdP documents for its
// ID tokens. Role names are unique across recipes so that all of them can be applied to
// one account at once.

const (
	githubIssuer = "https://token.actions.githubusercontent.com"
	gheIssuer    = "https://token.actions.octocorp.ghe.com"
)

// githubClaims are the claims GitHub Actions puts in a job's token for the deploy job
// of repo in environment on branch.
func githubClaims(iss, owner, ownerID, repo, repoID, env, branch, sub string) map[string]any {
	return map[string]any{
		"iss":                   iss,
		"aud":                   "sts.amazonaws.com",
		"sub":                   sub,
		"jti":                   "5b7c1c4e-8a47-4c0e-9d5e-0f2b1a3c4d5e",
		"ref":                   "refs/heads/" + branch,
		"ref_type":              "branch",
		"ref_protected":         "true",
		"sha":                   "d6c2a4f1e9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4",
		"repository":            owner + "/" + repo,
		"repository_id":         repoID,
		"repository_owner":      owner,
		"repository_owner_id":   ownerID,
		"repository_visibility": "private",
		"run_id":                "9876543210",
		"run_number":            "42",
		"run_attempt":           "1",
		"actor":                 "octocat",
		"actor_id":              "583231",
		"workflow":              "deploy",
		"workflow_ref":          owner + "/" + repo + "/.github/workflows/deploy.yml@refs/heads/" + branch,
		"job_workflow_ref":      owner + "/" + repo + "/.github/workflows/deploy.yml@refs/heads/" + branch,
		"event_name":            "push",
		"environment":           env,
		"runner_environment":    "github-hosted",
	}
}

var githubMain = githubClaims(githubIssuer, "octo-org", "5550001", "deploy-app", "7770001", "production", "main",
	"repo:octo-org/deploy-app:environment:production")

var gheMain = githubClaims(gheIssuer, "platform", "310001", "billing", "420001", "production", "main",
	"repo:platform/billing:environment:production")

func gitlabClaims(iss, aud, projectPath, projectID, namespaceID, branch, protected string) map[string]any {
	group := projectPath[:len(projectPath)-len(lastSegment(projectPath))-1]
	return map[string]any{
		"iss":                   iss,
		"aud":                   aud,
		"sub":                   "project_path:" + projectPath + ":ref_type:branch:ref:" + branch,
		"jti":                   "1f6d7a2e-0b3c-4d5e-8f9a-b0c1d2e3f4a5",
		"namespace_id":          namespaceID,
		"namespace_path":        group,
		"project_id":            projectID,
		"project_path":          projectPath,
		"user_id":               "1029384",
		"user_login":            "release-bot",
		"user_email":            "release-bot@example.com",
		"user_access_level":     "maintainer",
		"pipeline_id":           "1234567890",
		"pipeline_source":       "push",
		"job_id":                "9876543210",
		"ref":                   branch,
		"ref_type":              "branch",
		"ref_path":              "refs/heads/" + branch,
		"ref_protected":         protected,
		"runner_id":             12270857,
		"runner_environment":    "gitlab-hosted",
		"sha":                   "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		"project_visibility":    "private",
		"ci_config_ref_uri":     "gitlab.com/" + projectPath + "//.gitlab-ci.yml@refs/heads/" + branch,
		"ci_config_sha":         "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		"environment":           "production",
		"environment_protected": "true",
		"deployment_tier":       "production",
	}
}

func lastSegment(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

var gitlabMain = gitlabClaims("https://gitlab.com", "https://gitlab.com", "acme/payments-api", "4510001", "880001", "main", "true")

var gitlabSelfMain = gitlabClaims("https://gitlab.example.com", "sts.amazonaws.com", "platform/infra", "27", "6", "main", "true")

const eksIssuer = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

func eksClaims(namespace, serviceAccount string) map[string]any {
	return map[string]any{
		"iss": eksIssuer,
		"aud": "sts.amazonaws.com",
		"sub": "system:serviceaccount:" + namespace + ":" + serviceAccount,
		"kubernetes.io": map[string]any{
			"namespace": namespace,
			"pod": map[string]any{
				"name": serviceAccount + "-7d9f8b6c5-x2x4z",
				"uid":  "0b6f3c2e-4a1d-4e8b-9c7f-5d2e1a0b3c4d",
			},
			"serviceaccount": map[string]any{
				"name": serviceAccount,
				"uid":  "8e2d1c0b-3a4f-4e5d-b6c7-9a8b7c6d5e4f",
			},
		},
	}
}

const hcpIssuer = "https://app.terraform.io"

func hcpClaims(org, project, workspace, phase string) map[string]any {
	full := "organization:" + org + ":project:" + project + ":workspace:" + workspace
	return map[string]any{
		"iss":                         hcpIssuer,
		"aud":                         "aws.workload.identity",
		"sub":                         full + ":run_phase:" + phase,
		"jti":                         "7c1e5a9b-2d3f-4a6b-8c0d-e1f2a3b4c5d6",
		"terraform_organization_id":   "org-GRNbCjYNpBB6NEH9",
		"terraform_organization_name": org,
		"terraform_project_id":        "prj-vegSA59s1XPwMr2t",
		"terraform_project_name":      project,
		"terraform_workspace_id":      "ws-mbsd5E3Ktt5Rg2Xm",
		"terraform_workspace_name":    workspace,
		"terraform_full_workspace":    full,
		"terraform_run_id":            "run-FgVUkxdDEbMkR5JD",
		"terraform_run_phase":         phase,
	}
}

// tags is the https://aws.amazon.com/tags claim: principal tags, and the keys marked
// transitive.
func tags(principal map[string]any, transitive ...string) map[string]any {
	t := map[string]any{"principal_tags": principal}
	if len(transitive) > 0 {
		list := make([]any, len(transitive))
		for i, k := range transitive {
			list[i] = k
		}
		t["transitive_tag_keys"] = list
	}
	return t
}

const tagsClaim = "https://aws.amazon.com/tags"

const (
	oktaIssuer   = "https://acme.okta.com/oauth2/default"
	oktaClientID = "0oa8f2k3l4m5n6o7p8q9"
)

var oktaEngineer = map[string]any{
	"iss":                oktaIssuer,
	"aud":                oktaClientID,
	"sub":                "00u1a2b3c4d5e6f7g8h9",
	"ver":                1,
	"jti":                "ID.x4fPq2kLm9NnB7vCz1Ws",
	"amr":                []any{"pwd", "mfa", "otp"},
	"idp":                "00o1a2b3c4d5e6f7g8h9",
	"auth_time":          1767225600,
	"name":               "Ada Lovelace",
	"email":              "ada@acme.example",
	"preferred_username": "ada@acme.example",
	"groups":             []any{"Everyone", "engineering-payments"},
	tagsClaim:            tags(map[string]any{"department": []any{"engineering"}, "team": []any{"payments"}}, "department"),
}

const (
	auth0Issuer   = "https://acme.us.auth0.com/"
	auth0ClientID = "kP3xQ9mR2tV7wY1zA4bC6dE8fG0hJ2kL"
)

var auth0Engineer = map[string]any{
	"iss":            auth0Issuer,
	"aud":            auth0ClientID,
	"sub":            "auth0|64f1a2b3c4d5e6f7a8b9c0d1",
	"amr":            []any{"mfa"},
	"sid":            "Xp2Lr8Tq4Vw6Yz0Ab1Cd3Ef5Gh7Ij9Kl",
	"nickname":       "grace",
	"name":           "Grace Hopper",
	"email":          "grace@acme.example",
	"email_verified": true,
	tagsClaim:        tags(map[string]any{"department": []any{"engineering"}, "team": []any{"compilers"}}, "department"),
}

const (
	keycloakIssuer   = "https://sso.example.com/realms/engineering"
	keycloakClientID = "aws-federation"
)

var keycloakPlatform = map[string]any{
	"iss":                keycloakIssuer,
	"aud":                keycloakClientID,
	"azp":                keycloakClientID,
	"sub":                "5f2b8c1e-3d4a-4b6c-9e8f-0a1b2c3d4e5f",
	"typ":                "ID",
	"sid":                "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f",
	"acr":                "1",
	"email_verified":     true,
	"preferred_username": "linus",
	"email":              "linus@example.com",
	"groups":             []any{"/platform"},
	tagsClaim:            tags(map[string]any{"team": []any{"platform"}, "cost-center": []any{"cc-4410"}}),
}

const (
	entraTenant   = "3f1c2a9e-7b4d-4e8a-9c61-2d5f8e0b7a13"
	entraIssuer   = "https://login.microsoftonline.com/" + entraTenant + "/v2.0"
	entraClientID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
)

var entraAnalyst = map[string]any{
	"iss":                entraIssuer,
	"aud":                entraClientID,
	"sub":                "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
	"tid":                entraTenant,
	"oid":                "00000000-0000-0000-66f3-3332eca7ea81",
	"ver":                "2.0",
	"name":               "Katherine Johnson",
	"preferred_username": "katherine@acme.example",
	"rh":                 "0.AXEAnBqD4c1zE0iKmE5xXXXXX.",
	"uti":                "J1dT3b9Hk0yQv2R1m4NpAA",
	"groups":             []any{"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"},
	tagsClaim:            tags(map[string]any{"department": []any{"finance"}}, "department"),
}

const (
	googleIssuer = "https://accounts.google.com"
	googleSA     = "108234567890123456789"
	googleAud    = "https://aws.acme.example/google-workload"
)

func googleClaims(azp, aud, email string) map[string]any {
	return map[string]any{
		"iss":            googleIssuer,
		"aud":            aud,
		"azp":            azp,
		"sub":            azp,
		"email":          email,
		"email_verified": true,
	}
}

const (
	cognitoIssuer = "https://cognito-identity.amazonaws.com"
	cognitoPool   = "us-east-1:4f6e8a7c-1b2d-4e3f-9a5b-6c7d8e9f0a1b"
)

func cognitoClaims(pool string, amr ...any) map[string]any {
	return map[string]any{
		"iss": cognitoIssuer,
		"aud": pool,
		"sub": "us-east-1:c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
		"amr": amr,
		"https://cognito-identity.amazonaws.com/identity-pool-arn": "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/" + pool,
	}
}

const (
	bitbucketIssuer    = "https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"
	bitbucketWorkspace = "{0d3e5f7a-9b1c-4d2e-8f4a-6b8c0d2e4f6a}"
	bitbucketAudience  = "ari:cloud:bitbucket::workspace/0d3e5f7a-9b1c-4d2e-8f4a-6b8c0d2e4f6a"
	bitbucketRepo      = "{7a9c1e3b-5d7f-4a2c-9e4b-6d8f0a2c4e6b}"
	bitbucketProdEnv   = "{2b4d6f8a-0c2e-4a6b-8d0f-2a4c6e8b0d2f}"
)

func bitbucketClaims(repo, env string) map[string]any {
	const step = "{9e1a3c5b-7d9f-4b1d-8f3a-5c7e9b1d3f5a}"
	return map[string]any{
		"iss":                       bitbucketIssuer,
		"aud":                       bitbucketAudience,
		"sub":                       repo + ":" + env + ":" + step,
		"accountUuid":               "{4c6e8a0b-2d4f-4b6d-8f0a-2c4e6a8b0d2f}",
		"workspaceUuid":             bitbucketWorkspace,
		"repositoryUuid":            repo,
		"deploymentEnvironmentUuid": env,
		"pipelineUuid":              "{6e8a0c2d-4f6b-4d8f-a0c2-4e6a8c0e2a4c}",
		"stepUuid":                  step,
		"branchName":                "main",
	}
}

const (
	circleOrg     = "6f0c3b9a-2d51-4c8e-9a7b-1e4d5c6b7a80"
	circleIssuer  = "https://oidc.circleci.com/org/" + circleOrg
	circleProject = "b2c4d6e8-f0a2-4b4c-8d6e-f0a2b4c6d8e0"
)

func circleClaims(iss, org, project string) map[string]any {
	return map[string]any{
		"iss":                           iss,
		"aud":                           org,
		"sub":                           "org/" + org + "/project/" + project + "/user/c8e0a2b4-d6f8-4a0c-b2d4-e6f8a0c2e4f6",
		"oidc.circleci.com/project-id":  project,
		"oidc.circleci.com/context-ids": []any{"e0a2c4e6-f8b0-4d2f-a4c6-e8f0b2d4f6a8"},
		"oidc.circleci.com/vcs-origin":  "github.com/acme/payments",
		"oidc.circleci.com/vcs-ref":     "refs/heads/main",
		"oidc.circleci.com/ssh-rerun":   false,
	}
}

const (
	buildkiteIssuer   = "https://agent.buildkite.com"
	buildkiteOrgID    = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	buildkitePipeline = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
)

func buildkiteClaims(pipelineSlug, pipelineID, branch string) map[string]any {
	const commit = "9f3182061f1e2cca4702c368cbc039b7dc9d4485"
	return map[string]any{
		"iss":                buildkiteIssuer,
		"aud":                "sts.amazonaws.com",
		"sub":                "organization:acme:pipeline:" + pipelineSlug + ":ref:refs/heads/" + branch + ":commit:" + commit + ":step:deploy",
		"organization_slug":  "acme",
		"pipeline_slug":      pipelineSlug,
		"build_number":       1234,
		"build_branch":       branch,
		"build_commit":       commit,
		"build_source":       "webhook",
		"step_key":           "deploy",
		"job_id":             "0184990a-477b-4fa8-9968-496074483cee",
		"agent_id":           "0184990a-4782-42b5-afc1-16715b10b8ff",
		"organization_id":    buildkiteOrgID,
		"pipeline_id":        pipelineID,
		"cluster_id":         "7d2b8c4f-1e3a-4b5d-9f6e-0a1c2b3d4e5f",
		"cluster_name":       "production",
		"queue_id":           "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
		"queue_key":          "deploy",
		"runner_environment": "buildkite-hosted",
	}
}

var catalogue = []Recipe{
	{
		Name: "github-actions", Dir: "github-actions", Title: "GitHub Actions (github.com)",
		Issuer: githubIssuer, document: "github-actions.json",
		Provider: "awsoidc_provider.github", Role: "awsoidc_role.deploy",
		Vars: map[string]any{
			"owner": "octo-org", "owner_id": "5550001", "repository": "deploy-app", "repository_id": "7770001",
			"environment": "production", "branch": "main", "role_name": "recipe-github-actions",
		},
		Allowed: []Identity{
			{Name: "the production environment of octo-org/deploy-app on main", Claims: githubMain},
			{Name: "the same job of a repository with an immutable subject", Claims: with(githubMain, map[string]any{
				"sub": "repo:octo-org@5550001/deploy-app@7770001:environment:production",
			})},
		},
		Refused: []Identity{
			{Name: "another repository of the organisation", Claims: githubClaims(githubIssuer, "octo-org", "5550001", "web", "7770002", "production", "main",
				"repo:octo-org/web:environment:production")},
			{Name: "a repository re-created under the same name", Claims: with(githubMain, map[string]any{"repository_id": "7779999"})},
			{Name: "the production environment from another branch", Claims: with(githubMain, map[string]any{
				"ref": "refs/heads/feature", "workflow_ref": "octo-org/deploy-app/.github/workflows/deploy.yml@refs/heads/feature",
			})},
		},
	},
	{
		Name: "github-actions-ghe", Dir: "github-actions", Title: "GitHub Actions (GHE.com tenant)",
		Issuer: gheIssuer, document: "github-actions-ghe.json",
		Provider: "awsoidc_provider.github", Role: "awsoidc_role.deploy",
		Vars: map[string]any{
			"ghe_tenant": "octocorp",
			"owner":      "platform", "owner_id": "310001", "repository": "billing", "repository_id": "420001",
			"environment": "production", "branch": "main", "role_name": "recipe-github-actions-ghe",
		},
		Allowed: []Identity{{Name: "the production environment of platform/billing on main", Claims: gheMain}},
		Refused: []Identity{
			{Name: "another repository of the enterprise", Claims: githubClaims(gheIssuer, "platform", "310001", "ledger", "420002", "production", "main",
				"repo:platform/ledger:environment:production")},
			{Name: "the same repository name in github.com's shared issuer", Claims: with(gheMain, map[string]any{"iss": githubIssuer})},
		},
	},
	{
		Name: "gitlab", Dir: "gitlab", Title: "GitLab CI (gitlab.com)",
		Issuer: "https://gitlab.com", document: "gitlab.json",
		Provider: "awsoidc_provider.gitlab", Role: "awsoidc_role.deploy",
		Vars: map[string]any{
			"project_path": "acme/payments-api", "project_id": "4510001", "namespace_id": "880001",
			"branch": "main", "role_name": "recipe-gitlab",
		},
		Allowed: []Identity{{Name: "acme/payments-api on its protected main branch", Claims: gitlabMain}},
		Refused: []Identity{
			{Name: "another project of the group", Claims: gitlabClaims("https://gitlab.com", "https://gitlab.com", "acme/web", "4510002", "880001", "main", "true")},
			{Name: "an unprotected branch of the project", Claims: gitlabClaims("https://gitlab.com", "https://gitlab.com", "acme/payments-api", "4510001", "880001", "feature", "false")},
			{Name: "a project re-created under the same path", Claims: with(gitlabMain, map[string]any{"project_id": "4519999"})},
		},
	},
	{
		Name: "gitlab-self-managed", Dir: "gitlab-self-managed", Title: "GitLab CI (self-managed)",
		Issuer: "https://gitlab.example.com", document: "gitlab-self-managed.json",
		Provider: "awsoidc_provider.gitlab", Role: "awsoidc_role.deploy",
		Vars: map[string]any{
			"gitlab_url": "https://gitlab.example.com", "ca_bundle_file": CABundle,
			"project_path": "platform/infra", "branch": "main", "role_name": "recipe-gitlab-self-managed",
		},
		Allowed: []Identity{{Name: "platform/infra on main", Claims: gitlabSelfMain}},
		Refused: []Identity{
			{Name: "another project of the group", Claims: gitlabClaims("https://gitlab.example.com", "sts.amazonaws.com", "platform/tools", "28", "6", "main", "true")},
			{Name: "another branch of the project", Claims: gitlabClaims("https://gitlab.example.com", "sts.amazonaws.com", "platform/infra", "27", "6", "feature", "false")},
		},
	},
	{
		Name: "eks-irsa", Dir: "eks-irsa", Title: "Amazon EKS (IRSA)",
		Issuer: eksIssuer, document: "eks-irsa.json",
		Provider: "awsoidc_provider.cluster", Role: "awsoidc_role.service_account",
		Vars: map[string]any{
			"cluster_oidc_issuer": eksIssuer, "namespace": "kube-system", "service_account": "ebs-csi-controller-sa",
			"role_name": "recipe-eks-irsa",
		},
		Allowed: []Identity{{Name: "kube-system/ebs-csi-controller-sa", Claims: eksClaims("kube-system", "ebs-csi-controller-sa")}},
		Refused: []Identity{
			{Name: "another service account of the namespace", Claims: eksClaims("kube-system", "default")},
			{Name: "the same service account name in another namespace", Claims: eksClaims("payments", "ebs-csi-controller-sa")},
		},
	},
	{
		Name: "hcp-terraform", Dir: "hcp-terraform", Title: "HCP Terraform",
		Issuer: hcpIssuer, document: "hcp-terraform.json",
		Provider: "awsoidc_provider.hcp", Role: "awsoidc_role.apply",
		Vars: map[string]any{
			"organization": "acme", "project": "Default Project", "workspace": "networking",
			"role_name_prefix": "recipe-hcp-terraform",
		},
		Allowed: []Identity{
			{Name: "an apply of acme/Default Project/networking", Claims: hcpClaims("acme", "Default Project", "networking", "apply")},
			{Name: "a plan of the workspace, for the plan role", Role: "awsoidc_role.plan", Claims: hcpClaims("acme", "Default Project", "networking", "plan")},
		},
		Refused: []Identity{
			{Name: "a plan of the workspace, for the apply role", Claims: hcpClaims("acme", "Default Project", "networking", "plan")},
			{Name: "another workspace of the project", Claims: hcpClaims("acme", "Default Project", "billing", "apply")},
			{Name: "a workspace of the same name in another organization", Claims: hcpClaims("acme-evil", "Default Project", "networking", "apply")},
		},
	},
	{
		Name: "okta", Dir: "okta", Title: "Okta",
		Issuer: oktaIssuer, document: "okta.json",
		Provider: "awsoidc_provider.okta", Role: "awsoidc_role.department",
		Vars: map[string]any{
			"issuer": oktaIssuer, "client_id": oktaClientID, "department": "engineering",
			"bucket": "acme-team-data", "role_name": "recipe-okta",
		},
		Allowed: []Identity{{Name: "an engineer who signed in with MFA", Claims: oktaEngineer}},
		Refused: []Identity{
			{Name: "a member of another department", Claims: with(oktaEngineer, map[string]any{
				tagsClaim: tags(map[string]any{"department": []any{"sales"}, "team": []any{"emea"}}, "department"),
			})},
			{Name: "an engineer who signed in without MFA", Claims: with(oktaEngineer, map[string]any{"amr": []any{"pwd"}})},
			{Name: "an engineer whose token carries a tag key not allowed", Claims: with(oktaEngineer, map[string]any{
				tagsClaim: tags(map[string]any{"department": []any{"engineering"}, "admin": []any{"true"}}, "department"),
			})},
			{Name: "an engineer signed in to another app", Claims: with(oktaEngineer, map[string]any{"aud": "0oa0other0app0client0"})},
		},
	},
	{
		Name: "auth0", Dir: "auth0", Title: "Auth0",
		Issuer: auth0Issuer, document: "auth0.json",
		Provider: "awsoidc_provider.auth0", Role: "awsoidc_role.department",
		Vars: map[string]any{
			"domain": "acme.us.auth0.com", "client_id": auth0ClientID, "department": "engineering", "role_name": "recipe-auth0",
		},
		Allowed: []Identity{{Name: "an engineer who signed in with MFA", Claims: auth0Engineer}},
		Refused: []Identity{
			{Name: "a member of another department", Claims: with(auth0Engineer, map[string]any{
				tagsClaim: tags(map[string]any{"department": []any{"marketing"}}, "department"),
			})},
			{Name: "an engineer who signed in without MFA", Claims: with(auth0Engineer, map[string]any{"amr": nil})},
			{Name: "the tenant's issuer without its trailing slash", Claims: with(auth0Engineer, map[string]any{"iss": "https://acme.us.auth0.com"})},
		},
	},
	{
		Name: "keycloak", Dir: "keycloak", Title: "Keycloak",
		Issuer: keycloakIssuer, document: "keycloak.json",
		Provider: "awsoidc_provider.realm", Role: "awsoidc_role.team",
		Vars: map[string]any{
			"keycloak_url": "https://sso.example.com", "realm": "engineering", "ca_bundle_file": CABundle,
			"client_id": keycloakClientID, "team": "platform", "role_name": "recipe-keycloak",
		},
		Allowed: []Identity{{Name: "a member of the platform team", Claims: keycloakPlatform}},
		Refused: []Identity{
			{Name: "a member of another team", Claims: with(keycloakPlatform, map[string]any{
				tagsClaim: tags(map[string]any{"team": []any{"data"}, "cost-center": []any{"cc-4420"}}),
			})},
			{Name: "a platform member of another realm", Claims: with(keycloakPlatform, map[string]any{"iss": "https://sso.example.com/realms/partners"})},
		},
	},
	{
		Name: "entra-id", Dir: "entra-id", Title: "Microsoft Entra ID",
		Issuer: entraIssuer, document: "entra-id.json",
		Provider: "awsoidc_provider.entra", Role: "awsoidc_role.department",
		Vars: map[string]any{
			"tenant_id": entraTenant, "client_id": entraClientID, "department": "finance", "role_name": "recipe-entra-id",
		},
		Allowed: []Identity{{Name: "a member of the finance department", Claims: entraAnalyst}},
		Refused: []Identity{
			{Name: "a member of another department", Claims: with(entraAnalyst, map[string]any{
				tagsClaim: tags(map[string]any{"department": []any{"legal"}}, "department"),
			})},
			{Name: "a finance member signed in to another application", Claims: with(entraAnalyst, map[string]any{"aud": "11111111-2222-4333-8444-555555555555"})},
		},
	},
	{
		Name: "google", Dir: "google", Title: "Google (built in)",
		Issuer: googleIssuer, BuiltIn: "accounts.google.com", document: "google.json",
		Role: "awsoidc_role.workload",
		Vars: map[string]any{
			"client_id": googleSA, "audience": googleAud, "subjects": []any{googleSA}, "role_name": "recipe-google",
		},
		Allowed: []Identity{{Name: "the workload's service account", Claims: googleClaims(googleSA, googleAud, "deployer@acme-prod.iam.gserviceaccount.com")}},
		Refused: []Identity{
			{Name: "another service account asking for the same audience", Claims: googleClaims("108999999999999999999", googleAud, "intruder@elsewhere.iam.gserviceaccount.com")},
			{Name: "the workload's service account asking for another audience", Claims: googleClaims(googleSA, "https://other.example", "deployer@acme-prod.iam.gserviceaccount.com")},
		},
	},
	{
		Name: "cognito", Dir: "cognito", Title: "Amazon Cognito identity pools (built in)",
		Issuer: cognitoIssuer, BuiltIn: "cognito-identity.amazonaws.com", document: "cognito.json",
		Role: "awsoidc_role.authenticated",
		Vars: map[string]any{"identity_pool_id": cognitoPool, "role_name": "recipe-cognito"},
		Allowed: []Identity{{Name: "a signed-in user of the pool", Claims: cognitoClaims(cognitoPool,
			"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
			"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI:CognitoSignIn:7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a")}},
		Refused: []Identity{
			{Name: "a guest of the pool", Claims: cognitoClaims(cognitoPool, "unauthenticated")},
			{Name: "a signed-in user of another pool", Claims: cognitoClaims("us-east-1:99999999-8888-4777-a666-555555555555",
				"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_ZzYyXxWwV")},
		},
	},
	{
		Name: "bitbucket", Dir: "bitbucket", Title: "Bitbucket Pipelines",
		Issuer: bitbucketIssuer, document: "bitbucket.json",
		Provider: "awsoidc_provider.bitbucket", Role: "awsoidc_role.deploy",
		Vars: map[string]any{
			"workspace": "acme", "workspace_uuid": bitbucketWorkspace, "repository_uuid": bitbucketRepo,
			"environment_uuid": bitbucketProdEnv, "role_name": "recipe-bitbucket",
		},
		Allowed: []Identity{{Name: "a production deployment of the repository", Claims: bitbucketClaims(bitbucketRepo, bitbucketProdEnv)}},
		Refused: []Identity{
			{Name: "a production deployment of another repository", Claims: bitbucketClaims("{1c3e5a7b-9d1f-4a3c-8e5b-7d9f1a3c5e7b}", bitbucketProdEnv)},
			{Name: "a staging deployment of the repository", Claims: bitbucketClaims(bitbucketRepo, "{8f0b2d4e-6a8c-4e0a-b2d4-6f8a0c2e4b6d}")},
		},
	},
	{
		Name: "circleci", Dir: "circleci", Title: "CircleCI",
		Issuer: circleIssuer, document: "circleci.json",
		Provider: "awsoidc_provider.circleci", Role: "awsoidc_role.deploy",
		Vars:    map[string]any{"organization_id": circleOrg, "project_id": circleProject, "role_name": "recipe-circleci"},
		Allowed: []Identity{{Name: "a job of the project", Claims: circleClaims(circleIssuer, circleOrg, circleProject)}},
		Refused: []Identity{
			{Name: "a job of another project of the organization", Claims: circleClaims(circleIssuer, circleOrg, "d4e6f8a0-b2c4-4d6e-8f0a-b2c4d6e8f0a2")},
			{Name: "a job of a project with the same ID in another organization", Claims: circleClaims(
				"https://oidc.circleci.com/org/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", circleProject)},
		},
	},
	{
		Name: "buildkite", Dir: "buildkite", Title: "Buildkite",
		Issuer: buildkiteIssuer, document: "buildkite.json",
		Provider: "awsoidc_provider.buildkite", Role: "awsoidc_role.deploy",
		Vars: map[string]any{
			"organization_slug": "acme", "organization_id": buildkiteOrgID, "pipeline_slug": "deploy",
			"pipeline_id": buildkitePipeline, "branch": "main", "role_name": "recipe-buildkite",
		},
		Allowed: []Identity{{Name: "a build of acme/deploy on main", Claims: buildkiteClaims("deploy", buildkitePipeline, "main")}},
		Refused: []Identity{
			{Name: "another pipeline of the organization", Claims: buildkiteClaims("deploy-staging", "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0", "main")},
			{Name: "a build of another branch", Claims: buildkiteClaims("deploy", buildkitePipeline, "feature")},
		},
	},
}
