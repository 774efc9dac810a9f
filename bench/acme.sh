#!/usr/bin/env bash
# The ACME benchmark (bench/README.md): certkeeper beside Debian's certbot,
# lego and uacme on the same local pebble (PEBBLE_VA_NOSLEEP=1, http-01 on
# 127.0.0.1:5002, pebble's other defaults: 5% of nonces rejected).
#
# 1. Per client, N single-name certificates in sequence, one process per
#    certificate as a timer would run them (after one untimed warm-up that
#    creates the account). Printed per client:
#      median wall seconds per certificate        target (certkeeper) <= 0.10 s
#      median CPU seconds (user+sys) per cert     target <= 0.03 s
#      peak RSS (largest over the runs)           target <= 15 MB, ideally <= 12
#      startup: median wall time of `--version`
#      HTTP requests to the CA per issuance, counted in pebble's log (every
#      client), total and without the one-time directory + first nonce
#      (target about 7: newOrder, authz, challenge, poll, finalize, poll,
#      certificate); certkeeper's own --json count is checked against it.
#    Then one more certkeeper issuance, untimed, whose /proc/PID/smaps is
#    read as often as bash can while it runs: the sample with the largest
#    Rss, split by mapping (the binary, libcurl and the libraries only it
#    loads, OpenSSL, SQLite, the C/C++ runtime, heap + stacks + anonymous).
# 2. 100 certificates from one certkeeper process, `issue --parallel 8`:
#    certificates per second, against the same orders with pebble restarted
#    with PEBBLE_VA_ALWAYS_VALID=1 (no validation), and the CPU pebble used
#    meanwhile (its CPU-bound ceiling on this machine). Each run 3 times, the
#    median shown. Not at --parallel 64: Debian's pebble 2.4.0 then sometimes
#    deadlocks (goroutines stuck in MemoryStore.FindValidAuthorization and
#    AddCertificate; about 1 run in 10 here), so every request times out.
#
# Each client answers http-01 its own way on 127.0.0.1:5002: certkeeper
# --listen, certbot --standalone, lego --http; uacme has no server of its
# own, so it runs Debian's example hook (/usr/share/uacme/uacme.sh, writes the
# token into a webroot) with busybox httpd serving that webroot (busybox:
# one small Debian package, no python needed). uacme (libcurl-gnutls) has no
# CA-file option and reads no CA environment variable, so it runs in a
# private mount namespace (unshare, as root) where pebble's listener CA is
# bind-mounted over /etc/ssl/certs/ca-certificates.crt; nothing outside
# that namespace changes. Every client uses an EC P-256 certificate key.
#
# Environment: ACME_BENCH_N (30), ACME_BENCH_PARALLEL_CERTS (100),
# ACME_BENCH_PARALLEL (8), BENCH_DIR (build/bench-acme).
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh
source contrib/lib/pebble.sh

N=${ACME_BENCH_N:-30}
PCERTS=${ACME_BENCH_PARALLEL_CERTS:-100}
PAR=${ACME_BENCH_PARALLEL:-8}
STARTUP_RUNS=11
clients=(certkeeper certbot lego uacme)

install_missing "${certkeeper_build_packages[@]}" pebble time curl
declare -A skip=()   # client -> why it cannot run here
for c in certbot lego uacme busybox; do
  install_missing "$c" || skip[$c]="Debian package $c not installed (needs root)"
done
[ -n "${skip[busybox]:-}" ] && skip[uacme]="${skip[busybox]} (uacme's http-01 webroot server)"
build_tree build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=OFF
ck=$PWD/build/release/certkeeper
out=${BENCH_DIR:-$PWD/build/bench-acme}
rm -rf "$out"
mkdir -p "$out"
HTTP_ADDR=127.0.0.1:5002
EMAIL=ops@example.test

