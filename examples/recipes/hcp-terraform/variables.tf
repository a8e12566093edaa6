variable "hostname" {
  description = "Host name of HCP Terraform (app.terraform.io) or of a Terraform Enterprise installation."
  type        = string
  default     = "app.terraform.io"
}

variable "organization" {
  description = "The HCP Terraform organization."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.organization))
    error_message = "organization must be an organization name, without wildcards."
  }
}

variable "project" {
  description = "The project the workspace belongs to."
  type        = string
  default     = "Default Project"

  validation {
    condition     = !can(regex("[*?:]", var.project))
    error_message = "project must name one project, without wildcards or colons."
  }
}

variable "workspace" {
  description = "The workspace whose runs get the roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.workspace))
    error_message = "workspace must be a workspace name, without wildcards."
  }
}

variable "audience" {
  description = "The workspace's TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE, when set."
  type        = string
  default     = "aws.workload.identity"
}

variable "role_name_prefix" {
  description = "The roles are named <prefix>-plan and <prefix>-apply."
  type        = string
  default     = "hcp-terraform"
}

variable "plan_policy_arns" {
  description = "Managed policies for plans: reading is all a plan does."
  type        = set(string)
  default     = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

variable "apply_policy_arns" {
  description = "Managed policies for applies: what the workspace manages."
  type        = set(string)
  default     = []
}
