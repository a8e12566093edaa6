# The thumbprints AWS computes for an issuer: the last certificate served by the
# jwks_uri host, and by the issuer's host when it differs. Ready for awsoidc_provider.
data "awsoidc_thumbprint" "idp" {
  issuer = "https://sso.internal.example.com/realms/ci"
  # Only needed when the IdP's certificates come from a private CA: without it the chain
  # does not verify, which is an error (allow_unverified_chain = true would pin it
  # anyway, trusting whatever certificate the connection presented).
  ca_bundle = file("${path.module}/internal-root-ca.pem")
}

resource "awsoidc_provider" "idp" {
  url         = "https://sso.internal.example.com/realms/ci"
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = data.awsoidc_thumbprint.idp.thumbprints
}

# One host, given by any https URL on it: only a TLS handshake is made, so no redirect
# can lead to another host.
data "awsoidc_thumbprint" "google_keys" {
  url = "https://www.googleapis.com/oauth2/v3/certs"
}

output "served_chain" {
  # Every certificate as served, and what is wrong with the chain (served out of order,
  # root included, leaf only, expiring...).
  value = {
    certificates = [for c in data.awsoidc_thumbprint.google_keys.certificates : "${c.position}: ${c.subject} (sha1 ${c.sha1}, until ${c.not_after})"]
    problems     = [for p in data.awsoidc_thumbprint.google_keys.problems : "${p.code}: ${p.message}"]
  }
}

# Catch a certificate rotation before tokens start failing. For an IdP whose CA AWS does
# not trust, like this one, IAM accepts its certificate only by the registered
# thumbprints. Every plan (a scheduled one, for example) reads the chains again: the first
# assertion fails as soon as the IdP serves a certificate whose thumbprint IAM does not
# have, and the second while a served certificate is within 45 days of its expiry, when a
# rotation is due. Applying registers the new thumbprints, since the provider above takes
# them from data.awsoidc_thumbprint.idp.
check "idp_certificate" {
  data "awsoidc_thumbprint" "now" {
    issuer              = awsoidc_provider.idp.url
    ca_bundle           = file("${path.module}/internal-root-ca.pem")
    expiry_warning_days = 45
  }

  assert {
    condition = alltrue([for tp in data.awsoidc_thumbprint.now.thumbprints : contains(awsoidc_provider.idp.thumbprints, tp)])
    error_message = format("The IdP now serves thumbprints %s, but IAM has %s: apply to register them before STS refuses tokens.",
    join(", ", data.awsoidc_thumbprint.now.thumbprints), join(", ", tolist(awsoidc_provider.idp.thumbprints)))
  }

  assert {
    condition     = length([for p in data.awsoidc_thumbprint.now.problems : p if contains(["expiring_soon", "expired"], p.code)]) == 0
    error_message = join("\n", [for p in data.awsoidc_thumbprint.now.problems : "${p.host}: ${p.message}" if contains(["expiring_soon", "expired"], p.code)])
  }
}
