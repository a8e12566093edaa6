package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU time is a steadier measure than wall time on a shared machine: other work slows
// a run down, but hardly changes how much CPU the run itself burns. Each measurement
// adds up the CPU of every process taking part: terraform and the providers it started
// (reaped children count into its rusage), moto, and this process (the recording
// endpoint, the floor's IAM client).

// cpuSnapshot holds the CPU time used so far by this process and by moto.
type cpuSnapshot struct {
	self, moto time.Duration
}

func (b *bench) cpuNow() cpuSnapshot {
	var s cpuSnapshot
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = rusageCPU(&ru)
	}
	if b.moto != nil {
		s.moto = procCPU(b.moto.Pid())
	}
	return s
}

// since is the CPU used by this process and moto after s.
func (s cpuSnapshot) since(b *bench) time.Duration {
	now := b.cpuNow()
	return (now.self - s.self) + (now.moto - s.moto)
}

func rusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU is a finished process's user + system time, its reaped children's included.
func processCPU(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}

// clockTick is USER_HZ, the unit of /proc/<pid>/stat times; 100 on every Linux
// architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU reads a running process's user + system time from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after its ')' are fixed.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	// After ')': state is field 3, so utime (14) and stime (15) are at 11 and 12.
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * clockTick
}
