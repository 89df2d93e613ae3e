// Package cputime tells how much CPU time the process has used, for the
// benchmarks: on a machine shared with other work it varies far less than
// the wall clock. It imports nothing of the kiosk, so any package's
// benchmarks can use it, the event store's own included.
package cputime

import (
	"syscall"
	"time"
)

// Used is the CPU time the process has used so far, user and system.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