HTTPD_PID=
cleanup() {
  [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null && wait "$HTTPD_PID" 2>/dev/null
  HTTPD_PID=
  stop_pebble
}
# start_pebble installs its own EXIT trap; ours (set after it) also stops httpd.
restart_pebble() {
  stop_pebble
  wait_port_free 14000 && wait_port_free 15000 && wait_port_free 5002 || return 1
  start_pebble "$@"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# port_busy PORT: something accepts connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port_free() {
  local i
  for i in $(seq 1 100); do
    port_busy "$1" || return 0
    sleep 0.1
  done
  echo "port $1 is still in use" >&2
  return 1
}

pebble_requests() { grep -c -- '-> calling handler()' "$PEBBLE_LOG" || true; }

# issue_cmd CLIENT NAME: sets cmd=(...) that obtains NAME.example.test.
issue_cmd() {
  local d=$out/$1
  case $1 in
    certkeeper) cmd=("$ck" --db "$d/ck.db" --json issue "$2") ;;
    certbot) cmd=(certbot certonly --config-dir "$d/conf" --work-dir "$d/work" --logs-dir "$d/logs"
                  --server "$PEBBLE_DIR_URL" --non-interactive --agree-tos -m "$EMAIL" --no-eff-email
                  --standalone --http-01-address 127.0.0.1 --http-01-port 5002
                  --key-type ecdsa --elliptic-curve secp256r1 -d "$2.example.test") ;;
    lego) cmd=(lego --server "$PEBBLE_DIR_URL" --accept-tos --email "$EMAIL" --path "$d/lego"
               --key-type ec256 --http --http.port "$HTTP_ADDR" --domains "$2.example.test" run) ;;
    uacme) cmd=(uacme -c "$d/conf" -a "$PEBBLE_DIR_URL" -t EC -b 256 -h /usr/share/uacme/uacme.sh
                issue "$2.example.test") ;;
  esac
}

# setup_client CLIENT: untimed per-client preparation (inventory, account).
setup_client() {
  local d=$out/$1 i
  mkdir -p "$d"
  case $1 in
    certkeeper)
      "$ck" --db "$d/ck.db" -q init --acme-server "$PEBBLE_DIR_URL" --acme-ca-file "$PEBBLE_TRUST" --email "$EMAIL" || return 1
      for i in $(seq 0 "$N") map; do
        "$ck" --db "$d/ck.db" -q add "ck$i" --domain "ck$i.example.test" --challenge http-01 --listen "$HTTP_ADDR"
      done ;;
    certbot)
      certbot register --config-dir "$d/conf" --work-dir "$d/work" --logs-dir "$d/logs" --server "$PEBBLE_DIR_URL" \
        --non-interactive --agree-tos -m "$EMAIL" --no-eff-email > "$d/register.log" 2>&1 ;;
    lego) ;;   # `lego run` registers on its first (untimed) run
    uacme)
      mkdir -p "$d/www/.well-known/acme-challenge"
      uacme -c "$d/conf" -a "$PEBBLE_DIR_URL" -y new "$EMAIL" > "$d/register.log" 2>&1 ;;
  esac
}

prefix() {
  case $1 in certkeeper) echo ck ;; certbot) echo cb ;; lego) echo lg ;; uacme) echo ua ;; esac
}

# cpu_seconds TIMES_OUTPUT: user + sys of the children line of `times`.
cpu_seconds() {
  echo "$1" | tail -n1 | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.3f", u[1]*60 + u[2] + s[1]*60 + s[2] }'
}

# series CLIENT: the warm-up, then N timed issuances. Appends to
# $out/CLIENT.tsv: wall_s cpu_s rss_kb requests requests_no_dir_nonce [ck_requests]
# On failure writes the reason to $out/CLIENT.err and returns 1.
series() {
  local c=$1 d=$out/$1 p i name rc t0 t1 r0 r1 cpu extra
  p=$(prefix "$c")
  setup_client "$c" || { echo "setup failed: $(tail -n1 "$d/register.log" 2>/dev/null)" > "$out/$c.err"; return 1; }
  : > "$out/$c.tsv"
  for i in $(seq 0 "$N"); do
    name=$p$i
    issue_cmd "$c" "$name"
    # (uacme's webroot server holds the port for the whole series)
    [ "$c" = uacme ] || wait_port_free 5002 || { echo "port 5002 busy before $name" > "$out/$c.err"; return 1; }
    r0=$(pebble_requests)
    t0=$EPOCHREALTIME
    # The subshell's `times` (second line: its children) is the CPU of
    # timeout + GNU time + the client, to the millisecond.
    cpu=$( (rc=0; timeout 300 /usr/bin/time -o "$d/$name.time" -f '%M' "${cmd[@]}" > "$d/$name.log" 2>&1 || rc=$?
            times; exit $rc) ) && rc=0 || rc=$?
    t1=$EPOCHREALTIME
    r1=$(pebble_requests)
    if [ "$rc" -ne 0 ]; then
      echo "$name failed (exit $rc): $(grep -v '^Command exited' "$d/$name.log" | tail -n1)" > "$out/$c.err"
      return 1
    fi
    [ "$i" -eq 0 ] && continue   # warm-up: account creation, first-run setup
    cpu=$(cpu_seconds "$cpu")
    # requests without the directory and the first nonce of this process
    local dirs nonces
    dirs=$(grep -- '-> calling handler()' "$PEBBLE_LOG" | sed -n "$((r0 + 1)),${r1}p" | grep -c ' /dir -> ' || true)
    nonces=$(grep -- '-> calling handler()' "$PEBBLE_LOG" | sed -n "$((r0 + 1)),${r1}p" | grep -c ' /nonce-plz -> ' || true)
    extra=
    [ "$c" = certkeeper ] && extra=$(grep -o '"requests": *[0-9]*' "$d/$name.log" | grep -o '[0-9]*$')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
      "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$cpu" "$(tail -n1 "$d/$name.time")" \
      $((r1 - r0)) $((r1 - r0 - dirs - (nonces > 0 ? 1 : 0))) "$extra" >> "$out/$c.tsv"
  done
}

