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
// tool's CPU seconds and peak RSS (from its rusage) and the server
// process's CPU seconds per upload. Set OSSUP_OSSUTIL to the path of an
// ossutil 1.7.19 binary (../.ci/run shows how to build one); without it
// the ossutil sub-benchmarks are skipped.
//
// Run, from this directory,
//
//	go test -run '^$' -bench . -benchtime=3x -count=3 ./...
//
// and compare with benchstat. Results on a shared disk are noisy (every
// part is fsynced); -count runs one client's counts back to back, so
// repeating the whole command with -count=1 interleaves the clients
// instead. Without -bench, go test runs only two tests on 1 MiB: that
// each client's uploads produce byte-exact objects, and that each
// client's checkpointed download produces a byte-exact file, fetched in
// ranges with its checkpoint in the directory given.
package bench
