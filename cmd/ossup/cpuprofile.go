package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// cpuProfileEnv names a hidden environment variable: when it holds a
// path, the command writes a pprof CPU profile of its run there. It is
// for measuring ossup itself and is not part of the documented interface.
const cpuProfileEnv = "OSSUP_CPUPROFILE"

// startCPUProfile starts the profile cpuProfileEnv asks for and returns
// the function that stops and writes it; without the variable it does
// nothing.
func startCPUProfile(stderr io.Writer) (stop func()) {
	path := os.Getenv(cpuProfileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "ossup: %s: %v\n", cpuProfileEnv, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "ossup: %s: %v\n", cpuProfileEnv, err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "ossup: %s: %v\n", cpuProfileEnv, err)
		}
	}
}
