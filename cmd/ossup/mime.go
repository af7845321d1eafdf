package main

import (
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
)

// extraTypes are Content-Types for extensions the standard library's
// table (and the system's mime.types, which it reads) may lack.
var extraTypes = map[string]string{
	".md":      "text/markdown; charset=utf-8",
	".tar":     "application/x-tar",
	".gz":      "application/gzip",
	".tgz":     "application/gzip",
	".zst":     "application/zstd",
	".bz2":     "application/x-bzip2",
	".xz":      "application/x-xz",
	".7z":      "application/x-7z-compressed",
	".parquet": "application/vnd.apache.parquet",
	".wasm":    "application/wasm",
	".mjs":     "text/javascript; charset=utf-8",
	".yaml":    "application/yaml",
	".yml":     "application/yaml",
	".toml":    "application/toml",
	".log":     "text/plain; charset=utf-8",
	".csv":     "text/csv; charset=utf-8",
	".ndjson":  "application/x-ndjson",
	".iso":     "application/x-iso9660-image",
}

// contentTypeFor is the Content-Type an object named name gets when none
// is given: our table first (the same answer on every machine), then the
// standard library's, else "" (the service's default,
// application/octet-stream).
func contentTypeFor(name string) string {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	if ext == "" {
		return ""
	}
	if t, ok := extraTypes[ext]; ok {
		return t
	}
	return mime.TypeByExtension(ext)
}

// printCallbackReply writes the application server's reply to an upload
// callback, when there was one, as it came, on the lines after the upload's.
func printCallbackReply(w io.Writer, reply []byte) {
	if len(reply) == 0 {
		return
	}
	_, _ = w.Write(reply)
	if reply[len(reply)-1] != '\n' {
		fmt.Fprintln(w)
	}
}
