# A role is imported by its name (or its ARN). The trust blocks cannot be read back
# from IAM: after import, write them so that they build the same trust policy, and the
# next plan shows only the blocks being recorded in state.
terraform import awsoidc_role.deploy github-deploy-web