# median_col FILE COL [SCALE]
median_col() {
  cut -f"$2" "$1" | sort -g | awk -v s="${3:-1}" '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f", m * s }'
}
range_col() { cut -f"$2" "$1" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (lo == hi) print lo; else print lo "-" hi }'; }
max_col() { cut -f"$2" "$1" | sort -g | tail -n1; }

# startup CMD...: median wall seconds of STARTUP_RUNS runs after two warm-ups.
startup() {
  local i t0 t1 ts=()
  "$@" > /dev/null 2>&1 || true
  "$@" > /dev/null 2>&1 || true
  for ((i = 0; i < STARTUP_RUNS; i++)); do
    t0=$EPOCHREALTIME
    "$@" > /dev/null 2>&1 || true
    t1=$EPOCHREALTIME
    ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
  done
  printf '%s\n' "${ts[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }'
}

# rss_by_mapping OUT CMD...: runs CMD and reads its /proc/PID/smaps as often
# as it can; writes the sample with the largest Rss sum to OUT as lines
# "group kB" (groups: see the header), its total and the process's peak
# by GNU time (it can fall between two samples). File mappings only grow during an
# issuance (the curl module is never unloaded), so the last samples are the
# peak's; the heap may have been a little larger between two samples.
needed_files() { ldd "$1" | awk '$3 ~ /^\// { print $3 }' | xargs -r readlink -f | xargs -r -n1 basename | sort; }
rss_by_mapping() {
  local result=$1 time_pid pid= best=0 sum curl_only hwm
  shift
  rm -f "$result.smaps"
  /usr/bin/time -o "$result.time" -f '%M' "$@" > "$result.log" 2>&1 &
  time_pid=$!
  while [ -z "$pid" ] && kill -0 "$time_pid" 2>/dev/null; do
    pid=$(cat "/proc/$time_pid/task/$time_pid/children" 2>/dev/null | awk '{ print $1 }')
  done
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
    cat "/proc/$pid/smaps" > "$result.cur" 2>/dev/null || break
    sum=$(awk '/^Rss:/ { s += $2 } END { print s + 0 }' "$result.cur")
    if [ "$sum" -gt "$best" ]; then best=$sum; mv "$result.cur" "$result.smaps"; fi
  done
  wait "$time_pid" || return 1
  [ -s "$result.smaps" ] || return 1
  hwm=$(tail -n1 "$result.time")
  # the libraries certkeeper-curl.so needs that the binary does not load itself
  # (by the file names the mappings show: libcurl.so.4 is mapped as libcurl.so.4.8.0)
  curl_only=$(comm -13 <(needed_files "$ck") <(needed_files "$(dirname "$ck")/certkeeper-curl.so") | paste -sd' ')
  awk -v ck="$ck" -v hwm="$hwm" -v curl_only="$curl_only certkeeper-curl.so" '
    BEGIN { n = split(curl_only, c, " "); for (i = 1; i <= n; i++) only[c[i]] = 1 }
    /^[0-9a-f]+-[0-9a-f]+ / {
      path = (NF >= 6) ? $6 : "[anon]"; base = path; sub(/.*\//, "", base)
      if (path == ck) g = "binary"
      else if (base in only) g = "libcurl"
      else if (base ~ /^lib(crypto|ssl)\.so/) g = "openssl"
      else if (base ~ /^libsqlite3\.so/) g = "sqlite"
      else if (base ~ /^(libc|libstdc\+\+|libm|libgcc_s|ld-linux-x86-64)\.so/) g = "runtime"
      else if (path ~ /^\[(heap|stack|anon)/) g = "anon"
      else g = "other"
      next
    }
    /^Rss:/ { r[g] += $2; total += $2 }
    END {
      print "total", total
      print "hwm", hwm
      for (k in r) print k, r[k]
      print "curl_libs", n - 2
    }' "$result.smaps" > "$result"
}

# The wrapper's own cost in the CPU column (timeout + GNU time around /bin/true).
overhead=$(for i in $(seq 1 20); do
  cpu_seconds "$( (timeout 300 /usr/bin/time -o /dev/null -f '%M' /bin/true; times) )"; echo
done | sort -g | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }')

host="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "certkeeper ACME benchmark, $(date -u +%Y-%m-%d), $host, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "pebble $(dpkg-query -W -f='${Version}' pebble), certbot $(dpkg-query -W -f='${Version}' certbot 2>/dev/null), lego $(dpkg-query -W -f='${Version}' lego 2>/dev/null), uacme $(dpkg-query -W -f='${Version}' uacme 2>/dev/null); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

restart_pebble "$out/pebble"
PEBBLE_LOG=$out/pebble/pebble.log
export out ck N EMAIL HTTP_ADDR PEBBLE_DIR_URL PEBBLE_TRUST PEBBLE_LOG
export -f issue_cmd setup_client prefix series cpu_seconds port_busy wait_port_free pebble_requests

declare -A start=() wall=()
for c in "${clients[@]}"; do
  if [ -n "${skip[$c]:-}" ]; then
    continue
  fi
  echo "running $c ..."
  t0=$EPOCHREALTIME
  case $c in
    certkeeper) start[$c]=$(startup "$ck" --version)
                if series "$c"; then
                  wait_port_free 5002 && rss_by_mapping "$out/certkeeper.rss" "$ck" --db "$out/certkeeper/ck.db" --json issue ckmap ||
                    echo "the sampled issuance failed, see $out/certkeeper.rss.log" >&2
                fi ;;
    certbot) start[$c]=$(startup certbot --version)
             REQUESTS_CA_BUNDLE=$PEBBLE_LISTENER_CA series "$c" || true ;;
    lego) start[$c]=$(startup lego --version)
          LEGO_CA_CERTIFICATES=$PEBBLE_LISTENER_CA series "$c" || true ;;
    uacme)
      start[$c]=$(startup uacme -V)
      if [ "$(id -u)" -ne 0 ] || ! unshare --mount --propagation private true 2>/dev/null; then
        skip[$c]="needs root + unshare: uacme has no CA-file option, its CA store is bind-mounted"
        continue
      fi
      mkdir -p "$out/uacme/www/.well-known/acme-challenge"
      wait_port_free 5002
      busybox httpd -f -p "$HTTP_ADDR" -h "$out/uacme/www" &
      HTTPD_PID=$!
      for i in $(seq 1 50); do port_busy 5002 && break; sleep 0.1; done
      UACME_CHALLENGE_PATH=$out/uacme/www/.well-known/acme-challenge \
        unshare --mount --propagation private bash -c \
        'set -euo pipefail; mount --bind "$1" /etc/ssl/certs/ca-certificates.crt; series uacme' _ "$PEBBLE_LISTENER_CA" ||
        { [ -f "$out/uacme.err" ] || echo "uacme namespace setup failed" > "$out/uacme.err"; }
      kill "$HTTPD_PID"; wait "$HTTPD_PID" 2>/dev/null || true
      HTTPD_PID= ;;
  esac
  t1=$EPOCHREALTIME
  wall[$c]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
  [ -f "$out/$c.err" ] && skip[$c]=$(cat "$out/$c.err")
  true
