variable "domain" {
  description = "The tenant's domain (or custom domain) as in its issuer, without https:// and the trailing slash: example.us.auth0.com."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+$", var.domain))
    error_message = "domain must be a host name such as example.us.auth0.com, without scheme, path or slash."
  }
}

variable "client_id" {
  description = "Client ID of the Auth0 application people sign in to (the aud of its ID tokens)."
  type        = string
}

variable "department" {
  description = "The department whose members may assume the role (value of the department session tag)."
  type        = string

  validation {
    condition     = !can(regex("[*?]", var.department))
    error_message = "department must be one department, without wildcards."
  }
}

variable "require_mfa" {
  description = "Refuse tokens from sign-ins without a second factor (amr must hold \"mfa\")."
  type        = bool
  default     = true
}

variable "role_name" {
  description = "Name of the role."
  type        = string
  default     = "auth0-department"
}

variable "managed_policy_arns" {
  description = "Managed policies the department needs."
  type        = set(string)
  default     = []
}
