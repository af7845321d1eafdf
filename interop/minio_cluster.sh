#!/usr/bin/env bash
# ossup in the S3 dialect against a distributed MinIO cluster:
#
#	bash interop/minio_cluster.sh
#
# It finds or builds MinIO (OSSUP_MINIO, else ~/.cache/ossup/minio/minio,
# else `go install github.com/minio/minio@latest` into that directory),
# builds ossup, and starts a cluster of 4 MinIO server processes on 4
# ports with 2 drives each, 8 drives erasure coded together. Then:
#
#  1. uploads of a 1 GiB file with --checkpoint, each killed with kill -9
#     at a random instant and run again to the end; every object is read
#     back and compared byte for byte;
#  2. a download of it with --checkpoint, killed and resumed, compared;
#  3. cp -r of a 2,000-file tree, a sync that must send nothing, a sync
#     after 15 files changed or were added that must send exactly those,
#     cp -r back and diff -r;
#  4. an upload during which one MinIO node is killed with kill -9: the
#     cluster keeps serving, the upload completes, and the object reads
#     back exact from another node.
#
# By default each kill runs once (as CI runs it); OSSUP_CLUSTER_LONG=1 runs
# 20 upload kills and 5 download kills. OSSUP_CLUSTER_KEEP=1 leaves the
# working directory (logs, data) in place.
set -euo pipefail

export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export GOWORK=off

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ossup"
work="$(mktemp -d)"
say() { printf 'minio_cluster: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

minio="${OSSUP_MINIO:-}"
if [ -z "$minio" ]; then
	minio="$cache/minio/minio"
	if [ ! -x "$minio" ]; then
		say "building MinIO into $cache/minio (once; this takes minutes)"
		mkdir -p "$cache/minio"
		GOBIN="$cache/minio" go install github.com/minio/minio@latest
	fi
fi

ossup="$work/ossup"
(cd "$root" && go build -o "$ossup" ./cmd/ossup)

upload_trials=1
download_trials=1
if [ "${OSSUP_CLUSTER_LONG:-}" = 1 ]; then
	upload_trials=20
	download_trials=5
fi

# MinIO refuses loopback addresses for a distributed setup inside a
# container; the machine's own address still routes locally.
ip="$(hostname -I 2>/dev/null | awk '{print $1}')"
ip="${ip:-127.0.0.1}"
ports=(9461 9462 9463 9464)
endpoints=()
for n in 0 1 2 3; do
	for d in 1 2; do
		endpoints+=("http://$ip:${ports[$n]}$work/node$n/drive$d")
	done
done
pids=()
start_node() {
	local n=$1
	MINIO_ROOT_USER=ossupcluster MINIO_ROOT_PASSWORD=ossup-cluster-secret \
		MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
		"$minio" server --quiet --address "$ip:${ports[$n]}" "${endpoints[@]}" >"$work/minio$n.log" 2>&1 &
	pids[$n]=$!
}
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${OSSUP_CLUSTER_KEEP:-}" = 1 ]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
for n in 0 1 2 3; do start_node "$n"; done
for _ in $(seq 1 60); do
	if curl -sf "http://$ip:${ports[0]}/minio/health/cluster" >/dev/null; then
		break
	fi
	sleep 1
done
curl -sf "http://$ip:${ports[0]}/minio/health/cluster" >/dev/null || {
	tail -20 "$work"/minio0.log >&2
	fail "the cluster did not come up"
}
say "cluster of 4 nodes × 2 drives up at $ip:${ports[0]}..${ports[3]}"

export AWS_ACCESS_KEY_ID=ossupcluster AWS_SECRET_ACCESS_KEY=ossup-cluster-secret
export AWS_ENDPOINT_URL="http://$ip:${ports[0]}" AWS_REGION=us-east-1
unset OSS_ENDPOINT AWS_ENDPOINT_URL_S3
"$ossup" mb s3://cluster >/dev/null

big="$work/big.bin"
head -c $((1 << 30)) /dev/urandom >"$big"

# same FILE URL compares an object with a file byte for byte.
same() { "$ossup" cp -q "$2" - | cmp -s - "$1"; }

# 1. Uploads killed at random instants, then resumed.
killed=0
for t in $(seq 1 "$upload_trials"); do
	key="s3://cluster/upload-$t"
	"$ossup" cp -q --checkpoint --task-num 4 "$big" "$key" >/dev/null &
	pid=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.3 + r / 32768 * 3 }')"
	if kill -9 "$pid" 2>/dev/null; then
		killed=$((killed + 1))
	fi
	wait "$pid" 2>/dev/null || true
	out="$("$ossup" cp -v --checkpoint --task-num 4 "$big" "$key" 2>&1)" || fail "upload trial $t: the rerun failed: $out"
	same "$big" "$key" || fail "upload trial $t: the object differs from the file"
	[ ! -e "$big.ucp" ] || fail "upload trial $t: the checkpoint was left behind"
	say "upload trial $t: byte-exact ($(grep -o 'resumed: [0-9]* parts' <<<"$out" || echo 'killed before any part was stored'))"
	# The cluster's drives share this machine's disk.
	[ "$t" = 1 ] || "$ossup" rm -q "$key" >/dev/null
