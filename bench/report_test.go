package bench

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossup/ossup/oss"
	"github.com/ossup/ossup/oss/osstest"
)

// The report (TestReport) runs every comparison the project publishes,
// with one command (report.sh), and prints one table per comparison.
// Every measured client runs as a process of its own, this test binary
// run again as TestReportChild with the work in reportChildEnv, so that
// its CPU time and peak RSS (from its rusage, after it exits) are its
// own; the servers it talks to run in this process (the null service)
// or as processes of their own (`ossup serve`, MinIO).

const (
	reportEnv       = "OSSUP_BENCH_REPORT" // "1" runs TestReport
	reportRoundsEnv = "OSSUP_BENCH_ROUNDS" // rounds per row; 3 unless set
	reportRowsEnv   = "OSSUP_BENCH_ROWS"   // groups to run, comma-separated; all unless set
	reportMDEnv     = "OSSUP_BENCH_MD"     // a file to write the tables to, as Markdown
	reportChildEnv  = "OSSUP_BENCH_CHILD"  // a childJob, as JSON, for TestReportChild
)

// reportGroups are the groups of rows, in the order they run.
var reportGroups = []string{"upload", "rss", "download", "batch", "server", "s3"}

// childJob is one client operation, run in a process of its own.
type childJob struct {
	Op         string // "upload", "download", or "idle" (nothing)
	Client     string // one of clientNames
	URL        string
	Region     string
	ID, Secret string
	Bucket     string
	Key        string
	Path       string // the file uploaded, or the file downloaded to
	PartSize   int64
	Tasks      int
	Checkpoint bool
	CPDir      string
}

// childResult is what TestReportChild prints, after childResultPrefix,
// on a line of its own.
type childResult struct {
	Seconds float64 // the operation alone
	PeakRSS int64   // the process's peak resident set (VmHWM) at the end, bytes
}

const childResultPrefix = "ossup-bench-child-result: "

// TestReportChild runs the one client operation that reportChildEnv
// describes, timing the operation alone, and prints the time. It does
// nothing unless run by runChild.
func TestReportChild(t *testing.T) {
	spec := os.Getenv(reportChildEnv)
	if spec == "" {
		t.Skip("runs only as a process of TestReport or TestReportSmoke")
	}
	var j childJob
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		t.Fatal(err)
	}
	ep := endpoint{url: j.URL, region: j.Region, id: j.ID, secret: j.Secret, bucket: j.Bucket}
	w := job{partSize: j.PartSize, tasks: j.Tasks, checkpoint: j.Checkpoint, cpDir: j.CPDir}
	ctx := t.Context()
	var run func() error
	switch j.Op {
	case "upload":
		c := newClient(t, j.Client, endpointEnv(t, ep))
		run = func() error { return c.UploadFile(ctx, j.Key, j.Path, w) }
	case "download":
		d := newDownloader(t, j.Client, ep)
		run = func() error { return d.DownloadFile(ctx, j.Key, j.Path, w) }
	case "s3upload":
		u := newS3Uploader(t, j.Client, ep)
		run = func() error { return u.Upload(ctx, j.Key, j.Path, w) }
	case "idle":
		run = func() error { return nil }
	default:
		t.Fatalf("no operation %q", j.Op)
	}
	start := time.Now()
	err := run()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("%s %s: %v", j.Client, j.Op, err)
	}
	out, err := json.Marshal(childResult{Seconds: elapsed.Seconds(), PeakRSS: peakRSS(t)})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("\n%s%s\n", childResultPrefix, out)
}

// endpointEnv is an osstest.Env for newClient that reaches ep: only the
// fields newClient reads are set (HTTP is a bare httptest.Server holding
// the URL; no server runs in this process).
func endpointEnv(tb testing.TB, ep endpoint) *osstest.Env {
	creds := oss.Credentials{AccessKeyID: ep.id, AccessKeySecret: ep.secret}
	return &osstest.Env{
		Client:      ossupFor(tb, ep),
		HTTP:        &httptest.Server{URL: ep.url},
		Config:      oss.Config{Endpoint: ep.url, Region: ep.region, SignatureVersion: oss.SignatureV4, UsePathStyle: true},
		Credentials: creds,
		Bucket:      ep.bucket,
	}
}

