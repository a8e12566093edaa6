package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest"
)

// maxApplies bounds the applies one step of a lifecycle under faults may take: a failed
// apply must fail clearly, and the next must finish the job.
const maxApplies = 3

// clearSummary matches the summaries of the provider's own diagnostics about its
// resources; anything else (Terraform's "Plugin did not respond", a panic, "Provider
// produced inconsistent result") is not a clear answer to a fault.
var clearSummary = regexp.MustCompile(`^(Cannot [A-Z][A-Za-z ]+|OIDC Provider [A-Z][A-Za-z ]+|Role [A-Z][A-Za-z ]+)$`)

// corruption matches what a response read by the wrong call, or a request cut short,
// looks like when it reaches a diagnostic: the SDK's parse errors, or how
// describeAWSError puts an answer that is not AWS's XML.
var corruption = regexp.MustCompile(`(?i)xml syntax error|deserializ|invalid character|unexpected end of JSON|did not answer \S+ as AWS does`)

// converge runs command (an apply or a destroy) until it succeeds, at most maxApplies
// times. Every failure must be clear: each error one of the provider's own diagnostics,
// none showing a corrupted answer. It returns the failures.
func (w *scaleWorld) converge(ctx context.Context, step string, command func(context.Context) (*acctest.Run, error)) []acctest.Diagnostic {
	w.t.Helper()
	var failures []acctest.Diagnostic
	for attempt := 1; ; attempt++ {
		w.commands++
		run, err := command(ctx)
		if err == nil {
			if attempt > 1 {
				w.t.Logf("%s: converged on attempt %d after: %v", step, attempt, failures)
			}
			return failures
		}
		if run == nil {
			w.t.Fatalf("%s, attempt %d: %v", step, attempt, err)
		}
		errs := run.Errors()
		if len(errs) == 0 {
			w.t.Fatalf("%s, attempt %d: failed without a diagnostic: %v", step, attempt, err)
		}
		for _, d := range errs {
			if !clearSummary.MatchString(d.Summary) || corruption.MatchString(d.Detail) {
				w.t.Fatalf("%s, attempt %d: failed without a clear message: %s", step, attempt, d)
			}
		}
		failures = append(failures, errs...)
		if attempt == maxApplies {
			w.t.Fatalf("%s: still failing after %d attempts: %v", step, attempt, err)
		}
	}
}

// faultKinds are the fault suites: each share is of all calls (of writes, for lost answers).
var faultKinds = []struct {
	name   string
	faults acctest.RandomFaults
}{
	{"throttling", acctest.RandomFaults{Throttle: 0.30}},
	{"server errors", acctest.RandomFaults{ServerError: 0.10}},
	{"connection resets", acctest.RandomFaults{Reset: 0.10}},
	{"slow answers", acctest.RandomFaults{Slow: 0.20, MaxDelay: 1500 * time.Millisecond}},
	{"lost answers", acctest.RandomFaults{LostAnswer: 0.15}},
}

// TestAccScale_faults runs the lifecycle of n providers and n roles under each kind of
// fault between the provider and IAM: every apply and destroy either succeeds or fails with
// a clear message and the next one succeeds; afterwards IAM equals state, with no
// duplicate and no orphan, and holds what the configuration asks for.
func TestAccScale_faults(t *testing.T) {
	t.Parallel()
	n := scaleN(t, 10)
	for _, kind := range faultKinds {
		t.Run(strings.ReplaceAll(kind.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			w := newScaleWorld(t, n, "f"+strings.Fields(kind.name)[0][:3])
			ctx, cancel := context.WithTimeout(context.Background(), scaleTimeout(n))
			defer cancel()
			start := time.Now()
			w.ep.InjectRandomFaults(t, kind.faults)

			w.setConfig(0)
			failed := w.converge(ctx, "create", w.ws.Apply)
			w.checkIAM(ctx, "after create", 0)
			w.planIsEmpty(ctx, "re-plan after create")

			w.setConfig(1)
			failed = append(failed, w.converge(ctx, "change half", w.ws.Apply)...)
			w.checkIAM(ctx, "after change", 1)
			w.planIsEmpty(ctx, "re-plan after change")

			failed = append(failed, w.converge(ctx, "destroy", w.ws.Destroy)...)
			w.checkIAM(ctx, "after destroy", -1)

			counts := w.ep.FaultCounts()
			if total := sumCounts(counts); total == 0 {
				t.Errorf("no fault was injected in %d calls; the suite proved nothing", len(w.ep.Requests()))
			}
			t.Logf("%s, %d providers and %d roles: %d AWS calls, faults %s (on creates: %s), %d failed applies, %d terraform commands, %s",
				kind.name, n, n, len(w.ep.Requests()), acctest.FormatFaultCounts(counts), faultsOnCreates(w.ep), len(failed), w.commands, time.Since(start).Round(time.Second))
		})
	}
}

// faultsOnCreates says how many create calls met a fault, by action.
func faultsOnCreates(ep *acctest.Endpoint) string {
	counts := map[string]int{}
	for _, r := range ep.Requests() {
		if r.Faulted && strings.HasPrefix(r.Action, "Create") {
			counts[r.Action]++
		}
	}
	return fmt.Sprintf("CreateOpenIDConnectProvider %d, CreateRole %d", counts["CreateOpenIDConnectProvider"], counts["CreateRole"])
}

func sumCounts(counts map[acctest.FaultKind]int) int {
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}
