package provider

import (
	"context"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // thumbprints are SHA-1 by definition; these are made up
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// The scale suites apply many providers and roles at once, at Terraform's default
// parallelism, and after every step compare what IAM holds (read straight from moto) with
// Terraform's state: the same objects, ARNs, trust policies, policies and tags, nothing
// orphaned, nothing held twice. They run the provider binary as its own process, attached
// by Terraform as it attaches any provider, with its logging at the levels a provider
// started by Terraform logs at.

// scaleNEnv sets how many providers (and as many roles) the scale suites manage.
const scaleNEnv = "AWSOIDC_SCALE_N"

// providerPackage is the provider's main package, built by the suites.
const providerPackage = "github.com/awsoidc/terraform-provider-awsoidc"

// scaleN is $AWSOIDC_SCALE_N, or def.
func scaleN(t *testing.T, def int) int {
	t.Helper()
	v := os.Getenv(scaleNEnv)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 || n > 200 {
		t.Fatalf("%s=%q: expected a number of providers (and of roles) from 2 to 200", scaleNEnv, v)
	}
	return n
}

// scalePolicies is how many customer managed policies the roles share.
const scalePolicies = 4

// scaleWorld is one scale test: its names, its endpoint, its provider process and its
// Terraform working directory.
type scaleWorld struct {
	t        *testing.T
	n        int
	token    string // in every name the test creates
	moto     *acctest.Moto
	ep       *acctest.Endpoint
	binary   string
	proc     *acctest.ProviderProcess
	ws       *acctest.Workspace
	policies []string
	scope    acctest.IAMScope
	// commands counts the terraform commands run, for the figures.
	commands int
}

func newScaleWorld(t *testing.T, n int, label string) *scaleWorld {
	t.Helper()
	acctest.RequireTerraform(t)
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	token := "scl-" + label + "-" + hex.EncodeToString(b)
	w := &scaleWorld{
		t:      t,
		n:      n,
		token:  token,
		moto:   acctest.MotoForTest(t),
		binary: acctest.BuildProvider(t, providerPackage),
		scope:  acctest.IAMScope{ProviderHostContains: "." + token + ".", RoleNamePrefix: token + "-"},
	}
	w.ep = w.moto.NewEndpoint(t)
	w.proc = acctest.StartProvider(t, w.binary)
	w.ws = acctest.NewWorkspace(t, w.proc)
	w.createPolicies()
	t.Cleanup(w.sweep)
	return w
}

// createPolicies makes the customer managed policies the roles attach (moto does not
// load AWS managed policies unless asked, which slows its start).
func (w *scaleWorld) createPolicies() {
	c := w.moto.IAMClient()
	for k := range scalePolicies {
		out, err := c.CreatePolicy(context.Background(), &iam.CreatePolicyInput{
			PolicyName:     aws.String(fmt.Sprintf("%s-policy-%d", w.token, k)),
			PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::%s-%d"}]}`, w.token, k)),
		})
		if err != nil {
			w.t.Fatalf("creating managed policy %d in moto: %v", k, err)
		}
		w.policies = append(w.policies, aws.ToString(out.Policy.Arn))
	}
}

// sweep removes, straight from moto, whatever the test left in its scope, so a failed
// run does not fill the shared account; then the policies.
func (w *scaleWorld) sweep() {
	ctx := context.Background()
	c := w.moto.IAMClient()
	if snap, err := w.moto.ReadIAM(ctx, w.scope); err == nil {
		for _, r := range snap.Roles {
			for _, arn := range r.ManagedPolicies {
				_, _ = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(r.Name), PolicyArn: aws.String(arn)})
			}
			for name := range r.InlinePolicies {
				_, _ = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(name)})
			}
			_, _ = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(r.Name)})
		}
		for _, p := range snap.Providers {
			_, _ = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(p.ARN)})
		}
	}
	for _, arn := range w.policies {
		_, _ = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	}
}

// providerSpec and roleSpec are what one generation of the configuration asks for; the
// configuration is rendered from them, and IAM is checked against them.
type providerSpec struct {
	url        string
	clientIDs  []string
	thumbprint string
}

type roleSpec struct {
	name      string
	providers []int // indexes of the providers trusted, one trust block each
	subject   string
	policy    string   // managed policy ARN
	actions   []string // of the inline policy
}

// changed says whether index i is among the half the second generation changes.
func changed(generation, i int) bool { return generation > 0 && i%2 == 0 }

