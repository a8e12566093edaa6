variable "identity_pool_id" {
  description = "The identity pool's ID, <region>:<uuid> (aws_cognito_identity_pool.<name>.id)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]:[0-9a-f-]{36}$", var.identity_pool_id))
    error_message = "identity_pool_id must be a pool ID such as us-east-1:0123abcd-...: anyone can create a pool, so a pattern admits strangers."
  }
}

variable "role_name" {
  description = "Name of the role."
  type        = string
  default     = "cognito-authenticated"
}

variable "managed_policy_arns" {
  description = "Managed policies signed-in users need."
  type        = set(string)
  default     = []
}
