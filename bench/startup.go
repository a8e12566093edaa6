package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// minimalConfig has as many blocks as examples/quickstart has provider-backed ones
// (two data sources, two resources, two more data sources), each an empty resource of
// the minimal provider.
const minimalConfig = `
terraform {
  required_providers {
    minimal = { source = "bench/minimal" }
  }
}

resource "minimal_empty" "discovery" {}
resource "minimal_empty" "thumbprint" {}
resource "minimal_empty" "provider" {}
resource "minimal_empty" "role" {}
resource "minimal_empty" "allowed" {}
resource "minimal_empty" "neighbour" {}
`

// startup times terraform validate of examples/quickstart against the same command
// with the minimal framework provider, and compares the binaries' sizes.
func (b *bench) startup(ctx context.Context) error {
	quickstart := map[string]string{}
	src := filepath.Join(b.root, "examples", "quickstart")
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tf") {
			content, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				return err
			}
			quickstart[e.Name()] = string(content)
		}
	}
	qs, err := b.newWorkdir(ctx, "quickstart", quickstart, b.tfEnv())
	if err != nil {
		return err
	}
	mini, err := b.newWorkdir(ctx, "minimal", map[string]string{"main.tf": minimalConfig}, b.tfEnv())
	if err != nil {
		return err
	}
	validate := []string{"validate", "-no-color"}
	// Validate takes a fraction of a second, so it gets more runs than the rest.
	runs := 2*b.o.runs + 1
	var ours, floor samples
	for range runs {
		r, err := mini.run(ctx, nil, validate...)
		if err != nil {
			return err
		}
		floor = append(floor, r.wall)
		r, err = qs.run(ctx, nil, validate...)
		if err != nil {
			return err
		}
		ours = append(ours, r.wall)
	}
	b.add(row{section: "4 start-up", figure: "terraform validate of examples/quickstart", value: seconds(ours.median()), floor: seconds(floor.median()),
		unit: "s", target: 1.2, spread: ours.spread(), note: "floor = the minimal framework provider, six empty resources"})

	size := func(p string) (float64, error) {
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		return float64(st.Size()) / (1 << 20), nil
	}
	ourSize, err := size(b.providerBin)
	if err != nil {
		return err
	}
	minSize, err := size(b.minimalBin)
	if err != nil {
		return err
	}
	b.add(row{section: "4 start-up", figure: "provider binary size", value: ourSize, floor: minSize, unit: "MiB",
		note: "release flags; floor = the minimal framework provider"})
	return nil
}

// demo times `make demo` once warm, and the demo driver alone (without the two go
// builds make demo starts with).
func (b *bench) demo(ctx context.Context) error {
	if b.o.demoRuns == 0 {
		return nil
	}
	makeBin := os.Getenv("MAKE")
	if makeBin == "" {
		makeBin = "make"
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "AWSOIDC_") {
			continue
		}
		env = append(env, kv)
	}
	runCmd := func(name string, args ...string) (time.Duration, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = b.root
		cmd.Env = env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(string(out), 4000))
		}
		return time.Since(start), nil
	}
	logf("make demo: one warm-up run")
	if _, err := runCmd(makeBin, "--no-print-directory", "demo"); err != nil {
		return err
	}
	var whole, driver samples
	for range b.o.demoRuns {
		d, err := runCmd(makeBin, "--no-print-directory", "demo")
		if err != nil {
			return err
		}
		whole = append(whole, d)
		d, err = runCmd(filepath.Join(b.root, "bin", "demo", "awsoidc-demo"), "-provider-dir", filepath.Join(b.root, "bin", "demo"), "-quickstart", "examples/quickstart")
		if err != nil {
			return err
		}
		driver = append(driver, d)
	}
	b.add(row{section: "5 demo", figure: "make demo, warm", value: seconds(whole.median()), unit: "s", spread: whole.spread()})
	b.add(row{section: "5 demo", figure: "the demo driver alone (no go build)", value: seconds(driver.median()), unit: "s", spread: driver.spread(),
		note: "moto start, init, apply, token exchange, destroy"})
	return nil
}
