# The AWS provider forgets the resources without deleting them. Delete the old resource
# blocks and both data sources in the same change.
removed {
  from = aws_iam_openid_connect_provider.github
  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_iam_role.deploy
  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_iam_role_policy_attachment.deploy_read_only
  lifecycle {
    destroy = false
  }
}
