#!/usr/bin/env bash
# The scheduler benchmark (bench/README.md, "Renewal passes"):
#   renew --dry-run over 1k / 10k / 100k certificates, none due   target < 50 ms at 100k,
#   ... and with 100 due                                          growing with what is due
#   renew (a real pass) with none due
#   idle RSS of `run` after its pass (1k and 100k, none due)      target < 10 MB
# with the baselines that explain the RSS (certkeeper --version, an empty C
# program linked to libssl / libsqlite3 / certkeeper's libraries / libcurl)
# and, when Debian's certbot
# is installed, `certbot renew` with 30 certificates not due.
#
#   bench/renew.sh [BUILD_DIR]
# Without BUILD_DIR: installs what it needs and builds build/release like
# bench/run.sh. With it: brings certkeeper and the inventory builder up to
# date there. Inventories are built once (about 2 minutes on 2 cores) and
# kept in $BENCH_DIR (default build/bench-renew); they are rebuilt after 7
# days (their next checks are 37 days or more away when built), when the
# builder's source changed, or when this certkeeper cannot read them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib/build.sh
bench_build "$@"
out=${BENCH_DIR:-$root/build/bench-renew}
mkdir -p "$out"
started=$(date +%s)

# Microseconds from bash itself (no `date` process inside the measurement).
source "$(dirname "$0")/lib/timing.sh"

row() { printf '%-64s %10s   %s\n' "$1" "$2" "$3"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k/1024}'; }

echo "certkeeper renew/run benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r)," \
  "$("$ck" --version)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates every number)"

# --- inventories: 1k / 10k / 100k with none and with 100 due, 100k with 1,000 due
inventories=("100000 0" "100000 100" "100000 1000" "10000 0" "10000 100" "1000 0" "1000 100")
stamp_of() { echo "scheduled v1 $1 $2 $(cat bench/make_inventory.cpp bench/synthetic_pki.* | sha256sum | cut -c1-16)"; }
inventory_ok() {  # N DUE
  local d=$out/inv-$1-due$2
  [[ -f $d/stamp && $(cat "$d/stamp") == "$(stamp_of "$1" "$2")" ]] || return 1
  [[ -z $(find "$d/stamp" -mmin +$((7 * 24 * 60))) ]] || return 1
  # Still current for this build (schema) and still with exactly DUE due.
  local text
  text=$("$ck" --db "$d/ck.db" renew --dry-run 2>/dev/null) || return 1
  [[ $(grep -c '^cert-' <<<"$text") -eq $2 ]]
}
build_inventory() {  # N DUE
  local d=$out/inv-$1-due$2 t0 t1
  rm -rf "$d"
  mkdir -p "$d"
  t0=$(now_us)
  "$gen" "$d/ck.db" "$1" "$2" "$d" --scheduled
  t1=$(now_us)
  stamp_of "$1" "$2" >"$d/stamp"
  printf 'built inventory of %6d certificates, %4d due, in %5.1f s\n' "$1" "$2" \
    "$(awk -v us=$((t1 - t0)) 'BEGIN {print us/1e6}')"
}
pids=()
for spec in "${inventories[@]}"; do
  read -r n due <<<"$spec"
  inventory_ok "$n" "$due" && continue
  # As many builders as cores (the 100k ones take about 45 s each).
  while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n; done
  build_inventory "$n" "$due" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { echo "building an inventory failed" >&2; exit 1; }; done
for spec in "${inventories[@]}"; do
  read -r n due <<<"$spec"
  inventory_ok "$n" "$due" || { echo "inventory $n/$due: renew --dry-run does not find $due due" >&2; exit 1; }
done
inv() { echo "$out/inv-$1-due$2/ck.db"; }
echo "inventories: every second certificate ACME (http-01), the others manual; next_check stored," \
  "37 to 369 days ahead for the certificates not due, an hour ago for the due ones"