// run is one measured run of a client or a tool.
type run struct {
	elapsed time.Duration
	cpu     time.Duration // user plus system, of the client's process
	sys     time.Duration // the system part of cpu
	maxRSS  int64         // the client's peak resident set, bytes
	server  time.Duration // the server process's CPU, when it is one
}

// runChild runs j in a new process of this test binary and returns the
// time the operation took and the child's peak RSS, as the child
// measured them, and its CPU time from its rusage.
//
// The peak RSS is not the rusage's maxrss: os/exec starts a child with
// clone(CLONE_VM|CLONE_VFORK), so until it execs the child runs in this
// process's memory, and Linux, at exec, folds the high-water mark of
// the memory it leaves into the child's maxrss. A child's maxrss is
// thus at least this process's peak. VmHWM in /proc/<pid>/status is the
// high-water mark of the memory the child execs into alone.
func runChild(j childJob) (run, error) {
	spec, err := json.Marshal(j)
	if err != nil {
		return run{}, err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReportChild$", "-test.count=1", "-test.timeout=1h")
	cmd.Env = append(os.Environ(), reportChildEnv+"="+string(spec))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return run{}, fmt.Errorf("%s %s: %v\n%s", j.Client, j.Op, err, out.Bytes())
	}
	var res *childResult
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), childResultPrefix); ok {
			res = new(childResult)
			if err := json.Unmarshal([]byte(rest), res); err != nil {
				return run{}, err
			}
		}
	}
	if res == nil {
		return run{}, fmt.Errorf("%s %s: no result in the output:\n%s", j.Client, j.Op, out.Bytes())
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return run{
		elapsed: time.Duration(res.Seconds * float64(time.Second)),
		cpu:     time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		sys:     time.Duration(ru.Stime.Nano()),
		maxRSS:  res.PeakRSS,
	}, nil
}

// selfCPU is this process's CPU time so far, user plus system: while a
// client runs in its child process, what this process spends is the null
// service's work for it.
func selfCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clientCase is one row group of client runs: every client in clients
// does the same upload (of a file of size bytes) or download (of an
// object of size bytes), with checkpoint and CRC-64 checks on.
type clientCase struct {
	title    string
	op       string // "upload" or "download"
	size     int64
	partSize int64
	tasks    int
	clients  []string
}

// reportFile is a file of pseudo-random bytes that the client cases
// share, with its MD5 and CRC-64.
type reportFile struct {
	path string
	size int64
	md5  [md5.Size]byte
	crc  uint64
}

// reportFiles writes, once per size, the files of cases under dir.
type reportFiles struct {
	dir   string
	files map[int64]*reportFile
}

func (fs *reportFiles) get(tb testing.TB, size int64) *reportFile {
	if f, ok := fs.files[size]; ok {
		return f
	}
	f := &reportFile{path: filepath.Join(fs.dir, fmt.Sprintf("data-%d.bin", size)), size: size}
	f.md5 = writeFile(tb, f.path, size, uint64(size))
	f.crc = fileCRC(tb, f.path) // also leaves the file in the page cache
	// Write the file back now rather than during the first runs.
	syscall.Sync()
	if fs.files == nil {
		fs.files = map[int64]*reportFile{}
	}
	fs.files[size] = f
	return f
}