done
say "uploads: $upload_trials trials, $killed killed mid-way, all byte-exact"

# 2. A download killed, then resumed.
for t in $(seq 1 "$download_trials"); do
	dst="$work/down-$t.bin"
	"$ossup" cp -q --checkpoint --task-num 4 s3://cluster/upload-1 "$dst" >/dev/null &
	pid=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.2 + r / 32768 }')"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	"$ossup" cp -q --checkpoint --task-num 4 s3://cluster/upload-1 "$dst" >/dev/null || fail "download trial $t: the rerun failed"
	cmp -s "$big" "$dst" || fail "download trial $t: the file differs"
	rm -f "$dst"
	say "download trial $t: byte-exact"
done

# 3. A tree of 2,000 files up, synced, changed, synced, and back.
tree="$work/tree"
for i in $(seq 0 1999); do
	d="$tree/d$((i % 40))"
	[ -d "$d" ] || mkdir -p "$d"
	head -c $(((i * 7919) % 20000)) /dev/urandom >"$d/f$i"
done
"$ossup" cp -q -r "$tree" s3://cluster/tree/ >/dev/null || fail "cp -r up"
n="$("$ossup" sync -q "$tree" s3://cluster/tree/ | grep -c '^upload' || true)"
[ "$n" = 0 ] || fail "a sync of the tree just copied sent $n files"
for i in $(seq 0 9); do head -c 3000 /dev/urandom >"$tree/d$i/f$i"; done
for i in $(seq 1 5); do head -c 1000 /dev/urandom >"$tree/d0/new$i"; done
n="$("$ossup" sync -q "$tree" s3://cluster/tree/ | grep -c '^upload' || true)"
[ "$n" = 15 ] || fail "a sync after 15 changes sent $n files"
"$ossup" cp -q -r s3://cluster/tree/ "$work/tree-back" >/dev/null || fail "cp -r down"
diff -r "$tree" "$work/tree-back" >/dev/null || fail "the tree came back different"
say "tree: 2,005 files up, synced (0, then 15 sent), down, identical"

# 4. A node killed during an upload.
"$ossup" cp -q --task-num 4 "$big" s3://cluster/node-kill >/dev/null &
pid=$!
sleep 1
kill -9 "${pids[3]}"
wait "${pids[3]}" 2>/dev/null || true
say "killed MinIO node 4 during an upload"
wait "$pid" || fail "the upload did not complete with a node down"
AWS_ENDPOINT_URL="http://$ip:${ports[1]}" same "$big" s3://cluster/node-kill ||
	fail "the object read from node 2 differs"
say "node kill: the upload completed and reads back byte-exact from another node"
say "PASS"
