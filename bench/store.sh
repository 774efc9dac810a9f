#!/usr/bin/env bash
# The store benchmark of issue 11 (bench/README.md, "SQLite and PostgreSQL"):
# the same 100,000-certificate inventory on both backends, measured side by
# side in one run; for each operation SQLite ms, PostgreSQL ms and their
# ratio (PostgreSQL / SQLite):
#   renew --dry-run, none due, 100k                  target < 50 ms (both)
#   import of one more certificate at 100k           target < 30 ms (both)
#   report (table) over 100k                         target < 2 s (both)
#   db copy of the 100k inventory, SQLite -> PostgreSQL   (the time; only when
#                                                    this build has `db copy`)
#
#   bench/store.sh [BUILD_DIR]
# Without BUILD_DIR: installs what it needs and builds build/release like
# bench/run.sh. With it: brings certkeeper, certkeeper-pq.so and the
# inventory builder up to date there. It starts its own PostgreSQL 15 in a
# temp dir (Unix socket there, 127.0.0.1 on a free port; user ck, trust) and
# always stops it. Both inventories are bench/make_inventory's --scheduled
# one (every second certificate ACME, next checks 37 to 369 days ahead, none
# due); the PostgreSQL one with its keys encrypted under a key file from
# `certkeeper keys new` (required there), the SQLite one as SQLite's default
# (plaintext keys). Nothing is kept: $BENCH_DIR (default build/bench-store)
# is made afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib/build.sh
source bench/lib/timing.sh
source bench/lib/postgres.sh
bench_build "$@"
source contrib/lib/setup.sh
install_missing postgresql-15
out=${BENCH_DIR:-$root/build/bench-store}
n=${BENCH_N:-100000}   # a smaller BENCH_N only to try the script
rm -rf "$out"
mkdir -p "$out/sqlite" "$out/pg"
started=$(date +%s)
trap pg_stop EXIT
trap 'exit 130' INT TERM

row() { printf '%-52s %12s %12s %8s   %s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0) printf "%.2f", b / a; else print "-"}'; }

echo "certkeeper store benchmark (SQLite and PostgreSQL side by side), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "kernel $(uname -r), $("$ck" --version), libsqlite3 $(dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null || echo '?')," \
  "$("$pg_bin/postgres" --version)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates every number)"

pg_start -A trust
echo "PostgreSQL server: $pg_dir, 127.0.0.1:$pg_port and its Unix socket (server defaults; fsync on)"
pg_psql postgres -c 'CREATE DATABASE bench' -c 'CREATE DATABASE bench_copy'
"$ck" keys new --out "$out/inventory.key" >/dev/null
sq=$out/sqlite/ck.db
pq=$(pg_uri bench)
# The builder's own connection commits 100,000 schedule updates one by one:
# synchronous_commit off for it alone (the URI's options pass through).
pq_build="$pq&options=-c%20synchronous_commit%3Doff"

# --- the two inventories, built at the same time -----------------------------
build_one() {  # NAME DB FILES_DIR [ARGS...]
  local name=$1 db=$2 dir=$3 t0 t1
  shift 3
  t0=$(now_us)
  nice -n 5 "$gen" "$db" "$n" 0 "$dir" --scheduled "$@" >"$dir/build.log" 2>&1 ||
    { echo "building the $name inventory failed:" >&2; cat "$dir/build.log" >&2; return 1; }
  t1=$(now_us)
  printf 'built the %-10s inventory of %d certificates (none due) in %5.1f s\n' "$name" "$n" \
    "$(awk -v us=$((t1 - t0)) 'BEGIN {print us/1e6}')"
}
build_one SQLite "$sq" "$out/sqlite" &
b1=$!
build_one PostgreSQL "$pq_build" "$out/pg" --key-file "$out/inventory.key" &
b2=$!
wait "$b1" || exit 1
wait "$b2" || exit 1
# Each must be what the measurements assume: 100,000 certificates, none due,
# keys encrypted on PostgreSQL (db check reads without writing).
for db in "$sq" "$pq"; do
  dry=$("$ck" --db "$db" renew --dry-run 2>&1) || { echo "renew --dry-run on $db: $dry" >&2; exit 1; }
  if grep -q '^cert-' <<<"$dry"; then echo "$db: certificates due after the build" >&2; exit 1; fi
  rows=$("$ck" --db "$db" --json db check | python3 -c 'import json,sys; d=json.load(sys.stdin); print([t["rows"] for t in d["tables"] if t["name"] == "certificates"][0])')
  [[ $rows == "$n" ]] || { echo "$db: $rows certificates, expected $n" >&2; exit 1; }
