variable "keycloak_url" {
  description = "Base URL of the Keycloak server, without /realms: https://sso.example.com (or https://sso.example.com/auth for Keycloak before 17)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/:?#]+(/[^?#]*[^/?#])?$", var.keycloak_url))
    error_message = "keycloak_url must be https://<host>[/<path>] without a port, query or trailing slash."
  }
}

variable "realm" {
  description = "The realm people sign in to."
  type        = string
}

variable "ca_bundle_file" {
  description = "PEM file with the root CA of the server's TLS certificate, when it is not publicly trusted."
  type        = string
  default     = null
}

variable "client_id" {
  description = "Client ID of the Keycloak client people sign in to (the aud of its ID tokens)."
  type        = string
}

variable "team" {
  description = "The team whose members may assume the role (value of the team session tag)."
  type        = string

  validation {
    condition     = !can(regex("[*?]", var.team))
    error_message = "team must be one team, without wildcards."
  }
}

variable "role_name" {
  description = "Name of the role."
  type        = string
  default     = "keycloak-team"
}

variable "managed_policy_arns" {
  description = "Managed policies the team needs."
  type        = set(string)
  default     = []
}
