# Creates the provider and the roles (against the local AWS endpoint in make test), then
# asks awsoidc_trust_check, through the helper module in tests/trust-check, who may
# assume them. Terraform destroys everything at the end.

variables {
  role_name_prefix = "modtest-"
  repositories = {
    web = {
      owner         = "octo-org"
      owner_id      = "5550001"
      name          = "web"
      repository_id = "7770002"
      branches      = ["main"]
      environments  = ["production"]
    }
    docs = {
      owner         = "octo-org"
      owner_id      = "5550001"
      name          = "docs"
      repository_id = "7770004"
      branches      = ["main", "release"]
      inline_policies = {
        publish = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::octo-docs/*\"}]}"
      }
    }
  }
}

run "create" {
  command = apply

  assert {
    condition     = awsoidc_provider.github[0].url == "https://token.actions.githubusercontent.com" && output.provider_arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "The module must create the GitHub Actions provider."
  }
  assert {
    condition = output.role_arns == {
      web  = "arn:aws:iam::123456789012:role/ci/modtest-web"
      docs = "arn:aws:iam::123456789012:role/ci/modtest-docs"
    }
    error_message = "One role per repository, under /ci/, named after its key: ${jsonencode(output.role_arns)}"
  }
  assert {
    condition     = length(output.subjects["docs"]) == 4 && length(output.subjects["web"]) == 4
    error_message = "Each branch and environment gives two subjects."
  }
  assert {
    condition     = length(awsoidc_role.repository["docs"].inline_policies) == 1 && keys(awsoidc_role.repository["docs"].inline_policies)[0] == "publish"
    error_message = "docs must have its inline policy."
  }
}

run "web_main_branch_may_assume_web" {
  command = plan
  module {
    source = "./tests/trust-check"
  }
  variables {
    policy = run.create.assume_role_policies["web"]
    claims = {
      iss                 = "https://token.actions.githubusercontent.com"
      aud                 = "sts.amazonaws.com"
      sub                 = "repo:octo-org/web:ref:refs/heads/main"
      repository_id       = "7770002"
      repository_owner_id = "5550001"
    }
  }
  assert {
    condition     = output.allowed
    error_message = output.summary
  }
}

run "web_immutable_subject_may_assume_web" {
  command = plan
  module {
    source = "./tests/trust-check"
  }
  variables {
    policy = run.create.assume_role_policies["web"]
    claims = {
      iss                 = "https://token.actions.githubusercontent.com"
      aud                 = "sts.amazonaws.com"
      sub                 = "repo:octo-org@5550001/web@7770002:environment:production"
      repository_id       = "7770002"
      repository_owner_id = "5550001"
    }
  }
  assert {
    condition     = output.allowed
    error_message = output.summary
  }
}

run "docs_may_not_assume_web" {
  command = plan
  module {
    source = "./tests/trust-check"
  }
  variables {
    policy = run.create.assume_role_policies["web"]
    claims = {
      iss                 = "https://token.actions.githubusercontent.com"
      aud                 = "sts.amazonaws.com"
      sub                 = "repo:octo-org/docs:ref:refs/heads/main"
      repository_id       = "7770004"
      repository_owner_id = "5550001"
    }
  }
  assert {
    condition     = !output.allowed
    error_message = "docs could assume web's role: ${output.summary}"
  }
}

run "web_feature_branch_may_not_assume_web" {
  command = plan
  module {
    source = "./tests/trust-check"
  }
  variables {
    policy = run.create.assume_role_policies["web"]
    claims = {
      iss                 = "https://token.actions.githubusercontent.com"
      aud                 = "sts.amazonaws.com"
      sub                 = "repo:octo-org/web:ref:refs/heads/feature"
      repository_id       = "7770002"
      repository_owner_id = "5550001"
    }
  }
  assert {
    condition     = !output.allowed
    error_message = "A feature branch could assume web's role: ${output.summary}"
  }
}

run "recreated_web_may_not_assume_web" {
  command = plan
  module {
    source = "./tests/trust-check"
  }
  variables {
    policy = run.create.assume_role_policies["web"]
    claims = {
      iss                 = "https://token.actions.githubusercontent.com"
      aud                 = "sts.amazonaws.com"
      sub                 = "repo:octo-org/web:ref:refs/heads/main"
      repository_id       = "9999999"
      repository_owner_id = "5550001"
    }
  }
  assert {
    condition     = !output.allowed
    error_message = "A repository re-created under the same name could assume web's role: ${output.summary}"
  }
}