// runClientCase runs c rounds times, the clients interleaved within
// each round, against ns, and returns each client's runs. Outside the
// timing every upload's size and combined CRC-64 (as the null service
// received it) and every download's size and MD5 are checked, and the
// checkpoint directory must be empty.
func runClientCase(t *testing.T, ns *nullService, ep endpoint, files *reportFiles, c clientCase, rounds int) map[string][]run {
	f := files.get(t, c.size)
	const downloadKey = "report-download"
	if c.op == "download" {
		ns.serveFile(t, downloadKey, f.path, f.crc)
	}
	runs := map[string][]run{}
	for round := range rounds {
		for _, name := range c.clients {
			cpDir := t.TempDir()
			j := childJob{Op: c.op, Client: name, URL: ep.url, Region: ep.region, ID: ep.id, Secret: ep.secret,
				Bucket: ep.bucket, PartSize: c.partSize, Tasks: c.tasks, Checkpoint: true, CPDir: cpDir}
			switch c.op {
			case "upload":
				j.Key, j.Path = fmt.Sprintf("report-%s-%d", name, round), f.path
			case "download":
				j.Key, j.Path = downloadKey, filepath.Join(t.TempDir(), "download.bin")
			}
			svc0 := selfCPU(t)
			r, err := runChild(j)
			if err != nil {
				t.Fatal(err)
			}
			r.server = selfCPU(t) - svc0
			switch c.op {
			case "upload":
				ns.checkObject(t, j.Key, f.size, f.crc)
			case "download":
				if err := sameFile(j.Path, f.size, f.md5); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if err := os.Remove(j.Path); err != nil {
					t.Fatal(err)
				}
			}
			if es, _ := os.ReadDir(cpDir); len(es) > 0 {
				t.Fatalf("%s: %d files left in the checkpoint directory", name, len(es))
			}
			progress("%s: %s round %d: %.0f MB/s, %.2f CPU-s (%.2f system), %.1f MiB peak RSS, service %.2f CPU-s",
				c.title, name, round+1, mbps(c.size, r.elapsed), r.cpu.Seconds(), r.sys.Seconds(), mib(r.maxRSS), r.server.Seconds())
			runs[name] = append(runs[name], r)
		}
	}
	return runs
}

// clientTable makes the table of a client case: per client the medians
// of its throughput, CPU per GiB, peak RSS and, where the service runs in
// this process, the service's CPU per GiB, and the ratios of those
// medians to each peer's that ran.
func clientTable(c clientCase, runs map[string][]run, note string) *table {
	type med struct{ mbps, cpu, sys, rss, lo, hi, svc float64 }
	gib := float64(c.size) / (1 << 30)
	meds := map[string]med{}
	for _, name := range c.clients {
		rs := runs[name]
		if len(rs) == 0 {
			continue
		}
		var ms, cs, ys, ss, vs []float64
		for _, r := range rs {
			ms = append(ms, mbps(c.size, r.elapsed))
			cs = append(cs, r.cpu.Seconds()/gib)
			ys = append(ys, r.sys.Seconds()/gib)
			ss = append(ss, mib(r.maxRSS))
			vs = append(vs, r.server.Seconds()/gib)
		}
		meds[name] = med{median(ms), median(cs), median(ys), median(ss), slices.Min(ms), slices.Max(ms), median(vs)}
	}
	var peers []string
	for _, p := range []string{"sdk-v1", "sdk-v2", "aws-tm", "minio-go"} {
		if slices.Contains(c.clients, p) {
			peers = append(peers, p)
		}
	}
	// The service's CPU is measured where it runs in this process.
	withSvc := false
	for _, m := range meds {
		withSvc = withSvc || m.svc > 0
	}
	tb := &table{title: c.title, head: []string{"client", "MB/s", "min–max", "CPU-s/GiB", "sys", "RSS MiB"}}
	if withSvc {
		tb.head = append(tb.head, "svc CPU-s/GiB")
	}
	for _, p := range peers {
		tb.head = append(tb.head, "MB/s ×"+short(p))
	}
	for _, p := range peers {
		tb.head = append(tb.head, "CPU ×"+short(p))
	}
	for _, name := range c.clients {
		m, ok := meds[name]
		if !ok {
			row := []string{name, "failed"}
			for len(row) < len(tb.head) {
				row = append(row, "")
			}
			tb.rows = append(tb.rows, row)
			continue
		}
		row := []string{name, fmt.Sprintf("%.0f", m.mbps), fmt.Sprintf("%.0f–%.0f", m.lo, m.hi),
			fmt.Sprintf("%.2f", m.cpu), fmt.Sprintf("%.2f", m.sys), fmt.Sprintf("%.1f", m.rss)}
		if withSvc {
			row = append(row, fmt.Sprintf("%.2f", m.svc))
		}
		for _, p := range peers {
			row = append(row, ratio(m.mbps, meds[p].mbps, meds[p] != med{}))
		}
		for _, p := range peers {
			row = append(row, ratio(m.cpu, meds[p].cpu, meds[p] != med{}))
		}
		tb.rows = append(tb.rows, row)
	}
	if note != "" {
		tb.notes = append(tb.notes, note)
	}
	return tb
}

