# Set by HCP Terraform when dynamic AWS credentials are enabled; declare it, never set it.
variable "tfc_aws_dynamic_credentials" {
  description = "Object containing AWS dynamic credentials configuration"
  type = object({
    default = object({
      shared_config_file = string
    })
    aliases = map(object({
      shared_config_file = string
    }))
  })
}

variable "ci_issuer" {
  description = "Issuer URL of the CI system whose IAM OIDC provider this workspace manages."
  type        = string
}

variable "ci_client_ids" {
  description = "Client IDs (audiences) of the CI system's tokens."
  type        = set(string)
  default     = ["sts.amazonaws.com"]
}
