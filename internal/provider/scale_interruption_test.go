package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// importCommand reads the import a diagnostic asks for: Terraform names the resource
// (address) above the detail, and the detail gives the import block's id = "<id>" and the
// same id for terraform import.
var importCommand = regexp.MustCompile(`id = "([^"]+)"`)

// alreadyExists are the summaries of the errors that ask for an import.
var alreadyExists = regexp.MustCompile(`^(OIDC Provider|Role) Already Exists$`)

// TestAccScale_interruptedApply kills the provider process (SIGKILL) in the middle of an
// apply of n providers and n roles. The next apply either finishes the job or stops naming
// the import command for each object created in IAM but lost to state; after following
// them, one more apply finishes, IAM equals state with no duplicate, and objects Terraform
// does not own are untouched.
func TestAccScale_interruptedApply(t *testing.T) {
	t.Parallel()
	n := scaleN(t, 10)
	w := newScaleWorld(t, n, "kill")
	ctx, cancel := context.WithTimeout(context.Background(), scaleTimeout(n))
	defer cancel()
	start := time.Now()
	bystanders := newBystanders(t, w)

	// Kill once a quarter of the roles are being created: by then most providers are
	// created and more are in flight, as are roles.
	killAt := max(1, n/4)
	reached := w.ep.Reached(killAt, "CreateRole")
	w.setConfig(0)
	type result struct {
		run *acctest.Run
		err error
	}
	done := make(chan result, 1)
	var killedAfter string
	go func() {
		run, err := w.ws.Apply(ctx)
		done <- result{run, err}
	}()
	select {
	case <-reached:
		if err := w.proc.Kill(); err != nil {
			t.Fatal(err)
		}
		killedAfter = fmt.Sprintf("%d CreateOpenIDConnectProvider and %d CreateRole calls", w.ep.Count("CreateOpenIDConnectProvider"), w.ep.Count("CreateRole"))
	case r := <-done:
		t.Fatalf("apply ended before %d roles were being created, so nothing was interrupted: %v", killAt, r.err)
	case <-ctx.Done():
		t.Fatal("apply did not send its creates in time")
	}
	killed := <-done
	if killed.err == nil {
		t.Fatal("apply succeeded although its provider process was killed in the middle")
	}
	t.Logf("apply with the provider killed after %s failed: %v", killedAfter, firstError(killed.run))

	w.proc = acctest.StartProvider(t, w.binary)
	w.ws.UseProvider(w.proc)
	imported := map[string]int{}
	for round := 1; ; round++ {
		w.commands++
		run, err := w.ws.Apply(ctx)
		if err == nil {
			break
		}
		if round == 2 {
			t.Fatalf("apply after following the import commands still fails: %v", err)
		}
		for _, d := range run.Errors() {
			m := importCommand.FindStringSubmatch(d.Detail)
			if d.Address == "" || m == nil || !alreadyExists.MatchString(d.Summary) {
				t.Fatalf("apply after the kill failed without naming the import command: %s", d)
			}
			w.commands++
			if err := w.ws.Import(ctx, d.Address, m[1]); err != nil {
				t.Fatalf("following %q: %v", d.Summary, err)
			}
			imported[d.Summary]++
		}
	}
	w.checkIAM(ctx, "after recovery", 0)
	bystanders.check(ctx, "after recovery")
	w.planIsEmpty(ctx, "re-plan after recovery")

	w.destroy(ctx, "destroy")
	w.checkIAM(ctx, "after destroy", -1)
	bystanders.check(ctx, "after destroy")
	t.Logf("%d providers and %d roles, provider killed after %s: imported %d OIDC providers and %d roles, %d AWS calls, %d terraform commands, %s",
		n, n, killedAfter, imported["OIDC Provider Already Exists"], imported["Role Already Exists"], len(w.ep.Requests()), w.commands, time.Since(start).Round(time.Second))
}

// firstError describes the first of a run's errors and how many there were.
func firstError(run *acctest.Run) string {
	if run == nil || len(run.Errors()) == 0 {
		return "no diagnostic"
	}
	return fmt.Sprintf("%d errors, the first: %s", len(run.Errors()), run.Errors()[0])
}

// bystanders are objects in the same account that Terraform does not own, named like the
// test's own but outside its scope: nothing may delete or change them.
type bystanders struct {
	t     *testing.T
	moto  *acctest.Moto
	scope acctest.IAMScope
	want  *acctest.IAMSnapshot
}

func newBystanders(t *testing.T, w *scaleWorld) *bystanders {
	t.Helper()
	b := &bystanders{t: t, moto: w.moto, scope: acctest.IAMScope{
		ProviderHostContains: "." + w.token + "-keep.",
		RoleNamePrefix:       w.token + "_keep",
	}}
	ctx := context.Background()
	c := w.moto.IAMClient()
	out, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://p0." + w.token + "-keep.scale.test"), ClientIDList: []string{"sts.amazonaws.com"},
	})
	if err != nil {
		t.Fatalf("creating a provider Terraform does not own: %v", err)
	}
	name := w.token + "_keep"
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, *out.OpenIDConnectProviderArn)
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("creating a role Terraform does not own: %v", err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		_, _ = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: out.OpenIDConnectProviderArn})
	})
	if b.want, err = w.moto.ReadIAM(ctx, b.scope); err != nil || b.want.Count() != 2 {
		t.Fatalf("reading the objects Terraform does not own: %v (%d found, want 2)", err, b.want.Count())
	}
	return b
}

// check fails the test unless the bystanders are exactly as they were made.
func (b *bystanders) check(ctx context.Context, step string) {
	b.t.Helper()
	got, err := b.moto.ReadIAM(ctx, b.scope)
	if err != nil {
		b.t.Fatalf("%s: reading the objects Terraform does not own: %v", step, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(b.want) {
		b.t.Errorf("%s: objects Terraform does not own changed:\n got %+v\nwant %+v", step, got, b.want)
	}
}
