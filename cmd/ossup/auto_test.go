package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestAutoPartSize(t *testing.T) {
	tests := []struct {
		size, want int64
	}{
		{-1, 8 << 20},
		{0, 8 << 20},
		{300 << 20, 8 << 20},
		{10000 * 8 << 20, 8 << 20},
		{10000*8<<20 + 1, 9 << 20},
		{100 << 30, 11 << 20}, // 10.24 MiB a part, rounded up
		{48 << 40, 5034 << 20},
	}
	for _, tt := range tests {
		if got := autoPartSize(tt.size); got != tt.want {
			t.Errorf("autoPartSize(%d) = %d, want %d", tt.size, got, tt.want)
		}
		if tt.size > 0 && (tt.size+autoPartSize(tt.size)-1)/autoPartSize(tt.size) > 10000 {
			t.Errorf("autoPartSize(%d) needs more than 10,000 parts", tt.size)
		}
	}
}

func TestAutoTasks(t *testing.T) {
	tests := []struct{ parts, cpus, want int }{
		{-1, 8, 4},
		{1, 8, 1},
		{38, 1, 4},
		{38, 2, 8},
		{38, 64, 16},
		{3, 64, 3},
		{0, 2, 1},
	}
	for _, tt := range tests {
		if got := autoTasks(tt.parts, tt.cpus); got != tt.want {
			t.Errorf("autoTasks(%d, %d) = %d, want %d", tt.parts, tt.cpus, got, tt.want)
		}
	}
}

// TestCpVerbose runs cp -v on a small and a larger file, both ways, and
// with flags given, which win.
func TestCpVerbose(t *testing.T) {
	env := embeddedEnv(t)
	small, _ := writeRandomFile(t, 1000)
	large, _ := writeRandomFile(t, 20<<20)
	tasks := min(autoTasks(3, runtime.NumCPU()), 3)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"small upload", []string{"cp", "-v", small, "oss://verbose/small"}, "ossup: 1000 B in one request (chosen for the file)\n"},
		{"large upload", []string{"cp", "-v", large, "oss://verbose/large"}, fmt.Sprintf("ossup: 20 MiB in 3 parts of 8.0 MiB, %d at a time (chosen for the file)\n", tasks)},
		{"large download", []string{"cp", "-v", "oss://verbose/large", t.TempDir()}, fmt.Sprintf("ossup: 20 MiB in 3 parts of 8.0 MiB, %d at a time (chosen for the file)\n", tasks)},
		{"small download", []string{"cp", "-v", "oss://verbose/small", t.TempDir()}, "ossup: 1000 B in one request (chosen for the file)\n"},
		{"flags win", []string{"cp", "-v", "--part-size", "1MiB", "--task-num", "2", large, "oss://verbose/given"}, "ossup: 20 MiB in 20 parts of 1.0 MiB, 2 at a time (as given)\n"},
		{"part size given", []string{"cp", "-v", "--part-size", "5MiB", large, "oss://verbose/given"}, fmt.Sprintf("ossup: 20 MiB in 4 parts of 5.0 MiB, %d at a time (chosen for the file)\n", min(autoTasks(4, runtime.NumCPU()), 4))},
		{"download ranges at least 8MiB", []string{"cp", "-v", "--part-size", "1MiB", "--task-num", "2", "oss://verbose/given", t.TempDir()}, "ossup: 20 MiB in 3 parts of 8.0 MiB, 2 at a time (as given)\n"},
		{"standard input", []string{"cp", "-v", "-", "oss://verbose/stdin"}, "ossup: parts of 8.0 MiB, 4 at a time (chosen for the file)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{tt.args[0], "-q"}, tt.args[1:]...)
			_, errOut, code := cli(t, env, args...)
			if code != 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tt.want)
			}
		})
	}
}
