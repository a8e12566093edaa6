variable "project_path" {
  description = "Full path of the project, group and subgroups included: my-group/my-project."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)+$", var.project_path))
    error_message = "project_path must be <group>/<project> (subgroups allowed), without wildcards."
  }
}

variable "project_id" {
  description = "Numeric ID of the project (Settings > General, or the project_id claim)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.project_id))
    error_message = "project_id must be the project's numeric ID."
  }
}

variable "namespace_id" {
  description = "Numeric ID of the group the project is in (the namespace_id claim)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.namespace_id))
    error_message = "namespace_id must be the group's numeric ID."
  }
}

variable "branch" {
  description = "The protected branch pipelines must run on."
  type        = string
  default     = "main"
}

variable "audience" {
  description = "The aud the job requests in id_tokens (and the IAM provider's client ID)."
  type        = string
  default     = "https://gitlab.com"
}

variable "role_name" {
  description = "Name of the role the pipeline assumes."
  type        = string
  default     = "gitlab-deploy"
}

variable "managed_policy_arns" {
  description = "Managed policies the deployment needs."
  type        = set(string)
  default     = []
}
