package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
)

// connEnv are the environment variables every command that talks to a
// service reads (see globalFlags.connect and defaultDataDir).
var connEnv = []string{
	"OSS_ENDPOINT           endpoint URL; unset: the embedded local store",
	"OSS_REGION             signing region (default: read from the endpoint)",
	"OSS_ACCESS_KEY_ID      access key id",
	"OSS_ACCESS_KEY_SECRET  access key secret",
	"OSS_SESSION_TOKEN      STS security token",
	"XDG_DATA_HOME          the embedded store lives in $XDG_DATA_HOME/ossup/local",
	"AWS_ENDPOINT_URL       with s3:// URLs: endpoint; unset: AWS S3 if AWS keys are set",
	"AWS_REGION             with s3:// URLs: signing region (default us-east-1)",
	"AWS_ACCESS_KEY_ID      with s3:// URLs: access key id",
	"AWS_SECRET_ACCESS_KEY  with s3:// URLs: secret access key",
	"AWS_SESSION_TOKEN      with s3:// URLs: session token",
}

// helpTopics holds, per command, the environment variables it reads and
// three examples; "help <command>" prints them after the flags.
func helpTopics(name string) (env, examples []string) {
	switch name {
	case "cp":
		return connEnv, []string{
			"ossup cp big.iso oss://b/big.iso --task-num 8 --checkpoint",
			"ossup cp oss://b/big.iso ./big.iso --task-num 4",
			"ossup cp oss://b/big.iso oss://b2/copy.iso",
		}
	case "ls":
		return connEnv, []string{"ossup ls", "ossup ls oss://b/photos/", "ossup ls -r oss://b"}
	case "mb":
		return connEnv, []string{"ossup mb oss://b", "ossup mb oss://b --acl public-read", "ossup mb oss://b --storage-class IA"}
	case "rb":
		return connEnv, []string{"ossup rb oss://b", "ossup rb --dry-run oss://b", "ossup rm -r --force oss://b && ossup rb oss://b"}
	case "stat":
		return connEnv, []string{"ossup stat oss://b/k", "ossup stat oss://b/dir/report.pdf", "ossup stat --endpoint https://oss-cn-hangzhou.aliyuncs.com oss://b/k"}
	case "cat":
		return connEnv, []string{"ossup cat oss://b/notes.txt", "ossup cat oss://b/log.gz | gunzip", "ossup cat oss://b/k > k"}
	case "rm":
		return connEnv, []string{"ossup rm oss://b/k", "ossup rm -r --force oss://b/logs", "ossup rm --version-id VERSION oss://b/k"}
	case "uploads":
		return connEnv, []string{"ossup uploads ls oss://b", "ossup uploads abort oss://b/big.iso UPLOAD_ID", "ossup uploads abort --all --dry-run oss://b"}
	case "presign":
		return connEnv, []string{"ossup presign oss://b/k", "ossup presign --expires 10m oss://b/k", "ossup presign --method PUT oss://b/upload.bin"}
	case "versioning":
		return connEnv, []string{"ossup versioning oss://b", "ossup versioning oss://b enable", "ossup versioning oss://b suspend"}
	case "restore":
		return connEnv, []string{"ossup restore oss://b/archived.iso", "ossup restore --days 7 oss://b/archived.iso", "ossup restore --tier Expedited --days 30 oss://b/cold.iso"}
	case "serve":
		return []string{
				"OSS_ACCESS_KEY_ID      access key id of the account (default: generated, kept in the data directory)",
				"OSS_ACCESS_KEY_SECRET  its secret",
				"XDG_DATA_HOME          the default data directory is $XDG_DATA_HOME/ossup/serve",
			}, []string{
				"ossup serve",
				"ossup serve --addr 0.0.0.0:9000 --data /srv/ossup",
				"ossup serve -q > serve.env & sleep 1; . ./serve.env; ossup ls",
			}
	case "completion":
		return nil, []string{
			`source <(ossup completion bash)`,
			`ossup completion zsh > "${fpath[1]}/_ossup"`,
			"ossup completion fish > ~/.config/fish/completions/ossup.fish",
		}
	}
	return nil, nil
}

