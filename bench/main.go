// Command bench measures the provider's speed and scale against floors: what Terraform
// core and the minimal network or IAM work for the same job cost on the same machine.
// Every figure is printed next to its floor as a ratio, since absolute times on a shared
// machine are noise; the same table is written into bench/RESULTS.md.
//
//	go run ./bench                 # make bench: N = 100, every section
//	go run ./bench -mode large -n 500 -rate-n 500 -sections refresh,ratelimit   # make bench-large
//
// It builds the provider and a minimal framework provider, starts moto and a local
// identity provider on loopback, and runs the Terraform CLI from PATH. Nothing it
// starts outlives it, and nothing leaves 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	mode        string // names the block of RESULTS.md this run replaces
	sizes       []int  // N for the refresh measurements
	runs        int    // timed runs per figure (the median is reported)
	largeRuns   int    // timed runs per figure for N > 100
	parallelism int    // Terraform's -parallelism, and the floor's workers
	rateN       int    // N for the rate-limited apply, refresh and destroy (0: skip)
	rate        float64
	rtt         time.Duration
	idpReaders  int
	demoRuns    int
	sections    map[string]bool
	results     string   // RESULTS.md to update ("" for none)
	profileDir  string   // where to keep the provider's profiles ("" for a temporary place)
	env         []string // added to every terraform run's environment (and so the provider's)
	keep        bool     // keep the work directory
	verbose     bool
}

// iamRateEstimate is the request rate the rate-limit run allows IAM calls by default.
//
// AWS does not publish IAM's control-plane request rate. What users report (throttling
// threads on AWS re:Post, and terraform-provider-aws issues about "Throttling: Rate
// exceeded" from IAM during large applies and refreshes) puts the sustained per-account
// rate in the low tens of requests per second, shared by all IAM actions. 20 requests
// per second is therefore an estimate, not a documented quota: change it with -rate.
const iamRateEstimate = 20

func main() {
	var o options
	var sizes, sections, env string
	flag.StringVar(&o.mode, "mode", "standard", "name of the RESULTS.md block this run replaces (standard or large)")
	flag.StringVar(&sizes, "n", "100", "comma-separated N (providers + roles) for the refresh measurements")
	flag.IntVar(&o.runs, "runs", 5, "timed runs per figure; the median is reported")
	flag.IntVar(&o.largeRuns, "large-runs", 3, "timed runs per figure when N > 100")
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism, and the workers of the IAM floor")
	flag.IntVar(&o.rateN, "rate-n", 100, "N for the rate-limited apply, refresh and destroy; 0 skips them")
	flag.Float64Var(&o.rate, "rate", iamRateEstimate, "IAM requests per second the token bucket allows (an estimate of IAM's rate; see RESULTS.md)")
	flag.DurationVar(&o.rtt, "rtt", 50*time.Millisecond, "round-trip time the proxy in front of the identity provider adds")
	flag.IntVar(&o.idpReaders, "idp-readers", 50, "awsoidc_discovery and awsoidc_thumbprint data sources each, reading one issuer")
	flag.IntVar(&o.demoRuns, "demo-runs", 1, "timed runs of make demo, after one warm-up; 0 skips it")
	flag.StringVar(&sections, "sections", "refresh,ratelimit,idp,startup,demo", "which measurements to run")
	flag.StringVar(&o.results, "results", "bench/RESULTS.md", "the results file whose block for -mode is replaced; empty to write none")
	flag.StringVar(&o.profileDir, "profile-dir", "", "keep the provider's CPU and allocation profiles here")
	flag.StringVar(&env, "env", "", "comma-separated KEY=VALUE added to terraform's environment, which the provider inherits (for experiments)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.BoolVar(&o.verbose, "v", false, "show the commands run")
	flag.Parse()

	var err error
	if o.sizes, err = parseSizes(sizes); err != nil {
		fatal(err)
	}
	for _, kv := range strings.Split(env, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			if !strings.Contains(kv, "=") {
				fatal(fmt.Errorf("-env: %q is not KEY=VALUE", kv))
			}
			o.env = append(o.env, kv)
		}
	}
	o.sections = map[string]bool{}
	for _, s := range strings.Split(sections, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.sections[s] = true
		}
	}
	if o.runs < 1 || o.largeRuns < 1 || o.parallelism < 1 || o.rate <= 0 || o.rtt < 0 || o.idpReaders < 1 {
		fatal(fmt.Errorf("-runs, -large-runs, -parallelism, -rate and -idp-readers must be positive, -rtt not negative"))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		stop()
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-n: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, o options) (err error) {
	started := time.Now()
	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := b.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()

	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"startup", b.startup},
		{"refresh", b.refresh},
		{"idp", b.remoteIdP},
		{"ratelimit", b.rateLimit},
		{"demo", b.demo},
	}
	for _, s := range steps {
		if !o.sections[s.name] {
			continue
		}
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	b.elapsed = time.Since(started)
	report := b.report()
	fmt.Println()
	fmt.Print(report)
	if o.results != "" {
		path := o.results
		if !filepath.IsAbs(path) {
			path = filepath.Join(b.root, path)
		}
		if err := updateResults(path, o.mode, report); err != nil {
			return err
		}
		fmt.Printf("\nwrote the %q block of %s\n", o.mode, path)
	}
	return nil
}
