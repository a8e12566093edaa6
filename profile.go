package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// Profiles are opt-in, for finding where a slow plan spends its time: set
// AWSOIDC_CPU_PROFILE and/or AWSOIDC_MEM_PROFILE to file paths, and the provider
// writes a CPU profile of its whole life and an allocation profile at its end, for
// `go tool pprof`. Unset, nothing is started. Run without TF_LOG, whose
// formatting would dominate the profile.
const (
	cpuProfileEnv = "AWSOIDC_CPU_PROFILE"
	memProfileEnv = "AWSOIDC_MEM_PROFILE"
)

// startProfiles starts what the environment asks for and returns the function that
// writes the profiles out; it must run when serving ends.
func startProfiles() (stop func() error, err error) {
	cpuPath, memPath := os.Getenv(cpuProfileEnv), os.Getenv(memProfileEnv)
	var cpu *os.File
	if cpuPath != "" {
		cpu, err = os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cpuProfileEnv, err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			return nil, errors.Join(fmt.Errorf("%s: %w", cpuProfileEnv, err), cpu.Close())
		}
	}
	return func() error {
		var errs []error
		if cpu != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpu.Close())
		}
		if memPath != "" {
			errs = append(errs, writeAllocProfile(memPath))
		}
		return errors.Join(errs...)
	}, nil
}

func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", memProfileEnv, err)
	}
	// The heap profile lags one collection behind; two make its in-use figures
	// those of the end of the run.
	runtime.GC()
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return errors.Join(fmt.Errorf("%s: %w", memProfileEnv, err), f.Close())
	}
	return f.Close()
}