// short is the column label of a peer.
func short(name string) string { return strings.TrimPrefix(name, "sdk-") }

// ratio formats a/b, or "—" without b.
func ratio(a, b float64, ok bool) string {
	if !ok || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// The client cases of the report, at full size.
var (
	uploadCases = []clientCase{
		{"Upload, null service: 512 MiB, 8 MiB parts, 4 tasks, checkpoint on", "upload", 512 << 20, 8 << 20, 4, uploadClients},
		{"Upload, null service: 512 MiB, 8 MiB parts, 1 task, checkpoint on", "upload", 512 << 20, 8 << 20, 1, uploadClients},
		{"Upload, null service, reference default: 256 MiB, 100 KiB parts, 5 tasks, checkpoint on", "upload", 256 << 20, 100 << 10, 5, uploadClients},
	}
	rssCases = []clientCase{
		{"Peak RSS, null service: 1 GiB, 64 MiB parts, 8 tasks, checkpoint on", "upload", 1 << 30, 64 << 20, 8, []string{"ossup"}},
		// The smallest part size that cuts 1 GiB into 10,000 parts.
		{"Peak RSS, null service: 1 GiB in 10,000 parts of 107,375 bytes, 5 tasks, checkpoint on", "upload", 1 << 30, (1<<30 + 9999) / 10000, 5, []string{"ossup"}},
	}
	downloadCases = []clientCase{
		{"Download, null service (sendfile): 512 MiB, 8 MiB ranges, 4 at a time, checkpoint on", "download", 512 << 20, 8 << 20, 4, clientNames},
	}
)

const nullNote = "The null service runs in the report's process on loopback; it computes each part's CRC-64 (with ossup's carry-less-multiplication CRC, oss.NewCRC64, so that it costs every client little) and stores nothing. Every upload's size and combined CRC-64 are checked."

const floorNote = " floor is not a peer but the ceiling of any client here: a multipart upload whose parts go by sendfile, with no signature, checksum or checkpoint (bench/floor_test.go)."

const downloadNote = "The null service serves the object from a local file in the page cache with sendfile (http.ServeContent), with ETag, Last-Modified and x-oss-hash-crc64ecma; every client checks the whole object's CRC-64, and every file is compared by size and MD5 after. ossup fsyncs the file before renaming it into place and neither SDK calls fsync, so ossup's time and system CPU include writing the file to disk."

// TestReport runs the report: every group named in reportRowsEnv (all
// by default), reportRoundsEnv rounds each. It prints the tables and,
// with reportMDEnv set, writes them as Markdown. It runs only with
// reportEnv=1; report.sh sets it.
func TestReport(t *testing.T) {
	if os.Getenv(reportEnv) != "1" {
		t.Skipf("set %s=1 (or run report.sh) to run the report", reportEnv)
	}
	rounds := 3
	if v := os.Getenv(reportRoundsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", reportRoundsEnv, v)
		}
		rounds = n
	}
	groups := reportGroups
	if v := os.Getenv(reportRowsEnv); v != "" {
		groups = nil
		for g := range strings.SplitSeq(v, ",") {
			if g = strings.TrimSpace(g); !slices.Contains(reportGroups, g) {
				t.Fatalf("%s: no group %q; the groups are %s", reportRowsEnv, g, strings.Join(reportGroups, ","))
			}
			groups = append(groups, g)
		}
	}
	if slices.Contains(groups, "batch") || slices.Contains(groups, "server") {
		ossupBinary = buildOssup(t)
		t.Cleanup(func() { ossupBinary = "" })
	}
	r := &report{rounds: rounds, md: os.Getenv(reportMDEnv)}
	idle := ""
	if slices.ContainsFunc(groups, func(g string) bool { return g == "upload" || g == "rss" || g == "download" }) {
		// What a client's figures include besides its operation: the
		// process's start and exit, from the median of three idle runs.
		var cpus, rsss []float64
		for range 3 {
			run, err := runChild(childJob{Op: "idle", Client: "none"})
			if err != nil {
				t.Fatal(err)
			}
			cpus = append(cpus, run.cpu.Seconds())
			rsss = append(rsss, mib(run.maxRSS))
		}
		idle = fmt.Sprintf(" A child that does nothing takes %.3f CPU-s and %.1f MiB peak RSS.", median(cpus), median(rsss))
	}
	r.header(idle)
	files := &reportFiles{dir: t.TempDir()}
	for _, g := range groups {
		t.Run(g, func(t *testing.T) {
			switch g {
			case "upload":
				r.clientCases(t, files, uploadCases, nullNote+floorNote)
			case "rss":
				r.clientCases(t, files, rssCases, nullNote+" Only ossup runs these.")
			case "download":
				r.clientCases(t, files, downloadCases, downloadNote)
			case "batch":
				r.batches(t, reportBatches())
			case "server":
				r.servers(t, fullServerCases)
			case "s3":
				r.s3Group(t, files)
			}
		})
		if t.Failed() {
			r.add(&table{title: g, notes: []string{"failed: see the test log above"}})
		}
	}
}

