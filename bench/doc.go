// Package bench compares ossup's client with the two official Alibaba
// Cloud OSS Go SDKs, github.com/aliyun/aliyun-oss-go-sdk ("sdk-v1") and
// github.com/aliyun/alibabacloud-oss-go-sdk-v2 ("sdk-v2"), and its
// command-line tool with ossutil, on identical work.
//
// It lives in its own module so that the SDKs never become dependencies of
// the product. The package has no code outside its tests.
//
// Every upload benchmark writes one file of pseudo-random bytes and then
// runs a sub-benchmark per client (ossup, sdk-v1, sdk-v2). Each sub-benchmark
// starts its own ossup server in-process on loopback, with its data in
// b.TempDir(), and points the client at it path style, signing with
// Signature V4. All three clients keep their CRC-64 checks on (the SDKs'
// defaults; ossup's cannot be turned off) and get the same part size,
// the same number of parallel tasks and the same checkpoint setting:
//
//   - BenchmarkUploadFileDefault: each client's resumable upload at the
//     reference defaults, 100 KiB parts, 5 tasks, checkpoint on, of a
//     64 MiB file (656 parts).
//   - BenchmarkUploadFileThroughput: 8 MiB parts, 4 tasks, checkpoint off,
//     of a 256 MiB file.
//   - BenchmarkPutObject: a single PutObject of a 64 MiB file.
//
// The ossup server does real per-part work (MD5, file creation, fsync) for
// every client, which on a 2-core machine caps all three. The Null
// benchmarks (BenchmarkNullDefault, BenchmarkNullThroughput) measure the
// clients alone: they upload to a null service that checks each part's and
// the whole object's CRC-64 and stores nothing, so what remains is each
// client's own cost (signing, streaming, CRC, checkpointing).
//
// Each iteration uploads to a fresh key. Outside the timer it then reads
// the object back with ossup's GetObject (which checks the CRC-64), compares
// its MD5 and length with the file's, deletes it and runs the garbage
// collector twice (the second run empties sync.Pool caches), so that no
// iteration inherits the previous one's garbage or pooled buffers.
//
// Besides MB/s each result reports peak-heap-MiB: the highest heap in use
// (runtime/metrics objects plus unused bytes of in-use spans, which is
// runtime.MemStats.HeapInuse) sampled every 2 ms during the upload, and
// base-heap-MiB, the same figure just before it. The server runs in the
// same process, so both include the server's heap; it is the same server
// for all three clients, so the difference between clients is the
// clients' own. ossup's base is higher by its idle keep-alive connections:
// its default transport gives each a 256 KiB read and write buffer. A 2 ms
// sampler can miss spikes shorter than that.
//
// The three differ in what their checkpoints cost: ossup writes a header
// (fsynced, renamed into place) and appends one record per part; sdk-v1
// rewrites its whole JSON checkpoint after every part, without fsync;
// sdk-v2 writes its checkpoint once, with the upload id only, and lists
// the parts to resume. The server fsyncs every part and object for all
// three alike.
//
// The Server benchmarks (server_test.go) compare ossup's server with
// MinIO's, both run as separate processes on loopback with fresh data
// directories and driven by one bare net/http client: every request is
// presigned with Signature V4 (ossup's by oss.Client.Presign, MinIO's by
// the AWS SDK's signer, with an unsigned payload) and sent the same way.
// Besides MB/s they report each server process's CPU time per GiB moved,
// read from /proc/<pid>/stat, and this process's. Set OSSUP_MINIO to the
// path of a minio binary; without it the MinIO side is skipped. The ossup
// binary is built from ../cmd/ossup.
//
// BenchmarkDownloadFile (download_test.go) downloads one 256 MiB object,
// uploaded once, with each client's checkpointed downloader: ossup's
// oss.Client.DownloadFile, sdk-v1's Bucket.DownloadFile with Checkpoint
// and sdk-v2's Downloader with EnableCheckpoint, all with 8 MiB ranges, 4
// at a time and their whole-object CRC-64 check on. It runs once against
// the ossup server in-process ("inproc") and once against `ossup serve`
// as a separate process ("process"). Besides MB/s and the heap figures it
// reports client-cpu-s/GiB, this process's CPU time from getrusage (the
// server's included when it runs in-process), server-cpu-s/GiB for the
// server process, and peak-rss-MiB, this process's peak resident set
// (VmHWM, reset through /proc/self/clear_refs before each client). Every
// downloaded file is compared with the source's MD5 outside the timer.
//
// BenchmarkFoldersSmall and BenchmarkFoldersLarge (folders_test.go)
// upload a tree, 10,000 files of 4 KiB in 100 folders or 20 files of
// 64 MiB, with the command-line tools as processes: `ossup cp -r`, built
// from ../cmd/ossup, and ossutil 1.7.19's `cp -r`, each at several
// --jobs (and, for ossutil, --parallel and --bigfile-threshold) settings,
// against one `ossup serve` process. Both sign with V4, address the
// bucket path style and make no objects for folders. Each iteration
// uploads to a fresh prefix; outside the timer the listing must hold
// exactly one object per file, every object's size and CRC-64 (from
// HEAD) must equal the file's, and the objects are then deleted. Besides
// the wall time per upload (ns/op), MB/s and files/s they report the
// tool's CPU seconds (from its rusage), its peak RSS (VmHWM, read from
// /proc every 10 ms while it runs) and the server process's CPU seconds
// per upload. The rusage's maxrss is no measure of a child's memory on
// Linux: os/exec starts children with clone(CLONE_VM|CLONE_VFORK), and
// at exec the kernel folds the high-water mark of the memory the child
// leaves, this process's, into the child's maxrss. Set OSSUP_OSSUTIL to the path of an
// ossutil 1.7.19 binary (../.ci/run shows how to build one); without it
// the ossutil sub-benchmarks are skipped.
//
// # The report
//
// The report (report_test.go, report_peers_test.go) runs every
// comparison above with one command, from the repository's root,
//
//	bash bench/report.sh
//
// and prints one table per comparison. report.sh finds MinIO and ossutil
// 1.7.19 (OSSUP_MINIO and OSSUP_OSSUTIL, else the binaries cached in
// ~/.cache/ossup, else it builds them there once) and runs TestReport,
// which runs only with OSSUP_BENCH_REPORT=1. OSSUP_BENCH_ROUNDS sets the
// rounds per row (3); within a round the clients or tools run in turn,
// and each table shows the medians and the ratios of the medians.
// OSSUP_BENCH_ROWS picks groups of rows, comma-separated, from
//
//   - upload: each client's UploadFile of a 512 MiB file from the page
//     cache in 8 MiB parts with 4 tasks, the same with 1 task, and the
//     reference default (256 MiB, 100 KiB parts, 5 tasks), all with a
//     checkpoint, against the null service; each row also runs the
//     floor (floorClient), a multipart upload by sendfile that signs,
//     checksums and records nothing: the ceiling of any client here;
//   - rss: ossup alone, 1 GiB in 64 MiB parts with 8 tasks, and 1 GiB
//     in 10,000 parts, against the null service;
//   - download: each client's checkpointed download of a 512 MiB object
//     in 8 MiB ranges, 4 at a time, from the null service, which serves
//     it from a local file with sendfile (http.ServeContent);
//   - batch: `ossup cp -r` and ossutil's `cp -r` of 10,000 files of
//     4 KiB and of 20 files of 64 MiB into one `ossup serve` process,
//     each tool at a few settings, the best of each compared;
//   - server: `ossup serve` and MinIO as processes, driven as by the
//     Server benchmarks: UploadPart of 8 MiB parts 4 at a time and of
//     100 KiB parts 5 at a time, GetObject of 256 MiB from the page
//     cache, and (ossup alone) Complete of 10,000 parts.
//
// Every measured client is a process of its own: the test binary run
// again as TestReportChild, with its work in OSSUP_BENCH_CHILD, so that
// the same wrappers as the benchmarks' are measured. The child times the
// operation alone and prints the time and its own peak RSS (VmHWM from
// /proc/self/status, at the end); the report takes the child's CPU time
// (user plus system) from its rusage once it exits, and its own CPU
// meanwhile as the null service's for that client, and checks the
// result outside the timing: an upload's size and combined CRC-64 as
// the null service received them, a downloaded file's size and MD5, and
// for the batches and servers what their benchmarks check. A
// command-line tool's CPU comes from its rusage and its peak RSS from
// /proc, as in the folder benchmarks; a server process's CPU comes from
// /proc. A peer that is missing leaves its rows marked skipped. With
// OSSUP_BENCH_MD set to a path, the tables are also written there as
// Markdown. In the download rows ossup fsyncs the file before renaming
// it into place and neither SDK calls fsync, so ossup's time and system
// CPU include writing the file to disk; the table says so.
//
// TestReportSmoke runs the same machinery on 3 MiB, one upload case and
// the download case, on every go test run.
//
// # Running the benchmarks
//
// Run, from this directory,
//
//	go test -run '^$' -bench . -benchtime=3x -count=3 ./...
//
// and compare with benchstat. Results on a shared disk are noisy (every
// part is fsynced); -count runs one client's counts back to back, so
// repeating the whole command with -count=1 interleaves the clients
// instead. Without -bench, go test runs only small tests: that each
// client's uploads produce byte-exact objects (against the ossup server
// and against the null service), that each client's checkpointed
// download produces a byte-exact file, fetched in ranges with its
// checkpoint in the directory given, and the report's smoke test.
package bench
