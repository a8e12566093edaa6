package acctest

import "syscall"

// providerProcAttr makes a provider process die with the test binary, so a
// crashed or timed-out test leaves none behind.
func providerProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