func (w *scaleWorld) providerSpec(generation, i int) providerSpec {
	v := ""
	if changed(generation, i) {
		v = "-v2"
	}
	sum := sha1.Sum(fmt.Appendf(nil, "%s-%d%s", w.token, i, v)) //nolint:gosec // made-up thumbprint
	return providerSpec{
		url:        fmt.Sprintf("https://p%d.%s.scale.test", i, w.token),
		clientIDs:  []string{"sts.amazonaws.com", fmt.Sprintf("client-%d%s", i, v)},
		thumbprint: hex.EncodeToString(sum[:]),
	}
}

func (w *scaleWorld) roleSpec(generation, i int) roleSpec {
	r := roleSpec{
		name:      fmt.Sprintf("%s-r%d", w.token, i),
		providers: []int{i},
		subject:   fmt.Sprintf("system:serviceaccount:ns%d:deploy", i),
		policy:    w.policies[i%len(w.policies)],
		actions:   []string{"s3:GetObject"},
	}
	if i%3 == 1 { // a third of the roles trust a second provider
		r.providers = append(r.providers, (i+1)%w.n)
	}
	if changed(generation, i) {
		r.subject += "-v2"
		r.policy = w.policies[(i+1)%len(w.policies)]
		r.actions = append(r.actions, "s3:PutObject")
	}
	return r
}

// config renders one generation: n providers and n roles, each role with a managed and an
// inline policy.
func (w *scaleWorld) config(generation int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    awsoidc = { source = "awsoidc/awsoidc" }
  }
}

provider "awsoidc" {
  region     = %q
  access_key = %q
  secret_key = %q
  endpoints {
    iam = %q
    sts = %q
  }
}
`, acctest.Region, acctest.AccessKey, acctest.SecretKey, w.ep.URL, w.ep.URL)
	for i := range w.n {
		p := w.providerSpec(generation, i)
		fmt.Fprintf(&b, `