done

# certkeeper's --json count must match pebble's log.
ck_mismatch=
if [ -s "$out/certkeeper.tsv" ]; then
  ck_mismatch=$(awk -F'\t' '$4 != $6 { n++ } END { print n + 0 }' "$out/certkeeper.tsv")
fi

# --- 2. PCERTS certificates from one process, --parallel PAR ---------------
# parallel_run LABEL PARALLEL [PEBBLE ENV...]: fresh pebble and inventory;
# writes "wall cpu rss stored requests pebble_cpu" to $out/parallel-LABEL/result.
parallel_run() {
  local label=$1 inflight=$2 d=$out/parallel-$1 i names=() t0 t1 cpu rc p0 p1 tck
  shift 2
  restart_pebble "$d/pebble" "$@" || return 1
  mkdir -p "$d"
  "$ck" --db "$d/ck.db" -q init --acme-server "$PEBBLE_DIR_URL" --acme-ca-file "$PEBBLE_TRUST" --email "$EMAIL" || return 1
  for i in $(seq 0 "$PCERTS"); do
    "$ck" --db "$d/ck.db" -q add "p$i" --domain "p$i.example.test" --challenge http-01 --listen "$HTTP_ADDR" || return 1
    [ "$i" -gt 0 ] && names+=("p$i")
  done
  "$ck" --db "$d/ck.db" -q issue p0 > "$d/warmup.log" 2>&1 || return 1   # the account
  wait_port_free 5002
  tck=$(getconf CLK_TCK)
  p0=$(awk '{ print $14 + $15 }' "/proc/$PEBBLE_PID/stat")
  t0=$EPOCHREALTIME
  cpu=$( (rc=0; timeout 120 /usr/bin/time -o "$d/time" -f '%M' "$ck" --db "$d/ck.db" --json issue "${names[@]}" --parallel "$inflight" \
            > "$d/issue.json" 2> "$d/issue.err" || rc=$?
          times; exit $rc) ) && rc=0 || rc=$?
  t1=$EPOCHREALTIME
  p1=$(awk '{ print $14 + $15 }' "/proc/$PEBBLE_PID/stat")
  [ "$rc" -eq 0 ] || { echo "issue --parallel $inflight failed (exit $rc), see $d" >&2; return 1; }
  printf '%s %s %s %s %s %s\n' \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
    "$(cpu_seconds "$cpu")" \
    "$(tail -n1 "$d/time")" \
    "$(grep -c '"stored": true' "$d/issue.json" || true)" \
    "$(grep -o '"requests": *[0-9]*' "$d/issue.json" | grep -o '[0-9]*$' | awk '{ s += $1 } END { print s + 0 }')" \
    "$(awk -v a="$p0" -v b="$p1" -v t="$tck" 'BEGIN { printf "%.2f", (b - a) / t }')" > "$d/result"
}
echo "running $PCERTS certificates from one process, --parallel $PAR, then with PEBBLE_VA_ALWAYS_VALID=1 (3 runs each) ..."
# Each configuration 3 times (fresh pebble each): the run with the median wall time.
declare -A par=() par_all=()
for k in real always-valid; do
  for r in 1 2 3; do
    case $k in
      real) parallel_run "$k-$r" "$PAR" || true ;;
      always-valid) parallel_run "$k-$r" "$PAR" PEBBLE_VA_ALWAYS_VALID=1 || true ;;
    esac
  done
  par[$k]=$(cat "$out/parallel-$k"-[123]/result 2>/dev/null | sort -g | awk '{ a[NR] = $0 } END { if (NR) print a[int((NR + 1) / 2)] }')
  par_all[$k]=$(for r in 1 2 3; do
    if [ -s "$out/parallel-$k-$r/result" ]; then cut -d' ' -f1 "$out/parallel-$k-$r/result"; else echo failed; fi
  done | paste -sd, | sed 's/,/, /g')
