variable "gitlab_url" {
  description = "The instance's URL, exactly as its tokens carry it in iss: https://gitlab.example.com (no trailing slash)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/:?#]+(/[^?#]*[^/?#])?$", var.gitlab_url))
    error_message = "gitlab_url must be https://<host>[/<path>] without a port, query or trailing slash."
  }
}

variable "ca_bundle_file" {
  description = "PEM file with the root CA of the instance's TLS certificate, when it is not publicly trusted."
  type        = string
  default     = null
}

variable "project_path" {
  description = "Full path of the project, group and subgroups included: my-group/my-project."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)+$", var.project_path))
    error_message = "project_path must be <group>/<project> (subgroups allowed), without wildcards."
  }
}

variable "branch" {
  description = "The branch pipelines must run on. Protect it."
  type        = string
  default     = "main"
}

variable "audience" {
  description = "The aud the job requests in id_tokens (and the IAM provider's client ID)."
  type        = string
  default     = "sts.amazonaws.com"
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
