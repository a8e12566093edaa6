variable "tenant_id" {
  description = "The directory (tenant) ID, a GUID."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.tenant_id))
    error_message = "tenant_id must be the tenant's GUID; \"common\" and \"organizations\" have no issuer of their own."
  }
}

variable "client_id" {
  description = "Application (client) ID of the app registration people sign in to (the aud of its ID tokens)."
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

variable "role_name" {
  description = "Name of the role."
  type        = string
  default     = "entra-department"
}

variable "managed_policy_arns" {
  description = "Managed policies the department needs."
  type        = set(string)
  default     = []
}
