variable "cluster_oidc_issuer" {
  description = "The cluster's OIDC issuer URL: aws_eks_cluster.<name>.identity[0].oidc[0].issuer, or aws eks describe-cluster --query cluster.identity.oidc.issuer."
  type        = string

  validation {
    condition     = can(regex("^https://oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/id/[A-Za-z0-9]+$", var.cluster_oidc_issuer))
    error_message = "cluster_oidc_issuer must look like https://oidc.eks.<region>.amazonaws.com/id/<ID>."
  }
}

variable "namespace" {
  description = "Namespace of the service account."
  type        = string
  default     = "kube-system"

  validation {
    condition     = !can(regex("[*?]", var.namespace))
    error_message = "namespace must name one namespace, without wildcards."
  }
}

variable "service_account" {
  description = "Name of the service account; annotate it with eks.amazonaws.com/role-arn = the role_arn output."
  type        = string
  default     = "ebs-csi-controller-sa"

  validation {
    condition     = !can(regex("[*?]", var.service_account))
    error_message = "service_account must name one service account, without wildcards."
  }
}

variable "role_name" {
  description = "Name of the role the service account assumes."
  type        = string
  default     = "eks-ebs-csi-driver"
}

variable "managed_policy_arns" {
  description = "Managed policies the workload needs."
  type        = set(string)
  default     = ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]
}
