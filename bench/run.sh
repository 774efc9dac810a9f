#!/usr/bin/env bash
# The benchmark of issue #2 (bench/README.md): builds inventories of 1k,
# 10k and 100k real certificates and times whole certkeeper processes:
#   check of one leaf + 2-certificate chain   target < 20 ms
#   list --json over 100k                     (reported)
#   report --within 30 at 1k / 10k / 100k     grows with the certificates due, not the inventory
#   report (everything) over 100k             target < 1.5 s
#   import of one more certificate at 100k    target < 30 ms
# and prints the database size per certificate. Medians of several runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh
install_missing "${certkeeper_build_packages[@]}"
build_tree build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=OFF
ck=$PWD/build/release/certkeeper
gen=$PWD/build/release/bench/certkeeper-bench-inventory
out=${BENCH_DIR:-$PWD/build/bench}
rm -rf "$out"
mkdir -p "$out"

source "$(dirname "$0")/lib/timing.sh"

row() { printf '%-44s %10s ms   %s\n' "$1" "$2" "$3"; }

echo "certkeeper benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for n in 1000 10000 100000; do
  mkdir -p "$out/$n"
  t0=$(now_us)
  "$gen" "$out/$n/ck.db" "$n" 100 "$out/$n"
  t1=$(now_us)
  size=$(stat -c %s "$out/$n/ck.db")
  printf 'inventory of %6d certificates (100 due): built in %.1f s, %d bytes per certificate\n' \
    "$n" "$(echo "$(((t1 - t0) / 1000))" | awk '{print $1/1000}')" $((size / n))
done
mkdir -p "$out/due"
"$gen" "$out/due/ck.db" 100000 10000 "$out/due"
echo
d=$out/100000
row "check (leaf + 2-cert chain)" "$(median_ms 21 "$ck" --db "$d/ck.db" check --cert "$d/leaf.pem" --key "$d/leaf.key" --chain "$d/ca.pem" --host check.bench.test)" "target < 20"
for n in 1000 10000 100000; do
  row "report --within 30 at $n (100 due)" "$(median_ms 11 "$ck" --db "$out/$n/ck.db" report --within 30)" ""
done
row "report --within 30 at 100000 (10000 due)" "$(median_ms 5 "$ck" --db "$out/due/ck.db" report --within 30)" ""
row "report over 100000" "$(median_ms 5 "$ck" --db "$d/ck.db" report)" "target < 1500"
row "report --format json over 100000" "$(median_ms 5 "$ck" --db "$d/ck.db" report --format json)" ""
row "list --json over 100000" "$(median_ms 5 "$ck" --db "$d/ck.db" --json list)" ""

# import: a different certificate (and name) each run, into the 100k inventory.
times=()
for k in $(seq 1 20); do
  t0=$(now_us)
  "$ck" --db "$d/ck.db" -q import "extra-$k" --cert "$d/extra-$k.pem" --key "$d/extra-$k.key" --chain "$d/ca.pem" --ca-file "$d/root.pem" >/dev/null 2>&1 || { echo "import extra-$k failed"; "$ck" --db "$d/ck.db" import "extra-$k" --cert "$d/extra-$k.pem" --key "$d/extra-$k.key" --chain "$d/ca.pem"; exit 1; }
  t1=$(now_us)
  times+=($((t1 - t0)))
done
row "import of one more certificate at 100000" "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}')" "target < 30"
