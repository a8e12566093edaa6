# CI roles for many GitHub repositories from one map: each repository gets its own role,
# trusting only its own branches, environments and (when asked) pull requests, pinned by
# the repository's and owner's IDs as well as their names.

locals {
  issuer = var.ghe_tenant == null ? "https://token.actions.githubusercontent.com" : "https://token.actions.${var.ghe_tenant}.ghe.com"

  # Every subject in both forms GitHub issues: by name, and the immutable form with IDs.
  subjects = {
    for key, repo in var.repositories : key => flatten([
      for context in concat(
        [for b in repo.branches : "ref:refs/heads/${b}"],
        [for e in repo.environments : "environment:${e}"],
        repo.pull_requests ? ["pull_request"] : [],
        ) : [
        "repo:${repo.owner}/${repo.name}:${context}",
        "repo:${repo.owner}@${repo.owner_id}/${repo.name}@${repo.repository_id}:${context}",
      ]
    ])
  }
}

resource "awsoidc_provider" "github" {
  count = var.create_provider ? 1 : 0

  url        = local.issuer
  client_ids = ["sts.amazonaws.com"]
  tags       = var.tags
}

locals {
  provider_arn = var.create_provider ? awsoidc_provider.github[0].arn : var.provider_arn
}

resource "awsoidc_role" "repository" {
  for_each = var.repositories

  name                 = "${var.role_name_prefix}${each.key}"
  path                 = var.role_path
  description          = "GitHub Actions: ${each.value.owner}/${each.value.name}"
  max_session_duration = each.value.max_session_duration

  trust {
    provider_arn = local.provider_arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = local.subjects[each.key]
    claims = {
      repository_id       = [each.value.repository_id]
      repository_owner_id = [each.value.owner_id]
    }
  }

  managed_policy_arns = each.value.managed_policy_arns
  inline_policies     = each.value.inline_policies
  tags                = merge(var.tags, { repository = "${each.value.owner}/${each.value.name}" })
}