// TestReportSmoke runs the report's machinery on a few MiB: one upload
// case and the download case, one round each, every client in a process
// of its own, and checks that every figure was measured.
func TestReportSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six processes")
	}
	cases := []clientCase{
		{"smoke upload: 3 MiB, 256 KiB parts, 2 tasks", "upload", 3 << 20, 256 << 10, 2, uploadClients},
		{"smoke download: 3 MiB, 512 KiB ranges, 2 at a time", "download", 3 << 20, 512 << 10, 2, clientNames},
	}
	ns, env := startNull(t)
	ep := nullEndpoint(env)
	files := &reportFiles{dir: t.TempDir()}
	for _, c := range cases {
		runs := runClientCase(t, ns, ep, files, c, 1)
		for _, name := range c.clients {
			if len(runs[name]) != 1 {
				t.Fatalf("%s: %s: %d runs, want 1", c.title, name, len(runs[name]))
			}
			if r := runs[name][0]; r.elapsed <= 0 || r.cpu <= 0 || r.maxRSS <= 0 {
				t.Errorf("%s: %s: got %v elapsed, %v CPU, %d bytes peak RSS; want all above 0", c.title, name, r.elapsed, r.cpu, r.maxRSS)
			}
		}
		var buf bytes.Buffer
		clientTable(c, runs, "").text(&buf)
		t.Logf("\n%s", buf.Bytes())
	}
}

// nullEndpoint is the endpoint of a null service started by startNull.
func nullEndpoint(env *osstest.Env) endpoint {
	return endpoint{url: env.HTTP.URL, region: env.Config.Region, id: env.Credentials.AccessKeyID,
		secret: env.Credentials.AccessKeySecret, bucket: env.Bucket}
}

