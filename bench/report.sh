#!/usr/bin/env bash
# The report formats benchmark (bench/README.md, "Report formats"):
#   report --format html over 100,000 certificates         target < 2 s
#   report --format prometheus over 100,000 certificates   target < 2 s
# with the table and JSON beside them for reference, --within 30 in HTML and
# Prometheus (100 due), and the size of each output.
#
#   bench/report.sh [BUILD_DIR]
# Without BUILD_DIR: installs what it needs and builds build/release like
# bench/run.sh. With it: brings certkeeper and the inventory builder up to
# date there (build it with -DCMAKE_BUILD_TYPE=Release or RelWithDebInfo).
#
# The inventory is bench/make_inventory's (100,000 real certificates, 100
# due), and then every certificate is given what a managed one has after
# its first install: one target with the current version installed and an
# "installed" event whose probe passed (failed for every tenth), so that the
# install, probe and history columns are all read.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib/build.sh
bench_build "$@"
out=${BENCH_DIR:-$root/build/bench-report}
rm -rf "$out"
mkdir -p "$out"

source "$(dirname "$0")/lib/timing.sh"

row() { printf '%-52s %10s ms   %s\n' "$1" "$2" "$3"; }

echo "certkeeper report benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $("$ck" --version)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

n=100000
db=$out/ck.db
t0=$(now_us)
"$gen" "$db" "$n" 100 "$out"
now=$(date +%s)
sqlite3 "$db" <<SQL
BEGIN IMMEDIATE;
INSERT INTO targets (certificate_id, dir, installed_version, created_at)
  SELECT id, '/srv/tls/' || name, current_version, $now FROM certificates;
INSERT INTO events (at, certificate_id, certificate_name, kind, actor, detail)
  SELECT $now, id, name, 'installed', 'bench',
         json_object('version', current_version, 'targets', json_array('/srv/tls/' || name),
                     'probes', json_array(json_object('endpoint', '127.0.0.1:443',
                                                      'ok', json(CASE WHEN id % 10 = 0 THEN 'false' ELSE 'true' END))))
  FROM certificates;
COMMIT;
SQL
t1=$(now_us)
printf 'inventory of %d certificates (100 due, 1 target and 3 events each): built in %.1f s, %d bytes\n' \
  "$n" "$(awk -v us=$((t1 - t0)) 'BEGIN {print us / 1e6}')" "$(stat -c %s "$db")"
echo

# Sanity: each format renders and the facts arrived (a number from a broken
# run would mean nothing).
"$ck" --db "$db" report --format prometheus --output "$out/report.prom" >/dev/null
"$ck" --db "$db" report --format html --output "$out/report.html" >/dev/null
probe_fail=$(grep -c '^certkeeper_certificate_probe_ok{.*} 0$' "$out/report.prom" || true)
rects=$(grep -o '<rect ' "$out/report.html" | wc -l)
if [[ $probe_fail -ne $((n / 10)) || $rects -ne $n ]]; then
  echo "unexpected output: $probe_fail failed probes (expected $((n / 10))), $rects timeline bars (expected $n)" >&2
  exit 1
fi
printf 'output over %d: HTML %d bytes, Prometheus %d bytes\n\n' "$n" \
  "$(stat -c %s "$out/report.html")" "$(stat -c %s "$out/report.prom")"

row "report --format html over $n" "$(median_ms 5 "$ck" --db "$db" report --format html)" "target < 2000"
row "report --format prometheus over $n" "$(median_ms 5 "$ck" --db "$db" report --format prometheus)" "target < 2000"
row "report --format html --output FILE over $n" \
  "$(median_ms 5 "$ck" --db "$db" report --format html --output "$out/timed.html")" ""
row "report --format prometheus --output FILE over $n" \
  "$(median_ms 5 "$ck" --db "$db" report --format prometheus --output "$out/timed.prom")" ""
row "report (table) over $n" "$(median_ms 5 "$ck" --db "$db" report)" ""
row "report --format json over $n" "$(median_ms 5 "$ck" --db "$db" report --format json)" ""
row "report --format html --within 30 (100 due)" "$(median_ms 11 "$ck" --db "$db" report --format html --within 30)" ""
row "report --format prometheus --within 30 (100 due)" \
  "$(median_ms 11 "$ck" --db "$db" report --format prometheus --within 30)" ""
