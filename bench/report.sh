#!/usr/bin/env bash
# The bench module's report: every comparison of docs/BENCHMARKS.md's
# "Report" section with one command,
#
#	bash bench/report.sh
#
# It finds or builds the peers (MinIO, ossutil 1.7.19) in a cache outside
# the clone and runs TestReport, which prints one table per comparison.
# A peer that cannot be had leaves its rows marked "skipped".
#
# Environment:
#	OSSUP_BENCH_ROUNDS  rounds per row, the median reported (3)
#	OSSUP_BENCH_ROWS    groups to run, comma-separated
#	                    (upload,rss,download,batch,server,s3: all)
#	OSSUP_BENCH_MD      also write the tables as Markdown to this file
#	OSSUP_MINIO         a minio binary (else the cache's, else built)
#	OSSUP_OSSUTIL       an ossutil 1.7.19 binary (else the cache's, else built)
set -euo pipefail

export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
# The bench module is built on its own, whatever go.work may lie above.
export GOWORK=off

if [ -n "${OSSUP_BENCH_MD:-}" ]; then
	OSSUP_BENCH_MD="$(realpath -m "$OSSUP_BENCH_MD")"
	export OSSUP_BENCH_MD
fi
cd "$(dirname "$0")"

cache="${XDG_CACHE_HOME:-$HOME/.cache}/ossup"
rows="${OSSUP_BENCH_ROWS:-upload,rss,download,batch,server,s3}"
wants() { [[ ",${rows// /}," == *",$1,"* ]]; }

if { wants server || wants s3; } && [ -z "${OSSUP_MINIO:-}" ]; then
	if [ ! -x "$cache/minio/minio" ]; then
		echo "report.sh: building MinIO into $cache/minio (once; this takes minutes)" >&2
		mkdir -p "$cache/minio"
		GOBIN="$cache/minio" go install github.com/minio/minio@latest ||
			echo "report.sh: MinIO could not be built; its rows are skipped" >&2
	fi
	if [ -x "$cache/minio/minio" ]; then
		export OSSUP_MINIO="$cache/minio/minio"
	fi
fi

# As ../.ci/run builds it: ossutil 1.7.19 from its published module.
if wants batch && [ -z "${OSSUP_OSSUTIL:-}" ]; then
	ossutil_dir="$cache/ossutil-1.7.19"
	if [ ! -x "$ossutil_dir/ossutil" ]; then
		echo "report.sh: building ossutil 1.7.19 into $ossutil_dir (once)" >&2
		if ossutil_src="$(mktemp -d)" &&
			(cd "$ossutil_src" && go mod download github.com/aliyun/ossutil@v1.7.19) &&
			cp -R "$(go env GOMODCACHE)/github.com/aliyun/ossutil@v1.7.19/." "$ossutil_src" &&
			chmod -R u+w "$ossutil_src" &&
			mkdir -p "$ossutil_dir" &&
			(cd "$ossutil_src" && GOFLAGS=-mod=mod go build -o "$ossutil_dir/ossutil" .); then
			:
		else
			echo "report.sh: ossutil could not be built; its rows are skipped" >&2
		fi
		rm -rf "$ossutil_src"
	fi
	if [ -x "$ossutil_dir/ossutil" ]; then
		export OSSUP_OSSUTIL="$ossutil_dir/ossutil"
	fi
fi

# Local directory mode (no package argument): go test streams the
# tables as they are made, rather than holding the output to the end.
OSSUP_BENCH_REPORT=1 exec go test -run '^TestReport$' -count=1 -timeout 4h
