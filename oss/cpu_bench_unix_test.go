//go:build unix

package oss_test

import (
	"syscall"
	"testing"
	"time"
)

// benchCPU is the CPU time (user and system) the process has used.
func benchCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
