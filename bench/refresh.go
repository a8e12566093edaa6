package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// scaleConfig is N repositories, each with its own OIDC provider and a role trusting
// it; every role has one managed and one inline policy and a tag, so a refresh reads
// every kind of thing a role holds. The floor of one refresh is 1 IAM call per provider
// and 3 + 1 per role (GetRole, ListAttachedRolePolicies, ListRolePolicies, and
// GetRolePolicy for the one inline policy).
const scaleConfig = `
terraform {
  required_providers {
    awsoidc = { source = "awsoidc/awsoidc" }
  }
}

variable "n" { type = number }
variable "prefix" { type = string }
variable "iam_endpoint" { type = string }
variable "sts_endpoint" { type = string }
variable "managed_policy_arn" { type = string }
variable "max_retries" {
  type    = number
  default = 25
}

provider "awsoidc" {
  region      = "us-east-1"
  access_key  = "test"
  secret_key  = "test"
  max_retries = var.max_retries
  endpoints {
    iam = var.iam_endpoint
    sts = var.sts_endpoint
  }
}

locals {
  repos = toset([for i in range(var.n) : format("repo-%04d", i)])
}

resource "awsoidc_provider" "ci" {
  for_each    = local.repos
  url         = "https://${each.key}.${var.prefix}.idp.test"
  client_ids  = ["sts.amazonaws.com"]
  thumbprints = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
  tags        = { repo = each.key }
}

resource "awsoidc_role" "deploy" {
  for_each = local.repos
  name     = "${var.prefix}-${each.key}"

  trust {
    provider_arn = awsoidc_provider.ci[each.key].arn
    audiences    = ["sts.amazonaws.com"]
    subjects     = ["repo:bench/${each.key}:ref:refs/heads/main"]
  }

  managed_policy_arns = [var.managed_policy_arn]
  inline_policies = {
    read = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::bench-${each.key}/*" }]
    })
  }
  tags = { repo = each.key }
}
`

// coreConfig is the same graph made of terraform_data: what Terraform core costs for
// 2N resources whose provider does nothing.
const coreConfig = `
variable "n" { type = number }

locals {
  repos = toset([for i in range(var.n) : format("repo-%04d", i)])
}

resource "terraform_data" "ci" {
  for_each = local.repos
  input    = "https://${each.key}.idp.test"
}

resource "terraform_data" "deploy" {
  for_each = local.repos
  input = {
    provider = terraform_data.ci[each.key].id
    subject  = "repo:bench/${each.key}:ref:refs/heads/main"
  }
}
`

// frameworkConfig is 2N empty resources of the minimal framework provider: Terraform
// plus what any framework provider costs (its launches, the protocol, the framework's
// per-resource work), with nothing of ours in it.
const frameworkConfig = `
terraform {
  required_providers {
    minimal = { source = "bench/minimal" }
  }
}

variable "n" { type = number }

locals {
  repos = toset([for i in range(var.n) : format("repo-%04d", i)])
}

resource "minimal_empty" "ci" {
  for_each = local.repos
}

resource "minimal_empty" "deploy" {
  for_each = local.repos
}
`

// Floor of IAM calls per resource in one refresh.
const (
	floorCallsPerProvider = 1
	floorCallsPerRole     = 3 + 1 // + one inline policy
)

const managedPolicyName = "bench-read"

// managedPolicy creates the customer managed policy every role attaches, once.
func (b *bench) managedPolicy(ctx context.Context) (string, error) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	_, err := b.moto.Query(ctx, acctest.ServiceIAM, "CreatePolicy", url.Values{
		"PolicyName": {managedPolicyName}, "PolicyDocument": {doc},
	})
	var qe *acctest.QueryError
	if err != nil && !(errors.As(err, &qe) && qe.Code == "EntityAlreadyExists") {
		return "", fmt.Errorf("creating the managed policy: %w", err)
	}
	return fmt.Sprintf("arn:aws:iam::%s:policy/%s", acctest.AccountID, managedPolicyName), nil
}

func scaleVars(n int, prefix, iamEndpoint, stsEndpoint, policyARN string, maxRetries int) string {
	v, _ := json.Marshal(map[string]any{
		"n": n, "prefix": prefix, "iam_endpoint": iamEndpoint, "sts_endpoint": stsEndpoint,
		"managed_policy_arn": policyARN, "max_retries": maxRetries,
	})
	return string(v)
}