done
"$ck" --db "$pq" --json db check | python3 -c '
import json, sys
d = json.load(sys.stdin)
k = d["private_keys"]
assert k["encryption"] == "encrypted" and k["plaintext"] == 0, k
print("PostgreSQL inventory: schema version %d, %d keys, all encrypted (key file %s)" % (d["schema_version"], k["encrypted"], sys.argv[1]))' "$out/inventory.key"
size_sq=$(stat -c %s "$sq")
size_pq=$(pg_psql bench -tA -c "SELECT pg_database_size('bench')")
printf 'size: SQLite file %d MB, PostgreSQL database %d MB\n' $((size_sq / 1000000)) $((size_pq / 1000000))
pg_psql bench -c 'VACUUM ANALYZE' 2>/dev/null || true

# --- measurements -------------------------------------------------------------
echo
echo "wall time per process (ms), median of N runs after two warm-ups; ratio = PostgreSQL / SQLite"
row "operation" "SQLite ms" "PG ms" "ratio" "target (both)"
side() {  # LABEL RUNS TARGET ARGS... (certkeeper arguments after --db)
  local label=$1 runs=$2 target=$3 a b
  shift 3
  a=$(median_ms "$runs" "$ck" --db "$sq" "$@")
  b=$(median_ms "$runs" "$ck" --db "$pq" "$@")
  row "$label" "$a" "$b" "$(ratio "$a" "$b")" "$target"
}
side "renew --dry-run, none due, $n (21 runs)" 21 "< 50 ms" renew --dry-run

# import: a different certificate (and name) each run; the first two untimed.
import_ms() {  # DB FILES_DIR
  local db=$1 d=$2 k t0 t1 times=()
  for k in $(seq 1 13); do
    t0=$(now_us)
    "$ck" --db "$db" -q import "extra-$k" --cert "$d/extra-$k.pem" --key "$d/extra-$k.key" --chain "$d/ca.pem" \
      --ca-file "$d/root.pem" >"$out/import.log" 2>&1 || { echo "import extra-$k into $db failed:" >&2; cat "$out/import.log" >&2; return 1; }
    t1=$(now_us)
    ((k > 2)) && times+=($((t1 - t0)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
a=$(import_ms "$sq" "$out/sqlite") || exit 1
b=$(import_ms "$pq" "$out/pg") || exit 1
row "import of one more certificate at $n (11 runs)" "$a" "$b" "$(ratio "$a" "$b")" "< 30 ms"
side "report (table) over $n (5 runs)" 5 "< 2000 ms" report

# What the figures above are made of (bench/README.md): the cost of opening
# each inventory (process start, and on PostgreSQL loading certkeeper-pq.so,
# connecting and the session's set-up).
echo
echo "diagnosis"
row "certkeeper --version (no inventory) (21 runs)" "$(median_ms 21 "$ck" --version)" "" "" ""
side "show of a missing name: open + 1 lookup (21 runs)" 21 "" show no-such-certificate

if "$ck" db copy --help 2>/dev/null | grep -q -- '--from'; then
  # Into an empty database each time (db copy refuses a non-empty one).
  times=()
  for k in 1 2 3; do
    pg_psql postgres -c 'DROP DATABASE IF EXISTS bench_copy' -c 'CREATE DATABASE bench_copy'
    t0=$(now_us)
    "$ck" --key-file "$out/inventory.key" db copy --from "sqlite:$sq" --to "$(pg_uri bench_copy)" >"$out/copy.log" 2>&1 ||
      { echo "db copy failed:" >&2; cat "$out/copy.log" >&2; exit 1; }
    t1=$(now_us)
    times+=($((t1 - t0)))
  done
  c=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}')
  row "db copy of $n, SQLite -> PostgreSQL (3 runs)" "" "$c" "" "(the time)"
else
  echo "db copy: not in this build"
fi
echo
echo "benchmark took $(($(date +%s) - started)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