resource "awsoidc_provider" "p%d" {
  url         = %q
  client_ids  = %s
  thumbprints = [%q]
  tags        = { scale = %q, index = "%d" }
}
`, i, p.url, hclList(p.clientIDs), p.thumbprint, w.token, i)
	}
	for i := range w.n {
		r := w.roleSpec(generation, i)
		fmt.Fprintf(&b, "\nresource \"awsoidc_role\" \"r%d\" {\n  name = %q\n", i, r.name)
		for _, p := range r.providers {
			fmt.Fprintf(&b, "  trust {\n    provider_arn = awsoidc_provider.p%d.arn\n    audiences    = [\"sts.amazonaws.com\"]\n    subjects     = [%q]\n  }\n", p, r.subject)
		}
		fmt.Fprintf(&b, `  managed_policy_arns = [%q]
  inline_policies = {
    objects = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = %s, Resource = "arn:aws:s3:::%s-%d/*" }]
    })
  }
  tags = { scale = %q }
}
`, r.policy, hclList(r.actions), w.token, i, w.token)
	}
	return b.String()
}

func hclList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// checkIAM fails the test unless IAM, read straight from moto, equals Terraform's state
// exactly, and holds what the configuration of generation asks for (generation < 0: holds
// nothing).
func (w *scaleWorld) checkIAM(ctx context.Context, step string, generation int) {
	w.t.Helper()
	state, err := w.ws.State(ctx)
	if err != nil {
		w.t.Fatalf("%s: %v", step, err)
	}
	snap, err := w.moto.ReadIAM(ctx, w.scope)
	if err != nil {
		w.t.Fatalf("%s: reading IAM: %v", step, err)
	}
	diff := acctest.CompareIAM(snap, state)
	if err := diff.Err(); err != nil {
		w.t.Fatalf("%s: %v", step, err)
	}
	if problems := w.iamHoldsGeneration(snap, generation); len(problems) > 0 {
		w.t.Fatalf("%s: IAM does not hold what the configuration asks for:\n  %s", step, strings.Join(problems, "\n  "))
	}
	w.t.Logf("%s: IAM equals state (%d providers, %d roles; %d state resources)", step, len(snap.Providers), len(snap.Roles), diff.Compared)
}

// iamHoldsGeneration lists how IAM differs from what generation asks for, independently
// of Terraform's state.
func (w *scaleWorld) iamHoldsGeneration(snap *acctest.IAMSnapshot, generation int) []string {
	var problems []string
	if generation < 0 {
		if snap.Count() != 0 {
			problems = append(problems, fmt.Sprintf("%d providers and %d roles left after destroy", len(snap.Providers), len(snap.Roles)))
		}
		return problems
	}
	if len(snap.Providers) != w.n || len(snap.Roles) != w.n {
		problems = append(problems, fmt.Sprintf("%d providers and %d roles, want %d of each", len(snap.Providers), len(snap.Roles), w.n))
	}
	byURL := map[string]acctest.IAMProvider{}
	for _, p := range snap.Providers {
		byURL[p.URL] = p
	}
	arnOf := map[int]string{}
	for i := range w.n {
		want := w.providerSpec(generation, i)
		got, ok := byURL[strings.TrimPrefix(want.url, "https://")]
		if !ok {
			problems = append(problems, "no provider for "+want.url)
			continue
		}
		arnOf[i] = got.ARN
		if wantARN := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", acctest.AccountID, strings.TrimPrefix(want.url, "https://")); got.ARN != wantARN {
			problems = append(problems, fmt.Sprintf("provider %s has ARN %s, want %s", want.url, got.ARN, wantARN))
		}
		if ids := slices.Sorted(slices.Values(want.clientIDs)); !slices.Equal(got.ClientIDs, ids) {
			problems = append(problems, fmt.Sprintf("provider %s has client IDs %v, want %v", want.url, got.ClientIDs, ids))
		}
		if !slices.Equal(got.Thumbprints, []string{want.thumbprint}) {
			problems = append(problems, fmt.Sprintf("provider %s has thumbprints %v, want [%s]", want.url, got.Thumbprints, want.thumbprint))
		}
		if wantTags := map[string]string{"scale": w.token, "index": strconv.Itoa(i)}; !maps.Equal(got.Tags, wantTags) {
			problems = append(problems, fmt.Sprintf("provider %s has tags %v, want %v", want.url, got.Tags, wantTags))
		}
	}
	byName := map[string]acctest.IAMRole{}
	for _, r := range snap.Roles {
		byName[r.Name] = r
	}
	for i := range w.n {
		want := w.roleSpec(generation, i)
		got, ok := byName[want.name]
		if !ok {
			problems = append(problems, "no role "+want.name)
			continue
		}
		if wantARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", acctest.AccountID, want.name); got.ARN != wantARN {
			problems = append(problems, fmt.Sprintf("role %s has ARN %s, want %s", want.name, got.ARN, wantARN))
		}
		var wantFederated []string
		for _, p := range want.providers {
			wantFederated = append(wantFederated, arnOf[p])
		}
		slices.Sort(wantFederated)
		federated, subjects, err := trustSummary(got.TrustPolicy)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("role %s: trust policy %q: %v", want.name, got.TrustPolicy, err))
		case !slices.Equal(federated, wantFederated):
			problems = append(problems, fmt.Sprintf("role %s trusts %v, want %v", want.name, federated, wantFederated))
		case !slices.Equal(subjects, slices.Repeat([]string{want.subject}, len(want.providers))):
			problems = append(problems, fmt.Sprintf("role %s allows subjects %v, want %q for each provider", want.name, subjects, want.subject))
		}
		if !slices.Equal(got.ManagedPolicies, []string{want.policy}) {
			problems = append(problems, fmt.Sprintf("role %s has managed policies %v, want [%s]", want.name, got.ManagedPolicies, want.policy))
		}
		if actions, err := inlineActions(got.InlinePolicies["objects"]); err != nil || len(got.InlinePolicies) != 1 || !slices.Equal(actions, want.actions) {
			problems = append(problems, fmt.Sprintf("role %s has inline policies %v, want one named objects allowing %v", want.name, got.InlinePolicies, want.actions))
		}
	}
	return problems
}

// trustSummary reads the federated principals (sorted) and the sub condition values (in
// statement order) of a trust policy.
func trustSummary(doc string) (federated, subjects []string, err error) {
	var p struct {
		Statement []struct {
			Principal struct {
				Federated any
			}
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, nil, err
	}
	for _, st := range p.Statement {
		federated = append(federated, stringsOf(st.Principal.Federated)...)
		for _, keys := range st.Condition {
			for key, v := range keys {
				if strings.HasSuffix(key, ":sub") {
					subjects = append(subjects, stringsOf(v)...)
				}
			}
		}
	}
	slices.Sort(federated)
	return federated, subjects, nil
}

func inlineActions(doc string) ([]string, error) {
	var p struct {
		Statement []struct{ Action any }
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	var out []string
	for _, st := range p.Statement {
		out = append(out, stringsOf(st.Action)...)
	}
	slices.Sort(out)
	return out, nil
}

func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// apply runs terraform apply once and fails the test if it fails, saying how IAM and
// state then disagree.
func (w *scaleWorld) apply(ctx context.Context, step string) {
	w.t.Helper()
	w.commands++
	if run, err := w.ws.Apply(ctx); err != nil {
		w.t.Fatalf("%s: %v\nafterwards: %s", step, err, w.disagreement(ctx))
	} else if errs := run.Errors(); len(errs) > 0 {
		w.t.Fatalf("%s: apply succeeded with errors: %v", step, errs)
	}
}

// disagreement describes how IAM and state differ, for a failure message.
func (w *scaleWorld) disagreement(ctx context.Context) string {
	state, err := w.ws.State(ctx)
	if err != nil {
		return err.Error()
	}
	snap, err := w.moto.ReadIAM(ctx, w.scope)
	if err != nil {
		return err.Error()
	}
	if err := acctest.CompareIAM(snap, state).Err(); err != nil {
		return err.Error()
	}
	return "IAM equals state"
}

// planIsEmpty fails the test unless terraform plan -detailed-exitcode exits 0.
func (w *scaleWorld) planIsEmpty(ctx context.Context, step string) {
	w.t.Helper()
	w.commands++
	run, err := w.ws.Plan(ctx)
	if err != nil {
		w.t.Fatalf("%s: %v", step, err)
	}
	if run.Changed {
		w.t.Fatalf("%s: terraform plan -detailed-exitcode exited 2 on an unchanged configuration: %s", step, run.Summary())
	}
}

// refreshOnlyIsClean fails the test unless terraform plan -refresh-only -detailed-exitcode
// exits 0 on infrastructure nothing changed since the last apply: a drift-detection job
// would flag anything else forever.
func (w *scaleWorld) refreshOnlyIsClean(ctx context.Context, step string) {
	w.t.Helper()
	w.commands++
	run, err := w.ws.PlanRefreshOnly(ctx)
	if err != nil {
		w.t.Fatalf("%s: %v", step, err)
	}
	if !run.Changed {
		return
	}
	// Say which resource types do it: refresh each type's resources alone.
	for _, typ := range []struct{ name, prefix string }{{acctest.TypeProvider, "p"}, {acctest.TypeRole, "r"}} {
		var targets []string
		for i := range w.n {
			targets = append(targets, fmt.Sprintf("%s.%s%d", typ.name, typ.prefix, i))
		}
		w.commands++
		run, err := w.ws.PlanRefreshOnly(ctx, targets...)
		if err != nil {
			w.t.Fatalf("%s: %v", step, err)
		}
		if run.Changed {
			w.t.Errorf("%s: terraform plan -refresh-only -detailed-exitcode exited 2 for %s on unchanged infrastructure (a drift-detection job would flag it forever)%s",
				step, typ.name, run.Summary())
		}
	}
}

// destroy runs terraform destroy once and fails the test if it fails.
func (w *scaleWorld) destroy(ctx context.Context, step string) {
	w.t.Helper()
	w.commands++
	if _, err := w.ws.Destroy(ctx); err != nil {
		w.t.Fatalf("%s: %v", step, err)
	}
}

func (w *scaleWorld) setConfig(generation int) {
	w.t.Helper()
	if err := w.ws.SetConfig(w.config(generation)); err != nil {
		w.t.Fatal(err)
	}
}

// scaleTimeout bounds one scale test.
func scaleTimeout(n int) time.Duration { return 5*time.Minute + time.Duration(n)*30*time.Second }

// TestAccScale_lifecycle applies n providers and n roles in one configuration at
// Terraform's default parallelism, re-plans three times, changes half of them, and
// destroys them; after every step IAM equals state exactly and holds what the
// configuration asks for.
func TestAccScale_lifecycle(t *testing.T) {
	t.Parallel()
	n := scaleN(t, 40)
	w := newScaleWorld(t, n, "lc")
	ctx, cancel := context.WithTimeout(context.Background(), scaleTimeout(n))
	defer cancel()
	start := time.Now()

	w.setConfig(0)
	w.apply(ctx, "create")
	w.checkIAM(ctx, "after create", 0)
	for i := range 3 {
		w.planIsEmpty(ctx, fmt.Sprintf("re-plan %d after create", i+1))
	}
	w.refreshOnlyIsClean(ctx, "refresh-only after create")
	w.checkIAM(ctx, "after re-plans", 0)

	w.setConfig(1)
	w.apply(ctx, "change half")
	w.checkIAM(ctx, "after change", 1)
	w.planIsEmpty(ctx, "re-plan after change")
	w.refreshOnlyIsClean(ctx, "refresh-only after change")

	w.destroy(ctx, "destroy")
	w.checkIAM(ctx, "after destroy", -1)

	t.Logf("lifecycle of %d providers and %d roles (%d resources): %d terraform commands, %d AWS calls, %s",
		n, n, 2*n, w.commands, len(w.ep.Requests()), time.Since(start).Round(time.Second))
}