func (b *bench) refresh(ctx context.Context) error {
	policyARN, err := b.managedPolicy(ctx)
	if err != nil {
		return err
	}
	for _, n := range b.o.sizes {
		if err := b.refreshAt(ctx, n, policyARN); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) refreshAt(ctx context.Context, n int, policyARN string) error {
	ep, err := b.moto.OpenEndpoint()
	if err != nil {
		return err
	}
	defer ep.Close()
	prefix := fmt.Sprintf("r%d", n)
	section := fmt.Sprintf("1 refresh N=%d", n)

	logf("refresh N=%d: applying %d providers and %d roles, and %d terraform_data", n, n, n, 2*n)
	w, err := b.newWorkdir(ctx, "refresh-"+prefix, map[string]string{
		"main.tf":               scaleConfig,
		"terraform.tfvars.json": scaleVars(n, prefix, ep.URL, ep.URL, policyARN, 25),
	}, b.tfEnv())
	if err != nil {
		return err
	}
	plan := []string{"plan", "-input=false", "-no-color", "-detailed-exitcode", fmt.Sprintf("-parallelism=%d", b.o.parallelism)}
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", b.o.parallelism)}
	applied, err := w.run(ctx, nil, apply...)
	if err != nil {
		return err
	}
	logf("refresh N=%d: apply took %s and %d IAM calls", n, applied.wall.Round(time.Millisecond), ep.ServiceCount(acctest.ServiceIAM))

	core, err := b.newWorkdir(ctx, "core-"+prefix, map[string]string{
		"main.tf":               coreConfig,
		"terraform.tfvars.json": fmt.Sprintf(`{"n": %d}`, n),
	}, b.tfEnv())
	if err != nil {
		return err
	}
	if _, err := core.run(ctx, nil, apply...); err != nil {
		return err
	}

	fw, err := b.newWorkdir(ctx, "framework-"+prefix, map[string]string{
		"main.tf":               frameworkConfig,
		"terraform.tfvars.json": fmt.Sprintf(`{"n": %d}`, n),
	}, b.tfEnv())
	if err != nil {
		return err
	}
	if _, err := fw.run(ctx, nil, apply...); err != nil {
		return err
	}

	runs := b.o.runs
	if n > 100 {
		runs = b.o.largeRuns
	}
	var corePlans, floorCalls, plans, coreCPU, floorCPU, planCPU, fwPlans, fwCPU samples
	var perProvider, perRole, sts []float64
	// Rounds interleave the three, so load from other work on the machine falls on
	// each alike.
	for i := range runs {
		r, err := core.run(ctx, nil, plan...)
		if err != nil {
			return err
		}
		corePlans = append(corePlans, r.wall)
		coreCPU = append(coreCPU, r.cpu)

		r, err = fw.run(ctx, nil, plan...)
		if err != nil {
			return err
		}
		fwPlans = append(fwPlans, r.wall)
		fwCPU = append(fwCPU, r.cpu)

		cpu := b.cpuNow()
		d, err := iamFloor(ctx, ep.URL, n, prefix, b.o.parallelism)
		if err != nil {
			return err
		}
		floorCalls = append(floorCalls, d)
		floorCPU = append(floorCPU, cpu.since(b))

		ep.Reset()
		r, err = w.run(ctx, nil, plan...)
		if err != nil {
			return fmt.Errorf("the plan after apply is not empty or failed: %w", err)
		}
		plans = append(plans, r.wall)
		planCPU = append(planCPU, r.cpu)
		p, rl := callsByResource(ep)
		perProvider = append(perProvider, float64(p)/float64(n))
		perRole = append(perRole, float64(rl)/float64(n))
		sts = append(sts, float64(ep.ServiceCount(acctest.ServiceSTS)))
		logf("refresh N=%d run %d/%d: plan %s (CPU %s), core %s (CPU %s), minimal provider %s (CPU %s), IAM floor %s (CPU %s); load %s", n, i+1, runs,
			ms(r.wall), ms(r.cpu), ms(corePlans[i]), ms(coreCPU[i]), ms(fwPlans[i]), ms(fwCPU[i]), ms(d), ms(floorCPU[i]), loadAverage())
	}
	floor := corePlans.median() + floorCalls.median()
	b.add(row{section: section, figure: "terraform plan (refresh)", value: seconds(plans.median()), floor: seconds(floor), unit: "s", target: 1.3, spread: plans.spread(),
		note: fmt.Sprintf("floor = core %.2f s + IAM %.2f s", seconds(corePlans.median()), seconds(floorCalls.median()))})
	b.add(row{section: section, figure: "CPU time of that plan", value: seconds(planCPU.median()), floor: seconds(coreCPU.median() + floorCPU.median()), unit: "s", spread: planCPU.spread(),
		note: fmt.Sprintf("terraform + provider + moto + endpoint; floor = core %.2f s + IAM %.2f s", seconds(coreCPU.median()), seconds(floorCPU.median()))})
	b.add(row{section: section, figure: "the same plan against the framework floor", value: seconds(plans.median()), floor: seconds(fwPlans.median() + floorCalls.median()), unit: "s",
		note: fmt.Sprintf("floor = %d empty resources of the minimal framework provider %.2f s (CPU %.2f s) + IAM %.2f s; not the issue's floor, it shows what is the framework's",
			2*n, seconds(fwPlans.median()), seconds(fwCPU.median()), seconds(floorCalls.median()))})
	b.add(row{section: section, figure: "IAM calls per provider", value: maxOf(perProvider), floor: floorCallsPerProvider, unit: "calls", target: 1})
	b.add(row{section: section, figure: "IAM calls per role", value: maxOf(perRole), floor: floorCallsPerRole, unit: "calls", target: 1, note: "one inline policy each"})
	b.note("N=%d: %.0f STS call(s) per plan (GetCallerIdentity at Configure), not counted above.", n, maxOf(sts))

	a, err := b.providerPeak(ctx, w, prefix, plan)
	if err != nil {
		return err
	}
	b.add(row{section: section, figure: "provider peak RSS during the plan", value: float64(a.providerKiB) / 1024, unit: "MiB",
		note: fmt.Sprintf("terraform itself: %.0f MiB", float64(a.terraformKiB)/1024)})
	b.note("N=%d, one plan against a provider started once (debug mode): CPU of the provider %.2f s, of terraform %.2f s, of moto and the recording endpoint %.2f s.",
		n, seconds(a.providerCPU), seconds(a.terraformCPU), seconds(a.otherCPU))
	return nil
}

// callsByResource splits the IAM calls an endpoint saw into those for OIDC providers
// and those for roles.
func callsByResource(ep *acctest.Endpoint) (providers, roles int) {
	for _, r := range ep.Requests() {
		if r.Service != acctest.ServiceIAM {
			continue
		}
		if strings.Contains(r.Action, "OpenIDConnectProvider") {
			providers++
		} else {
			roles++
		}
	}
	return providers, roles
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// iamFloor makes the fewest IAM calls that read back what scaleConfig created, with
// workers concurrent workers over the 2n resources, as Terraform walks them: what any
// provider must spend on the network for this refresh. It returns the wall time.
func iamFloor(ctx context.Context, endpoint string, n int, prefix string, workers int) (time.Duration, error) {
	client := iam.New(iam.Options{
		Region:       acctest.Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(acctest.AccessKey, acctest.SecretKey, ""),
	})
	jobs := make(chan func(context.Context) error)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if err := job(ctx); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		repo := fmt.Sprintf("repo-%04d", i)
		arn := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s.%s.idp.test", acctest.AccountID, repo, prefix)
		jobs <- func(ctx context.Context) error {
			_, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
			return err
		}
		role := aws.String(prefix + "-" + repo)
		jobs <- func(ctx context.Context) error {
			if _, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: role}); err != nil {
				return err
			}
			if _, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role}); err != nil {
				return err
			}
			names, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role})
			if err != nil {
				return err
			}
			for _, pn := range names.PolicyNames {
				if _, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String(pn)}); err != nil {
					return err
				}
			}
			return nil
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("the IAM floor's calls: %w", firstErr)
	}
	return time.Since(start), nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
