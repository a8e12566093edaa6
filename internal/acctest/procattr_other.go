//go:build !linux

package acctest

import "syscall"

// providerProcAttr: only Linux can tie a child's life to its parent's; the
// test's cleanup stops the process elsewhere.
func providerProcAttr() *syscall.SysProcAttr { return nil }
