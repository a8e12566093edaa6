variable "organization_slug" {
  description = "The organization slug, as in buildkite.com/<organization>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.organization_slug))
    error_message = "organization_slug must be an organization slug, without wildcards."
  }
}

variable "organization_id" {
  description = "The organization's UUID (GraphQL organization.uuid, or the organization_id claim)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f-]{36}$", var.organization_id))
    error_message = "organization_id must be a UUID."
  }
}

variable "pipeline_slug" {
  description = "The pipeline slug, as in buildkite.com/<organization>/<pipeline>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]+$", var.pipeline_slug))
    error_message = "pipeline_slug must be a pipeline slug, without wildcards."
  }
}

variable "pipeline_id" {
  description = "The pipeline's UUID (Pipeline Settings, or the pipeline_id claim)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f-]{36}$", var.pipeline_id))
    error_message = "pipeline_id must be a UUID."
  }
}

variable "branch" {
  description = "The branch builds must run on."
  type        = string
  default     = "main"
}

variable "audience" {
  description = "The audience the step requests: buildkite-agent oidc request-token --audience <audience>."
  type        = string
  default     = "sts.amazonaws.com"
}

variable "role_name" {
  description = "Name of the role the step assumes."
  type        = string
  default     = "buildkite-deploy"
}

variable "managed_policy_arns" {
  description = "Managed policies the deployment needs."
  type        = set(string)
  default     = []
}