# --- renew passes -------------------------------------------------------------
echo
echo "wall time per process, median of 21 runs (11 with certificates due) after two warm-ups"
row "/bin/true (the timing loop's own cost)" "$(median_ms 21 /bin/true) ms" ""
row "certkeeper --version (process start, no database)" "$(median_ms 21 "$ck" --version) ms" ""
for n in 1000 10000 100000; do
  row "renew --dry-run, none due, $n" "$(median_ms 21 "$ck" --db "$(inv $n 0)" renew --dry-run) ms" \
    "$([[ $n == 100000 ]] && echo 'target < 50 ms')"
done
for n in 1000 10000 100000; do
  row "renew --dry-run, 100 due, $n" "$(median_ms 11 "$ck" --db "$(inv $n 100)" renew --dry-run) ms" ""
done
row "renew --dry-run, 1000 due, 100000" "$(median_ms 11 "$ck" --db "$(inv 100000 1000)" renew --dry-run) ms" ""
for n in 1000 10000 100000; do
  row "renew (a real pass), none due, $n" "$(median_ms 21 "$ck" --db "$(inv $n 0)" renew) ms" ""
done

# --- idle RSS of `run` --------------------------------------------------------
echo
echo "memory of 'run' after its pass, asleep until the next check (from /proc/PID/status, smaps_rollup)"
idle_rss() {  # N: prints "VmRSS VmHWM RssAnon RssFile Pss" (kB); leaves the smaps breakdown in $out/run-N.smaps
  local db log pid i line
  db=$(inv "$1" 0)
  log=$out/run-$1.log
  "$ck" --db "$db" run >/dev/null 2>"$log" &
  pid=$!
  for ((i = 0; i < 3000; i++)); do
    grep -q 'pass done' "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.01
  done
  grep -q 'pass done' "$log" || { echo "run: no 'pass done' within 30 s" >&2; kill -TERM "$pid"; return 1; }
  sleep 0.5
  awk '/^[0-9a-f]+-/ {f = $6 == "" ? "[anonymous]" : $6} /^Rss:/ {r[f] += $2}
       END {for (k in r) print r[k], k}' "/proc/$pid/smaps" | sort -rn >"$out/run-$1.smaps"
  line="$(awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/ {v[$1] = $2}
               END {print v["VmRSS:"], v["VmHWM:"], v["RssAnon:"], v["RssFile:"]}' "/proc/$pid/status")"
  line="$line $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")"
  kill -TERM "$pid"
  wait "$pid" || { echo "run exited with $? after SIGTERM" >&2; return 1; }
  grep -q 'scheduler stopped' "$log" || { echo "run did not log its stop" >&2; return 1; }
  echo "$line"
}
for n in 1000 100000; do
  res=$(idle_rss $n) || exit 1
  read -r rss hwm anon file pss <<<"$res"
  row "run, idle, none due, $n: VmRSS" "$(mb "$rss")" \
    "$([[ $n == 100000 ]] && echo 'target < 10 MB; ')VmHWM $(mb "$hwm"), anonymous $(mb "$anon"), file-backed $(mb "$file"), PSS $(mb "$pss")"
done
/usr/bin/time -f '%M' -o "$out/time.txt" "$ck" --version >/dev/null
kb=$(tail -1 "$out/time.txt")
row "certkeeper --version: peak RSS" "$(mb "$kb")" ""