done
stop_pebble

# --- the table --------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo
echo "1. $N single-name certificates in sequence, one process each (after one untimed warm-up with the account)"
printf '%-11s %10s %10s %9s %9s %15s  %s\n' client "s/cert" "CPU s/cert" "peak RSS" startup "HTTP req/cert" "(total; without dir + first nonce)"
for c in "${clients[@]}"; do
  f=$out/$c.tsv
  if [ -n "${skip[$c]:-}" ] || [ ! -s "$f" ] || [ "$(wc -l < "$f")" -lt "$N" ]; then
    printf '%-11s could not run here: %s\n' "$c" "${skip[$c]:-incomplete, see $out/$c}"
    continue
  fi
  printf '%-11s %10s %10s %6s MB %7s s %6s; %-6s (median %s; %s)\n' "$c" \
    "$(median_col "$f" 1)" "$(median_col "$f" 2)" "$(mb "$(max_col "$f" 3)")" "${start[$c]}" \
    "$(range_col "$f" 4)" "$(range_col "$f" 5)" "$(median_col "$f" 4 | sed 's/\.000$//')" "$(median_col "$f" 5 | sed 's/\.000$//')"
done
echo "  targets for certkeeper: <= 0.10 s/cert, <= 0.03 CPU s/cert, <= 15 MB (ideally <= 12) peak RSS, ~7 requests without dir + nonce"
if [ -s "$out/certkeeper.rss" ]; then
  rss() { awk -v g="$1" '$1 == g { print $2 }' "$out/certkeeper.rss"; }
  echo "  certkeeper's peak by mapping (one more issuance, smaps sampled while it ran; MB resident):"
  printf '    %s in the largest sample, of a peak of %s: binary %s, the curl module + libcurl + the %s libraries only libcurl loads %s, OpenSSL %s, SQLite %s,\n' \
    "$(mb "$(rss total)")" "$(mb "$(rss hwm)")" "$(mb "$(rss binary)")" "$(rss curl_libs)" "$(mb "$(rss libcurl)")" "$(mb "$(rss openssl)")" "$(mb "$(rss sqlite)")"
  printf '    C/C++ runtime (libc, libstdc++, libm, libgcc_s, ld.so) %s, heap + stacks + anonymous %s, other %s\n' \
    "$(mb "$(rss runtime)")" "$(mb "$(rss anon)")" "$(mb "$(rss other)")"
