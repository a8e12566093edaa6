# A role is imported by its name (or its ARN). Import rebuilds the trust blocks from the
# role's trust policy, so an import block with `terraform plan -generate-config-out=roles.tf`
# writes a configuration that plans with no changes. What no trust block can say (another
# principal type, a Deny of its own) is listed in one warning.
terraform import awsoidc_role.deploy github-deploy-web
