package main

import (
	"strings"
	"testing"
)

// TestRmSafety: rm -r takes the object and what lies under it/, not its
// siblings; more than one object needs --force off a terminal; --dry-run
// removes nothing; a missing object is an error.
func TestRmSafety(t *testing.T) {
	env := embeddedEnv(t)
	path, _ := writeRandomFile(t, 10)
	for _, k := range []string{"x", "x/a", "x/b/c", "xy.txt", "single"} {
		mustCLI(t, env, "cp", path, "oss://rmb/"+k)
	}
	keys := func() string { return mustCLI(t, env, "ls", "-r", "oss://rmb") }

	if _, errOut, code := cli(t, env, "rm", "oss://rmb/missing"); code != 1 || !strings.Contains(errOut, "no such object oss://rmb/missing") {
		t.Errorf("rm of a missing object: exit %d, %q", code, errOut)
	}
	if _, errOut, code := cli(t, env, "rm", "-r", "oss://rmb/x"); code != 2 || !strings.Contains(errOut, "would remove 3 objects") || !strings.Contains(errOut, "--force") {
		t.Errorf("rm -r without --force off a terminal: exit %d, %q", code, errOut)
	}
	out := mustCLI(t, env, "rm", "-r", "--dry-run", "oss://rmb/x")
	for _, k := range []string{"oss://rmb/x\n", "oss://rmb/x/a\n", "oss://rmb/x/b/c\n"} {
		if !strings.Contains(out, "would remove "+k) {
			t.Errorf("dry run %q does not list %s", out, k)
		}
	}
	if strings.Contains(out, "xy.txt") {
		t.Errorf("dry run lists a sibling: %q", out)
	}
	if got := keys(); strings.Count(got, "oss://rmb/") != 5 {
		t.Fatalf("the dry run removed something: %q", got)
	}
	if out := mustCLI(t, env, "rm", "-r", "--force", "oss://rmb/x"); strings.Count(out, "removed ") != 3 {
		t.Errorf("rm -r --force: %q", out)
	}
	if got := keys(); !strings.Contains(got, "oss://rmb/xy.txt") || strings.Count(got, "oss://rmb/") != 2 {
		t.Fatalf("after rm -r: %q", got)
	}
	mustCLI(t, env, "rm", "oss://rmb/single") // one object needs no --force
	mustCLI(t, env, "rm", "--prefix", "oss://rmb/x")
	if got := keys(); got != "" {
		t.Fatalf("after rm --prefix: %q", got)
	}
	if out := mustCLI(t, env, "rb", "--dry-run", "oss://rmb"); !strings.Contains(out, "would remove oss://rmb") {
		t.Errorf("rb --dry-run: %q", out)
	}
	mustCLI(t, env, "ls", "oss://rmb") // still there
}