// helpExtra prints the environment and examples of a command after its
// flags.
func helpExtra(w io.Writer, name string) {
	env, examples := helpTopics(name)
	if len(env) > 0 {
		fmt.Fprint(w, "\nEnvironment:\n")
		for _, e := range env {
			// NAME, padded to the description's column, then the
			// description wrapped under itself.
			name, desc, _ := strings.Cut(e, "  ")
			pad := strings.Repeat(" ", len(name)+2+len(desc)-len(strings.TrimLeft(desc, " ")))
			for i, l := range wrapText(desc, helpWidth-2-len(pad)) {
				if i == 0 {
					fmt.Fprintf(w, "  %s%s\n", name+pad[len(name):], l)
				} else {
					fmt.Fprintf(w, "  %s%s\n", pad, l)
				}
			}
		}
	}
	if len(examples) > 0 {
		fmt.Fprint(w, "\nExamples:\n")
		for _, e := range examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// versionString is the module version and the VCS commit of the build,
// "(devel)" when the binary was not built from a tagged module.
func versionString() string { return versionFrom(debug.ReadBuildInfo()) }

// versionFrom formats the version line from a binary's build info.
func versionFrom(bi *debug.BuildInfo, ok bool) string {
	v, rev, dirty := "(devel)", "", false
	if ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev == "" {
		return "ossup " + v
	}
	if dirty {
		rev += "-dirty"
	}
	return "ossup " + v + " commit " + rev
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stderr, "Usage: ossup version (or ossup --version)\n\nPrints the module version and the commit ossup was built from.\n")
		return flag.ErrHelp
	}
	if len(args) > 0 {
		return &usageError{"version takes no arguments"}
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}

// flagLine matches a flag in the listing flag.PrintDefaults writes.
var flagLine = regexp.MustCompile(`(?m)^  -([A-Za-z][\w-]*)`)

// commandFlags are the flags of command c, read from its own help: the
// command table is the one place that defines them.
func commandFlags(c command) []string {
	if c.name == "completion" || c.name == "version" {
		return nil
	}
	var help bytes.Buffer
	_ = c.run(context.Background(), []string{"-h"}, io.Discard, &help)
	var flags []string
	for _, m := range flagLine.FindAllStringSubmatch(help.String(), -1) {
		if !slices.Contains(flags, "--"+m[1]) {
			flags = append(flags, "--"+m[1])
		}
	}
	return flags
}

func runCompletion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stderr, "Usage: ossup completion bash|zsh|fish\n\nPrints a script that completes ossup's commands and their flags.\n")
		return flag.ErrHelp
	}
	if len(args) != 1 {
		return &usageError{"completion takes one shell: bash, zsh or fish"}
	}
	var names []string
	flags := map[string][]string{}
	for _, c := range commands() {
		names = append(names, c.name)
		flags[c.name] = commandFlags(c)
	}
	switch args[0] {
	case "bash":
		writeBash(stdout, names, flags)
	case "zsh":
		fmt.Fprint(stdout, "#compdef ossup\nautoload -U +X bashcompinit && bashcompinit\n")
		writeBash(stdout, names, flags)
	case "fish":
		writeFish(stdout, names, flags)
	default:
		return &usageError{fmt.Sprintf("completion for %q: want bash, zsh or fish", args[0])}
	}
	return nil
}

func writeBash(w io.Writer, names []string, flags map[string][]string) {
	fmt.Fprintf(w, "# ossup completion for bash: source <(ossup completion bash)\n_ossup() {\n")
	fmt.Fprintf(w, "  local cur=${COMP_WORDS[COMP_CWORD]}\n")
	fmt.Fprintf(w, "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n    return\n  fi\n", strings.Join(append(names, "help"), " "))
	fmt.Fprintf(w, "  case ${COMP_WORDS[1]} in\n")
	for _, n := range names {
		fmt.Fprintf(w, "  %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", n, strings.Join(flags[n], " "))
	}
	fmt.Fprintf(w, "  help) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", strings.Join(names, " "))
	fmt.Fprintf(w, "  esac\n  case $cur in -*) ;; *) COMPREPLY+=($(compgen -f -- \"$cur\")) ;; esac\n}\ncomplete -F _ossup ossup\n")
}

func writeFish(w io.Writer, names []string, flags map[string][]string) {
	fmt.Fprintln(w, "# ossup completion for fish")
	fmt.Fprintf(w, "complete -c ossup -n __fish_use_subcommand -f -a %q\n", strings.Join(append(names, "help"), " "))
	for _, n := range names {
		for _, f := range flags[n] {
			fmt.Fprintf(w, "complete -c ossup -n '__fish_seen_subcommand_from %s' -l %s\n", n, strings.TrimPrefix(f, "--"))
		}
	}
}

// helpWidth is the width help text is wrapped to: an 80-column terminal
// less one, so that no line reaches its last column.
const helpWidth = 79

// printFlags lists fs's flags as flag.PrintDefaults does, each description
// wrapped to helpWidth under its flag.
func printFlags(fs *flag.FlagSet) {
	w := fs.Output()
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintln(w, line)
		if !zeroDefault(f) {
			if fmt.Sprintf("%T", f.Value) == "*flag.stringValue" {
				usage += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				usage += fmt.Sprintf(" (default %v)", f.DefValue)
			}
		}
		for _, l := range wrapText(usage, helpWidth-8) {
			fmt.Fprintln(w, "        "+l)
		}
	})
}

// zeroDefault reports whether f's default is its type's zero value, which
// the listing leaves unsaid.
func zeroDefault(f *flag.Flag) bool {
	t := reflect.TypeOf(f.Value)
	var z reflect.Value
	if t.Kind() == reflect.Pointer {
		z = reflect.New(t.Elem())
	} else {
		z = reflect.Zero(t)
	}
	v, ok := z.Interface().(flag.Value)
	return ok && f.DefValue == v.String()
}

// wrapText breaks s into lines of at most width bytes at spaces; a word
// longer than width stands alone on its line.
func wrapText(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
