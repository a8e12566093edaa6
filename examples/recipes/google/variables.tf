variable "client_id" {
  description = "Who asks Google for the token (its azp): the service account's unique ID (a number, gcloud iam service-accounts describe ... --format='value(uniqueId)') or your OAuth client ID."
  type        = string

  validation {
    condition     = !can(regex("[*?]", var.client_id))
    error_message = "client_id must be one client: anyone can mint Google tokens, so a pattern admits strangers."
  }
}

variable "audience" {
  description = "The audience the workload asks for (the token's aud): for example the role ARN, or any URL you choose."
  type        = string

  validation {
    condition     = !can(regex("[*?]", var.audience))
    error_message = "audience must be one value, without wildcards."
  }
}

variable "subjects" {
  description = "Google account IDs (sub) allowed: for a service account, its unique ID again."
  type        = set(string)

  validation {
    condition     = length(var.subjects) > 0 && alltrue([for s in var.subjects : can(regex("^[0-9]+$", s))])
    error_message = "subjects must list numeric Google account IDs."
  }
}

variable "role_name" {
  description = "Name of the role."
  type        = string
  default     = "google-workload"
}

variable "managed_policy_arns" {
  description = "Managed policies the workload needs."
  type        = set(string)
  default     = []
}