// report collects the tables, printing each as it is made.
type report struct {
	rounds int
	md     string // Markdown file, or ""
	intro  []string
	tables []*table
}

func (r *report) header(idle string) {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	var uts syscall.Utsname
	kernel := ""
	if syscall.Uname(&uts) == nil {
		kernel = " " + utsString(uts.Release[:])
	}
	r.intro = []string{
		fmt.Sprintf("ossup bench report, %s UTC", time.Now().UTC().Format("2006-01-02 15:04")),
		fmt.Sprintf("%d CPUs (%s), %s%s, %s; %d round(s) per row.", runtime.NumCPU(), cpu, runtime.GOOS, kernel, runtime.Version(), r.rounds),
		fmt.Sprintf("Each row is the median of %d run(s); within a round the clients, tools or servers take turns. Ratios are of the medians: × is this one ÷ the peer.", r.rounds),
		"MB/s is 10^6 bytes per second of the operation alone (min–max: its range over the rounds); CPU is user plus system time of the measured process (sys: the system part), RSS its peak resident set (VmHWM).",
	}
	if idle != "" {
		r.intro = append(r.intro, "The clients (upload, rss, download) each run in a process of their own, this test binary (which links all three) doing one operation: CPU is the process's rusage and RSS its VmHWM at the end, both with the process's start included. svc CPU-s/GiB is the CPU this process (the null service's) spent while the client ran."+idle)
	}
	fmt.Printf("\n%s\n", strings.Join(r.intro, "\n"))
}

func utsString(b []int8) string {
	s := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

// add prints tb and rewrites the Markdown file with every table so far.
func (r *report) add(tb *table) {
	r.tables = append(r.tables, tb)
	fmt.Println()
	tb.text(os.Stdout)
	if r.md == "" {
		return
	}
	var buf bytes.Buffer
	for _, line := range r.intro {
		fmt.Fprintf(&buf, "%s\n\n", line)
	}
	for _, tb := range r.tables {
		tb.markdown(&buf)
		buf.WriteString("\n")
	}
	if err := os.WriteFile(r.md, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
	}
}

// clientCases runs each case against a null service of its own.
func (r *report) clientCases(t *testing.T, files *reportFiles, cases []clientCase, note string) {
	for _, c := range cases {
		ns, env := startNull(t)
		runs := runClientCase(t, ns, nullEndpoint(env), files, c, r.rounds)
		r.add(clientTable(c, runs, note))
	}
}

// table is one comparison: a title, a header row, rows and notes.
type table struct {
	title string
	head  []string
	rows  [][]string
	notes []string
}

// text writes the table in aligned plain text.
func (tb *table) text(w io.Writer) {
	fmt.Fprintf(w, "%s\n", tb.title)
	widths := make([]int, len(tb.head))
	for _, row := range append([][]string{tb.head}, tb.rows...) {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], len([]rune(c)))
			}
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintf(w, "  %s\n", strings.TrimRight(b.String(), " "))
	}
	if len(tb.head) > 0 {
		line(tb.head)
		for _, row := range tb.rows {
			line(row)
		}
	}
	for _, n := range tb.notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
}

// markdown writes the table as a Markdown heading, table and notes.
func (tb *table) markdown(w io.Writer) {
	fmt.Fprintf(w, "#### %s\n\n", tb.title)
	if len(tb.head) > 0 {
		fmt.Fprintf(w, "| %s |\n", strings.Join(tb.head, " | "))
		fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(tb.head)))
		for _, row := range tb.rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		fmt.Fprintln(w)
	}
	for _, n := range tb.notes {
		fmt.Fprintf(w, "%s\n", n)
	}
}

// median returns the median of xs (the mean of the middle two for an
// even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// mbps is size bytes in d, in 10^6 bytes per second.
func mbps(size int64, d time.Duration) float64 {
	return float64(size) / 1e6 / d.Seconds()
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// progress reports a finished run on stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "report: "+format+"\n", args...)
}
