package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// attachedRun is what one terraform command against a provider started by the bench
// cost each process.
type attachedRun struct {
	providerKiB, terraformKiB int64 // peak resident memory
	providerCPU, terraformCPU time.Duration
	otherCPU                  time.Duration // moto and the bench (endpoint) meanwhile
}

// providerPeak runs one terraform command (args) in w against a provider process the
// bench starts itself in debug mode, so that its peak resident memory can be read
// (VmHWM, then getrusage once it has exited), its CPU time told apart from
// Terraform's, and its CPU and allocation profiles kept, named after tag.
func (b *bench) providerPeak(ctx context.Context, w *workdir, tag string, args []string) (a attachedRun, err error) {
	cpuProfile := filepath.Join(b.o.profileDir, tag+".cpu.pprof")
	memProfile := filepath.Join(b.o.profileDir, tag+".allocs.pprof")
	p, err := startDebugProvider(ctx, b.providerBin, append(append([]string(nil), w.env...),
		"AWSOIDC_CPU_PROFILE="+cpuProfile, "AWSOIDC_MEM_PROFILE="+memProfile))
	if err != nil {
		return a, err
	}
	defer p.stop()

	before := procCPU(p.cmd.Process.Pid)
	r, runErr := w.run(ctx, []string{"TF_REATTACH_PROVIDERS=" + p.reattach}, args...)
	hwm := p.highWaterMark()
	a.providerCPU = procCPU(p.cmd.Process.Pid) - before
	if err := p.stop(); err != nil {
		return a, err
	}
	if runErr != nil {
		return a, runErr
	}
	a.providerKiB = max(hwm, maxRSSOf(p.cmd.ProcessState))
	a.terraformKiB = r.maxRSS
	a.terraformCPU = processCPU(r.state)
	a.otherCPU = r.cpu - a.terraformCPU
	logf("%s: provider peak %d MiB; CPU: provider %s, terraform %s, moto and endpoint %s; profiles in %s",
		tag, a.providerKiB/1024, ms(a.providerCPU), ms(a.terraformCPU), ms(a.otherCPU), b.o.profileDir)
	return a, nil
}

// debugProvider is the provider binary serving in -debug mode.
type debugProvider struct {
	cmd      *exec.Cmd
	reattach string // the TF_REATTACH_PROVIDERS value it printed
	done     chan struct{}
	stopped  bool
	waitErr  error
}

func startDebugProvider(ctx context.Context, bin string, env []string) (*debugProvider, error) {
	cmd := exec.Command(bin, "-debug")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s -debug: %w", bin, err)
	}
	p := &debugProvider{cmd: cmd, done: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if v, ok := reattachValue(sc.Text()); ok && !sent {
				lines <- v
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		if !sent {
			close(lines)
		}
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	select {
	case v, ok := <-lines:
		if !ok {
			<-p.done
			return nil, fmt.Errorf("%s -debug ended without printing TF_REATTACH_PROVIDERS (%v): %s", bin, p.waitErr, stderr.String())
		}
		p.reattach = v
		return p, nil
	case <-time.After(30 * time.Second):
		_ = p.stop()
		return nil, fmt.Errorf("%s -debug printed no TF_REATTACH_PROVIDERS within 30s", bin)
	case <-ctx.Done():
		_ = p.stop()
		return nil, ctx.Err()
	}
}

// reattachValue finds the value in the line tf6server prints in debug mode:
//
//	TF_REATTACH_PROVIDERS='{"registry.terraform.io/...":{...}}'
func reattachValue(line string) (string, bool) {
	_, rest, ok := strings.Cut(line, "TF_REATTACH_PROVIDERS='")
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, "'")
	return v, ok && strings.HasPrefix(v, "{")
}

// highWaterMark is the process's peak resident set size so far, in KiB.
func (p *debugProvider) highWaterMark() int64 {
	v := procField(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid), "VmHWM")
	kib, _ := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	return kib
}

// stop interrupts the provider (its debug mode ends on SIGINT, writing any profile)
// and waits for it, killing it after 15 seconds.
func (p *debugProvider) stop() error {
	if p.stopped {
		return nil
	}
	p.stopped = true
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return errors.New("the debug provider did not stop within 15s of SIGINT")
	}
	var ee *exec.ExitError
	if p.waitErr != nil && !(errors.As(p.waitErr, &ee) && ee.Sys().(syscall.WaitStatus).Signaled()) {
		return fmt.Errorf("the debug provider: %w", p.waitErr)
	}
	return nil
}
