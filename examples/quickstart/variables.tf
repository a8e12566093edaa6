variable "issuer" {
  description = "Issuer URL of the identity provider, exactly as in its tokens' iss claim."
  type        = string
  default     = "https://token.actions.githubusercontent.com"
}

variable "audience" {
  description = "Audience (client ID) the tokens are issued for."
  type        = string
  default     = "sts.amazonaws.com"
}

variable "subject" {
  description = "The one subject allowed to assume the role, e.g. a repository's main branch."
  type        = string
  default     = "repo:my-org/my-repo:ref:refs/heads/main"
}

variable "role_name" {
  description = "Name of the role to create."
  type        = string
  default     = "oidc-deployer"
}
