# terraform plan -generate-config-out=roles.tf writes the resource, trust blocks included.
import {
  to = awsoidc_role.deploy
  id = "github-deploy-web"
}
