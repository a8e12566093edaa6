variable "repositories" {
  description = <<-EOT
    One role per entry, named <role_name_prefix><key>. For each repository: owner and name,
    their numeric IDs (gh api repos/<owner>/<name> --jq '.owner.id, .id'), and who may assume
    the role: workflows on branches, jobs in environments, and pull requests (off by default:
    any contributor can open one). At least one of them.
  EOT
  type = map(object({
    owner                = string
    owner_id             = string
    name                 = string
    repository_id        = string
    branches             = optional(set(string), [])
    environments         = optional(set(string), [])
    pull_requests        = optional(bool, false)
    managed_policy_arns  = optional(set(string), [])
    inline_policies      = optional(map(string), {})
    max_session_duration = optional(number, 3600)
  }))

  validation {
    condition = alltrue([
      for repo in var.repositories : alltrue([
        for v in concat([repo.owner, repo.name], tolist(repo.branches), tolist(repo.environments)) : !can(regex("[*?]", v))
      ])
    ])
    error_message = "Owners, names, branches and environments must be literal: a wildcard would let other repositories or branches assume the role."
  }

  validation {
    condition = alltrue([
      for repo in var.repositories : can(regex("^[0-9]+$", repo.owner_id)) && can(regex("^[0-9]+$", repo.repository_id))
    ])
    error_message = "owner_id and repository_id must be the numeric IDs GitHub puts in repository_owner_id and repository_id."
  }

  validation {
    condition = alltrue([
      for repo in var.repositories : length(repo.branches) + length(repo.environments) > 0 || repo.pull_requests
    ])
    error_message = "Each repository needs at least one branch, environment, or pull_requests = true; otherwise no workflow could assume its role."
  }
}

variable "ghe_tenant" {
  description = "For GHE.com, the enterprise's subdomain (issuer https://token.actions.<ghe_tenant>.ghe.com); null for github.com."
  type        = string
  default     = null
}

variable "create_provider" {
  description = "Create the IAM OIDC provider for the issuer. Set false, and provider_arn, when the account has it already."
  type        = bool
  default     = true
}

variable "provider_arn" {
  description = "ARN of the existing IAM OIDC provider, when create_provider is false."
  type        = string
  default     = null

  validation {
    condition     = var.provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/", var.provider_arn))
    error_message = "provider_arn must be an IAM OIDC provider ARN."
  }

  validation {
    condition     = var.create_provider || var.provider_arn != null
    error_message = "Set provider_arn to the existing provider's ARN when create_provider is false."
  }
}

variable "role_name_prefix" {
  description = "Prefix of every role name."
  type        = string
  default     = "github-"
}

variable "role_path" {
  description = "IAM path of the roles."
  type        = string
  default     = "/ci/"
}

variable "tags" {
  description = "Tags for the provider and every role."
  type        = map(string)
  default     = {}
}