fi
echo "  CPU includes the measuring wrappers (timeout + GNU time): $overhead s around /bin/true."
echo "  Peak RSS: the largest GNU time max-RSS over the runs (uacme's includes its hook shell)."
echo "  Requests: counted in pebble's log (pebble rejects 5% of nonces: a retry adds one)."
if [ -n "$ck_mismatch" ]; then
  if [ "$ck_mismatch" -eq 0 ]; then
    echo "  certkeeper's own --json \"requests\" equals pebble's count in every run."
  else
    echo "  certkeeper's own --json \"requests\" differs from pebble's count in $ck_mismatch runs (see $out/certkeeper.tsv)."
  fi
fi
for c in "${clients[@]}"; do
  [ -n "${wall[$c]:-}" ] && printf '  %s: %s s for the whole series\n' "$c" "${wall[$c]}"
done
echo
echo "2. $PCERTS certificates from one certkeeper process (fresh pebble each, account already made)"
printf '%-40s %7s %8s %10s %9s %8s %8s %11s  %s\n' "" "wall s" "certs/s" "CPU s/cert" "peak RSS" stored "req/cert" "pebble CPU" "(wall s of the 3 runs)"
for row in "--parallel $PAR, real http-01 validation|real" \
           "--parallel $PAR, PEBBLE_VA_ALWAYS_VALID=1|always-valid"; do
  label=${row%%|*}
  k=${row#*|}
  if [ -z "${par[$k]}" ]; then
    printf '%-40s failed, see %s\n' "$label" "$out/parallel-$k-*/"
    continue
  fi
  read -r w cpu rss stored req pcpu <<< "${par[$k]}"
  printf '%-40s %7s %8s %10s %6s MB %8s %8s %9s s  (%s)\n' "$label" "$w" \
    "$(awk -v n="$stored" -v w="$w" 'BEGIN { printf "%.1f", n / w }')" \
    "$(awk -v c="$cpu" -v n="$PCERTS" 'BEGIN { printf "%.4f", c / n }')" "$(mb "$rss")" "$stored/$PCERTS" \
    "$(awk -v r="$req" -v n="$PCERTS" 'BEGIN { printf "%.2f", r / n }')" "$pcpu" "${par_all[$k]}"
done
if [ -n "${par[real]}" ]; then
  [ -n "${par[always-valid]}" ] && awk -v a="${par[real]%% *}" -v b="${par[always-valid]%% *}" 'BEGIN {
      printf "  with real http-01 validation: %.0f%% of the rate without validation\n", 100 * b / a }'
  read -r w cpu rss stored req pcpu <<< "${par[real]}"
  awk -v c="$pcpu" -v n="$PCERTS" -v k="$(nproc)" 'BEGIN {
    printf "  pebble used %.1f ms CPU per certificate: alone and CPU-bound on %d cores it could issue at most ~%.0f/s\n", 1000 * c / n, k, k * n / c }'
fi
echo "  pebble CPU: pebble's user+sys seconds during the run ($(nproc) cores shared by pebble, its DNS and certkeeper)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); results and logs: $out"
