# Plans only, against an account that has the GitHub provider already: role names,
# paths, policies and the trust policy are all known at plan, so they are asserted
# without creating anything. The refused configurations fail before anything is planned.

variables {
  create_provider = false
  provider_arn    = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  repositories = {
    web = {
      owner         = "octo-org"
      owner_id      = "5550001"
      name          = "web"
      repository_id = "7770002"
      branches      = ["main"]
    }
    api = {
      owner               = "octo-org"
      owner_id            = "5550001"
      name                = "api"
      repository_id       = "7770003"
      environments        = ["production"]
      pull_requests       = true
      managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    }
  }
}

run "one_role_per_repository" {
  command = plan

  assert {
    condition     = length(awsoidc_provider.github) == 0
    error_message = "With create_provider = false, no provider may be created."
  }
  assert {
    condition     = awsoidc_role.repository["web"].name == "github-web" && awsoidc_role.repository["api"].name == "github-api"
    error_message = "Roles are named <role_name_prefix><key>."
  }
  assert {
    condition     = alltrue([for r in awsoidc_role.repository : r.path == "/ci/"])
    error_message = "Roles go under role_path."
  }
  assert {
    condition     = awsoidc_role.repository["api"].managed_policy_arns == toset(["arn:aws:iam::aws:policy/ReadOnlyAccess"]) && length(awsoidc_role.repository["web"].managed_policy_arns) == 0
    error_message = "Each role gets its own repository's policies, and only those."
  }
}

run "trust_policy_pins_the_repository" {
  command = plan

  assert {
    condition     = jsondecode(awsoidc_role.repository["web"].assume_role_policy).Statement[0].Principal.Federated == var.provider_arn
    error_message = "The role must trust the provider given."
  }
  assert {
    condition = toset(flatten([jsondecode(awsoidc_role.repository["web"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]])) == toset([
      "repo:octo-org/web:ref:refs/heads/main",
      "repo:octo-org@5550001/web@7770002:ref:refs/heads/main",
    ])
    error_message = "web must trust its main branch, in both subject forms, and nothing else."
  }
  assert {
    condition = toset(flatten([jsondecode(awsoidc_role.repository["api"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]])) == toset([
      "repo:octo-org/api:environment:production",
      "repo:octo-org@5550001/api@7770003:environment:production",
      "repo:octo-org/api:pull_request",
      "repo:octo-org@5550001/api@7770003:pull_request",
    ])
    error_message = "api must trust its production environment and its pull requests."
  }
  assert {
    condition = (
      jsondecode(awsoidc_role.repository["web"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:repository_id"] == "7770002" &&
      jsondecode(awsoidc_role.repository["web"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:repository_owner_id"] == "5550001"
    )
    error_message = "The repository and owner IDs must be pinned."
  }
}

run "ghe_tenant_uses_its_own_issuer" {
  command = plan

  variables {
    ghe_tenant      = "octocorp"
    create_provider = true
    provider_arn    = null
  }

  assert {
    condition     = awsoidc_provider.github[0].url == "https://token.actions.octocorp.ghe.com"
    error_message = "A GHE.com tenant has its own issuer."
  }
}

run "wildcard_owner_is_refused" {
  command = plan

  variables {
    repositories = {
      any = { owner = "*", owner_id = "1", name = "web", repository_id = "2", branches = ["main"] }
    }
  }

  expect_failures = [var.repositories]
}

run "wildcard_branch_is_refused" {
  command = plan

  variables {
    repositories = {
      web = { owner = "octo-org", owner_id = "5550001", name = "web", repository_id = "7770002", branches = ["release/*"] }
    }
  }

  expect_failures = [var.repositories]
}

run "repository_without_trigger_is_refused" {
  command = plan

  variables {
    repositories = {
      web = { owner = "octo-org", owner_id = "5550001", name = "web", repository_id = "7770002" }
    }
  }

  expect_failures = [var.repositories]
}

run "missing_provider_arn_is_refused" {
  command = plan

  variables {
    provider_arn = null
  }

  expect_failures = [var.provider_arn]
}
