variable "ghe_tenant" {
  description = "For GitHub Enterprise Cloud with data residency (GHE.com), the enterprise's subdomain: tokens then come from https://token.actions.<ghe_tenant>.ghe.com. Leave null for github.com."
  type        = string
  default     = null
}

variable "owner" {
  description = "The organisation (or user) that owns the repository, as in github.com/<owner>/<repository>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]*$", var.owner))
    error_message = "owner must be a GitHub organisation or user name, without wildcards."
  }
}

variable "owner_id" {
  description = "Numeric ID of the owner (the repository_owner_id claim): gh api orgs/<owner> --jq .id"
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.owner_id))
    error_message = "owner_id must be the owner's numeric ID."
  }
}

variable "repository" {
  description = "The repository name, without the owner."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.repository))
    error_message = "repository must be a repository name, without the owner and without wildcards."
  }
}

variable "repository_id" {
  description = "Numeric ID of the repository (the repository_id claim): gh api repos/<owner>/<repository> --jq .id"
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.repository_id))
    error_message = "repository_id must be the repository's numeric ID."
  }
}

variable "branch" {
  description = "The branch workflows must run on (the ref claim is refs/heads/<branch>)."
  type        = string
  default     = "main"
}

variable "environment" {
  description = "The GitHub environment the deploying job names (environment: in the workflow). Protect it with required reviewers and deployment branches. Null to trust the branch alone."
  type        = string
  default     = "production"
}

variable "role_name" {
  description = "Name of the role the workflow assumes."
  type        = string
  default     = "github-actions-deploy"
}

variable "managed_policy_arns" {
  description = "Managed policies the deployment needs."
  type        = set(string)
  default     = []
}