# Baselines: an empty C program, linked to each library certkeeper loads. The
# binary no longer names libcurl or cpp-httplib (they are its loadable
# modules, mapped only by a pass that talks to a CA, in a child process).
probes=$out/probes
mkdir -p "$probes"
needed=$(readelf -d "$ck" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/-l:\1/p' | tr '\n' ' ')
cflags=(-O2 -I/usr/include/x86_64-linux-gnu)
cc "${cflags[@]}" -o "$probes/libc" bench/rss_probe.c
cc "${cflags[@]}" -DPROBE_SQLITE -o "$probes/sqlite" bench/rss_probe.c -lsqlite3
cc "${cflags[@]}" -DPROBE_SSL -o "$probes/ssl" bench/rss_probe.c -l:libssl.so.3 -l:libcrypto.so.3
cc "${cflags[@]}" -DPROBE_CURL -o "$probes/curl" bench/rss_probe.c -l:libcurl.so.4
# shellcheck disable=SC2086
cc "${cflags[@]}" -DPROBE_SQLITE -o "$probes/all-loaded" bench/rss_probe.c -Wl,--no-as-needed $needed
probe() {  # NAME LABEL
  local rss hwm anon file libs
  read -r rss hwm anon file <<<"$("$probes/$1")"
  libs=$(($(ldd "$probes/$1" | wc -l) - 1))
  row "$2" "$(mb "$rss")" "anonymous $(mb "$anon"), file-backed $(mb "$file"); $libs shared objects"
}
probe libc "empty C program (libc only): VmRSS"
probe sqlite "... + libsqlite3, in-memory database"
probe ssl "... + libssl/libcrypto, OPENSSL_init_ssl"
probe all-loaded "... + certkeeper's $(wc -w <<<"$needed") libraries loaded, SQLite in use"
probe curl "... + libcurl, curl_global_init (what a pass that talks to a CA adds)"
ckl=$(($(ldd "$ck" | wc -l) - 1))
echo "(certkeeper itself loads $ckl shared objects)"

# Where the 100k idle process's resident pages are (kB, top 12).
echo
echo "resident kB by mapping, run idle at 100000:"
head -12 "$out/run-100000.smaps" | sed 's/^/  /'

# --- certbot, for reference ---------------------------------------------------
if command -v certbot >/dev/null; then
  cb=$out/certbot
  if [[ ! -f $cb/ok ]]; then
    # 30 lineages as certbot lays them out (live/ symlinks into archive/),
    # 90-day ECDSA certificates, none within certbot's 30 days.
    rm -rf "$cb"
    for i in $(seq 0 29); do
      n=cb$i.example.test
      mkdir -p "$cb/conf/archive/$n" "$cb/conf/live/$n" "$cb/conf/renewal"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 -subj "/CN=$n" \
        -addext "subjectAltName=DNS:$n" -keyout "$cb/conf/archive/$n/privkey1.pem" \
        -out "$cb/conf/archive/$n/cert1.pem" 2>/dev/null
      cp "$cb/conf/archive/$n/cert1.pem" "$cb/conf/archive/$n/chain1.pem"
      cat "$cb/conf/archive/$n/cert1.pem" "$cb/conf/archive/$n/chain1.pem" >"$cb/conf/archive/$n/fullchain1.pem"
      for k in cert privkey chain fullchain; do ln -s "../../archive/$n/${k}1.pem" "$cb/conf/live/$n/$k.pem"; done
      cat >"$cb/conf/renewal/$n.conf" <<EOF
# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = $cb/conf/archive/$n
cert = $cb/conf/live/$n/cert.pem
privkey = $cb/conf/live/$n/privkey.pem
chain = $cb/conf/live/$n/chain.pem
fullchain = $cb/conf/live/$n/fullchain.pem

[renewalparams]
account = 00000000000000000000000000000000
key_type = ecdsa
elliptic_curve = secp256r1
server = https://127.0.0.1:14000/dir
authenticator = standalone
EOF
    done
    touch "$cb/ok"
  fi
  cbcmd=(certbot renew --no-random-sleep-on-renew --config-dir "$cb/conf" --work-dir "$cb/work" --logs-dir "$cb/logs")
  if "${cbcmd[@]}" 2>&1 | grep -q 'No renewals were attempted'; then
    echo
    /usr/bin/time -f '%M' -o "$out/time.txt" "${cbcmd[@]}" >/dev/null 2>&1
    kb=$(tail -1 "$out/time.txt")
    row "certbot $(dpkg-query -W -f='${Version}' certbot 2>/dev/null) renew, 30 not due" \
      "$(median_ms 5 "${cbcmd[@]}") ms" "peak RSS $(mb "$kb")"
    row "renew --dry-run, none due, 1000 (again)" "$(median_ms 21 "$ck" --db "$(inv 1000 0)" renew --dry-run) ms" ""
  else
    echo "certbot renew did not report 'No renewals were attempted'; skipped" >&2
  fi
fi
echo
echo "benchmark took $(($(date +%s) - started)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
