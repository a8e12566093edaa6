variable "workspace" {
  description = "The workspace slug, as in bitbucket.org/<workspace>/<repository>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_-]+$", var.workspace))
    error_message = "workspace must be a workspace slug."
  }
}

# The UUIDs are shown in Repository settings > OpenID Connect, with their braces.
variable "workspace_uuid" {
  description = "The workspace's UUID, {…}: the audience is ari:cloud:bitbucket::workspace/<uuid>."
  type        = string

  validation {
    condition     = can(regex("^\\{[0-9a-f-]{36}\\}$", var.workspace_uuid))
    error_message = "workspace_uuid must be a UUID in braces, as Bitbucket shows it."
  }
}

variable "repository_uuid" {
  description = "The repository's UUID, {…}."
  type        = string

  validation {
    condition     = can(regex("^\\{[0-9a-f-]{36}\\}$", var.repository_uuid))
    error_message = "repository_uuid must be a UUID in braces, as Bitbucket shows it."
  }
}

variable "environment_uuid" {
  description = "The deployment environment's UUID, {…}; null to trust every step of the repository."
  type        = string
  default     = null

  validation {
    condition     = var.environment_uuid == null || can(regex("^\\{[0-9a-f-]{36}\\}$", var.environment_uuid))
    error_message = "environment_uuid must be a UUID in braces, as Bitbucket shows it."
  }
}

variable "role_name" {
  description = "Name of the role the pipeline assumes."
  type        = string
  default     = "bitbucket-deploy"
}

variable "managed_policy_arns" {
  description = "Managed policies the deployment needs."
  type        = set(string)
  default     = []
}
