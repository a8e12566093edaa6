# The chain exactly as the identity provider serves it, leaf first, for example saved from
# `openssl s_client -connect idp.example.com:443 -servername idp.example.com -showcerts`.
output "thumbprint" {
  value = provider::awsoidc::thumbprint(file("${path.module}/served-chain.pem"))
}
