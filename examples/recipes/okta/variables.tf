variable "issuer" {
  description = "Issuer of the Okta authorization server: https://<org>.okta.com/oauth2/<server-id> (default for the default server)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/:?#]+/oauth2/[A-Za-z0-9]+$", var.issuer))
    error_message = "issuer must be an Okta custom authorization server, https://<org>.okta.com/oauth2/<server-id>: the org authorization server's ID tokens cannot carry the tags claim."
  }
}

variable "client_id" {
  description = "Client ID of the Okta app integration people sign in to (the aud of its ID tokens)."
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

variable "bucket" {
  description = "The S3 bucket in which each team has a prefix of its own."
  type        = string
}

variable "role_name" {
  description = "Name of the role."
  type        = string
  default     = "okta-department"
}
