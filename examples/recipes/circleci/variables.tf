variable "organization_id" {
  description = "The organization ID (Organization Settings > Overview), a UUID."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f-]{36}$", var.organization_id))
    error_message = "organization_id must be the organization's UUID."
  }
}

variable "project_id" {
  description = "The project ID (Project Settings > Overview), a UUID."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f-]{36}$", var.project_id))
    error_message = "project_id must be the project's UUID."
  }
}

variable "role_name" {
  description = "Name of the role the job assumes."
  type        = string
  default     = "circleci-deploy"
}

variable "managed_policy_arns" {
  description = "Managed policies the deployment needs."
  type        = set(string)
  default     = []
}
