#!/usr/bin/env bash
# The fleet benchmark of issue 12 (bench/README.md, "A fleet on PostgreSQL"):
# 5 nodes (node1..node5) on one PostgreSQL inventory of 10,000 certificates.
#   1. a version stored -> installed on all 5 nodes: one
#      `certkeeper --node node1 import NAME ...` of a new version (test PKI
#      made here by openssl), while each node runs `certkeeper --node nodeN
#      run --poll 600` (so only LISTEN/NOTIFY explains seconds); the clock
#      stops when all 5 target files hold the new leaf          target < 2 s
#   2. a node's pass with nothing due: `--node node3 renew` and
#      `renew --dry-run`, with the 5 daemons running            target < 50 ms
#   3. lease takeover after kill -9 (init --lease-seconds 10), against
#      Debian's pebble: node1's `issue` holds the lease in the middle of its
#      order (its dns-01 hook waits at a gate, the challenge presented and
#      not yet answered); it is killed with SIGKILL and node2's `issue` of
#      the same certificate, started at once, waits the lease out, takes it
#      over and completes the same order                target <= 10 + 2 s
#
#   bench/fleet.sh [BUILD_DIR]
# Without BUILD_DIR: installs what it needs and builds build/release (as
# bench/store.sh). It starts its own PostgreSQL 15 (bench/lib/postgres.sh)
# and pebble + pebble-challtestsrv on loopback (contrib/lib/pebble.sh: ports
# 14000, 15000, 8053, 8055), and always stops them and the node daemons.
#
# The inventory: bench/make_inventory's --scheduled one (10,000
# certificates, none due, keys encrypted under a key file from `keys new`).
# Every node serves every certificate: 50,000 target rows (5 nodes x 10,000)
# are inserted with SQL as a converged fleet has them (the current version
# installed, probe passed), so each pass really asks the inventory which of
# its 10,000 targets lack their desired version; their directories are
# never written because none does. The measured certificate (fleet-web) has
# one real target directory per node under $BENCH_DIR/nodes/nodeN/, added
# with `target add --node`. No nginx: the targets have no reload and no
# probe, so "installed" is the file switch and the inventory's record, not a
# served and probed certificate.
#
# Environment: FLEET_ROUNDS (11) rounds of measure 1, FLEET_PASS_RUNS (21),
# FLEET_TAKEOVER_ROUNDS (4), BENCH_N (10000; smaller only to try the script),
# BENCH_DIR (build/bench-fleet, made afresh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
renice -n 5 -p $$ >/dev/null 2>&1 || true   # the machine's cores are shared
source bench/lib/build.sh
source bench/lib/timing.sh
source bench/lib/postgres.sh
bench_build "$@"
source contrib/lib/setup.sh
source contrib/lib/pebble.sh
install_missing postgresql-15 pebble curl openssl python3
out=${BENCH_DIR:-$root/build/bench-fleet}
n=${BENCH_N:-10000}
rounds=${FLEET_ROUNDS:-11}
pass_runs=${FLEET_PASS_RUNS:-21}
takeover_rounds=${FLEET_TAKEOVER_ROUNDS:-4}
lease_seconds=10
nodes=(node1 node2 node3 node4 node5)
rm -rf "$out"
mkdir -p "$out/pki" "$out/inv" "$out/logs" "$out/gate" "$out/hook"
chmod 0755 "$out" "$out/hook"
started=$(date +%s)

declare -A daemon=()   # node -> pid of its `run --poll 600`
issuers=()             # pids of the `issue` processes of measure 3
stop_daemons() {
  local node
  for node in "${!daemon[@]}"; do kill -TERM "${daemon[$node]}" 2>/dev/null || true; done
  for node in "${!daemon[@]}"; do wait "${daemon[$node]}" 2>/dev/null || true; done
  daemon=()
}
cleanup() {
  stop_daemons
  local pid
  for pid in "${issuers[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  touch "$out/gate/open" 2>/dev/null || true   # lets any gated hook end
  stop_pebble
  pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms() { awk -v us="$1" 'BEGIN {printf "%.1f", us / 1000}'; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "-"; exit} m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m}'; }
minmax() { sort -g | awk 'NR == 1 {lo=$1} {hi=$1} END {printf "%.1f-%.1f", lo, hi}'; }
row() { printf '%-62s %12s %14s   %s\n' "$@"; }

echo "certkeeper fleet benchmark (5 nodes, one PostgreSQL inventory), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "kernel $(uname -r), $("$ck" --version), $("$pg_bin/postgres" --version), pebble $(dpkg-query -W -f='${Version}' pebble 2>/dev/null || echo '?')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates every number)"

# --- PostgreSQL and the inventory ---------------------------------------------
pg_start -A trust
echo "PostgreSQL server: $pg_dir, 127.0.0.1:$pg_port and its Unix socket (server defaults; fsync on)"
pg_psql postgres -c 'CREATE DATABASE fleet'
pq=$(pg_uri fleet)
key=$out/inventory.key
"$ck" keys new --out "$key" >/dev/null
# ckn NODE ARGS...: certkeeper as node NODE on the fleet's inventory. Run in
# the background as "$ck" "${on[@]}" --node NODE ... & instead, so that $! is
# certkeeper's own pid (a function in the background is a subshell).
on=(--db "$pq" --key-file "$key")
ckn() { local node=$1; shift; "$ck" "${on[@]}" --node "$node" "$@"; }

t0=$(now_us)
"$gen" "$pq&options=-c%20synchronous_commit%3Doff" "$n" 0 "$out/inv" --scheduled --key-file "$key" \
  >"$out/logs/inventory.log" 2>&1 || { echo "building the inventory failed:" >&2; cat "$out/logs/inventory.log" >&2; exit 1; }
t1=$(now_us)
printf 'built the inventory of %d certificates (none due) in %.1f s\n' "$n" "$(awk -v us=$((t1 - t0)) 'BEGIN {print us/1e6}')"
# Every node serves every certificate, installed and probed (see the top).
values=$(printf "('%s')," "${nodes[@]}")
pg_psql fleet -c "
  INSERT INTO certkeeper.targets (certificate_id, dir, node, installed_version, installed_at, probe_ok, probed_at, created_at)
  SELECT c.id, '$out/nodes/' || n.node || '/certs/' || c.name, n.node, c.current_version,
         extract(epoch FROM now())::bigint, 1, extract(epoch FROM now())::bigint, extract(epoch FROM now())::bigint
  FROM certkeeper.certificates c CROSS JOIN (VALUES ${values%,}) AS n(node)" -c 'VACUUM ANALYZE'
rows=$(pg_psql fleet -tA -c 'SELECT count(*) FROM certkeeper.targets')
echo "targets: $rows rows ($n certificates x ${#nodes[@]} nodes), all converged"

# --- the test PKI: a root, an intermediate, one leaf per round ----------------
pki=$out/pki
ec() { echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"; }
# shellcheck disable=SC2046
openssl req -x509 -new $(ec) -days 3650 -subj "/CN=fleet bench root" -keyout "$pki/root.key" -out "$pki/root.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
# shellcheck disable=SC2046
openssl req -new $(ec) -subj "/CN=fleet bench intermediate" -keyout "$pki/int.key" -out "$pki/int.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$pki/int.ext"
openssl x509 -req -in "$pki/int.csr" -CA "$pki/root.pem" -CAkey "$pki/root.key" -set_serial "0x$(openssl rand -hex 16)" \
  -days 3650 -extfile "$pki/int.ext" -out "$pki/int.pem" 2>/dev/null
printf 'subjectAltName=DNS:www.fleet.test\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' >"$pki/leaf.ext"
for k in $(seq 0 "$rounds"); do
  # shellcheck disable=SC2046
  openssl req -new $(ec) -subj "/CN=www.fleet.test" -keyout "$pki/leaf-$k.key" -out "$pki/leaf-$k.csr" 2>/dev/null
  openssl x509 -req -in "$pki/leaf-$k.csr" -CA "$pki/int.pem" -CAkey "$pki/int.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 90 -extfile "$pki/leaf.ext" -out "$pki/leaf-$k.pem" 2>/dev/null
done
import_leaf() {  # K: node1 stores leaf K as fleet-web's next version
  ckn node1 -q import fleet-web --cert "$pki/leaf-$1.pem" --key "$pki/leaf-$1.key" --chain "$pki/int.pem" \
    --ca-file "$pki/root.pem" >"$out/logs/import-$1.log" 2>&1 ||
    { echo "import of leaf $1 failed:" >&2; cat "$out/logs/import-$1.log" >&2; return 1; }
}
import_leaf 0
files=()
for node in "${nodes[@]}"; do
  mkdir -p "$out/nodes/$node/www"
  ckn node1 -q target add fleet-web --dir "$out/nodes/$node/www" --node "$node" >/dev/null
  files+=("$out/nodes/$node/www/cert.pem")
done

# await LEAF_K TIMEOUT_S OUT: starts the poller in the background (pid in
# $poller) and returns once it is polling.
await() {
  rm -f "$out/ready"
  python3 bench/lib/await_files.py "$out/ready" "$pki/leaf-$1.pem" "$2" "${files[@]}" >"$3" &
  poller=$!
  while [[ ! -e $out/ready ]]; do sleep 0.01; done
}

# --- 1. a version stored -> installed on 5 nodes -------------------------------
echo
echo "1. a version stored (node1: import) -> installed on all 5 nodes (each: run --poll 600)"
t_start=$(now_us)
for node in "${nodes[@]}"; do
  "$ck" "${on[@]}" --node "$node" run --poll 600 >"$out/logs/run-$node.log" 2>&1 &
  daemon[$node]=$!
done
await 0 120 "$out/logs/first.txt"
wait "$poller"
if grep -q timeout "$out/logs/first.txt"; then
  echo "the daemons' first passes did not install fleet-web version 1 on every node:" >&2
  tail -n 5 "$out"/logs/run-*.log >&2
  exit 1
fi
# A daemon LISTENs from its start, but a version stored while its first pass
# runs (the revocation watch's first scan of 10,000 versions takes a few
# seconds) is installed only by the pass after it. So the rounds start once
# every node's heartbeat says idle: the end of its pass (an install inside a
# pass does not say idle).
idle=0
for _ in $(seq 1 1200); do
  idle=$(pg_psql fleet -tA -c "SELECT count(*) FROM certkeeper.nodes WHERE doing = 'idle'")
  ((idle == ${#nodes[@]})) && break
  sleep 0.1
done
((idle == ${#nodes[@]})) || { echo "the daemons' first passes did not end within 120 s" >&2; exit 1; }
t_idle=$(now_us)
installed=$(sort -g "$out/logs/first.txt" | tail -n1)
printf '   the 5 daemons started: fleet-web version 1 on all 5 nodes after %.1f s, all first passes over after %.1f s\n' \
  "$(awk -v a="$t_start" -v l="$installed" 'BEGIN {print l - a / 1e6}')" "$(awk -v us=$((t_idle - t_start)) 'BEGIN {print us / 1e6}')"
sleep 1   # from idle to waiting

spread=()
import_us=()
first_ms=()
for k in $(seq 1 "$rounds"); do
  await "$k" 30 "$out/logs/round-$k.txt"
  a=$(now_us)
  import_leaf "$k"
  b=$(now_us)
  wait "$poller"
  if grep -q timeout "$out/logs/round-$k.txt"; then
    echo "round $k: not every node installed version $((k + 1)) within 30 s:" >&2
    paste <(printf '%s\n' "${nodes[@]}") "$out/logs/round-$k.txt" >&2
    exit 1
  fi
  last=$(sort -g "$out/logs/round-$k.txt" | tail -n1)
  first=$(sort -g "$out/logs/round-$k.txt" | head -n1)
  all=$(awk -v a="$a" -v l="$last" 'BEGIN {printf "%.1f", (l * 1e6 - a) / 1000}')
  one=$(awk -v a="$a" -v f="$first" 'BEGIN {printf "%.1f", (f * 1e6 - a) / 1000}')
  printf '   round %2d: import %6.1f ms, first node %7.1f ms, all 5 nodes %7.1f ms\n' "$k" "$(ms $((b - a)))" "$one" "$all"
  spread+=("$all")
  import_us+=("$(ms $((b - a)))")
  first_ms+=("$one")
  sleep 1   # the passes the notification started are over
done
m1=$(printf '%s\n' "${spread[@]}" | median)
r1=$(printf '%s\n' "${spread[@]}" | minmax)
mi=$(printf '%s\n' "${import_us[@]}" | median)
mf=$(printf '%s\n' "${first_ms[@]}" | median)
woke=$(cat "$out"/logs/run-*.log | grep -c 'changed by another node' || true)
waits=$(cat "$out"/logs/run-*.log | grep -c 'another certkeeper is installing this certificate' || true)
echo "   daemons woken by a notification: $woke times (5 nodes x $rounds rounds = $((5 * rounds)));" \
  "a node waited for another node's install of fleet-web: $waits times (the install lock is per certificate and node)"

# --- 2. a node's pass with nothing due ----------------------------------------
echo
echo "2. a node's pass with nothing due (node3; the 5 daemons running, idle)"
check=$(ckn node3 --json renew 2>"$out/logs/pass.err") || { echo "renew on node3 failed:" >&2; cat "$out/logs/pass.err" >&2; exit 1; }
python3 -c '
import json, sys
d = json.load(sys.stdin)
busy = [c for c in d.get("certificates", []) if c.get("renewed") or c.get("error")]
assert not busy and not d.get("installs"), (busy[:3], d.get("installs"))' <<<"$check" ||
  { echo "node3's pass was not idle: $check" | head -c 2000 >&2; exit 1; }
p_renew=$(median_ms "$pass_runs" ckn node3 renew)
p_dry=$(median_ms "$pass_runs" ckn node3 renew --dry-run)
ckn node3 renew >/dev/null 2>"$out/logs/pass.err" || { echo "renew on node3 failed after timing:" >&2; cat "$out/logs/pass.err" >&2; exit 1; }
# What the pass spends most of its time on at this size: the query of the
# node's targets that lack their desired version (Inventory::unconverged,
# src/store/nodes.cpp; the same SQL text here), timed by the server.
conv="SELECT c.name, coalesce(c.pinned_version, c.current_version) FROM targets t JOIN certificates c ON c.id = t.certificate_id
  WHERE (t.node = 'node3' OR t.node = '') AND coalesce(c.pinned_version, c.current_version) IS NOT NULL AND t.installed_version IS DISTINCT FROM
  coalesce(c.pinned_version, c.current_version) AND t.failed_version IS DISTINCT FROM coalesce(c.pinned_version, c.current_version) AND EXISTS (SELECT 1
  FROM cert_versions v WHERE v.certificate_id = c.id AND v.version = coalesce(c.pinned_version, c.current_version) AND
  v.not_after > $(date +%s) AND v.revoked_at IS NULL) GROUP BY c.name, coalesce(c.pinned_version, c.current_version) ORDER BY c.name"
# Its plan, once, for the record.
pg_psql fleet -tA -c 'SET search_path = certkeeper' -c "EXPLAIN (ANALYZE, TIMING OFF) $conv" > "$out/logs/convergence-plan.txt"
p_conv=$(for _ in $(seq 1 11); do
  pg_psql fleet -tA -c 'SET search_path = certkeeper' -c "EXPLAIN (ANALYZE, TIMING OFF) $conv" | sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p'
done | median)
p_version=$(median_ms "$pass_runs" "$ck" --version)
p_show=$(median_ms "$pass_runs" ckn node3 show no-such-certificate)
echo "   renew $p_renew ms, renew --dry-run $p_dry ms (medians of $pass_runs after two warm-ups);" \
  "for comparison: --version $p_version ms, open + one lookup (show of a missing name) $p_show ms"
echo "   of which the query of node3's targets lacking their desired version (10,000 targets; EXPLAIN (ANALYZE, TIMING OFF)," \
  "median of 11): $p_conv ms"
stop_daemons

# --- 3. lease takeover after kill -9 -------------------------------------------
echo
echo "3. lease takeover after kill -9 (init --lease-seconds $lease_seconds; pebble, dns-01 hook held at a gate)"
pebble_ok=0
start_pebble "$out/pebble" && pebble_ok=1
trap cleanup EXIT   # start_pebble sets its own
((pebble_ok)) || exit 1
ckn node1 -q init --acme-server "$PEBBLE_DIR_URL" --acme-ca-file "$PEBBLE_TRUST" --email ops@fleet.test \
  --lease-seconds "$lease_seconds" >/dev/null
hook=$out/hook/dns-hook.sh
cat >"$hook" <<HOOK
#!/bin/bash
# dns-01 hook of bench/fleet.sh: sets the TXT record at pebble-challtestsrv,
# then (present) waits at the gate until $out/gate/open exists.
set -eu
PATH=/usr/bin:/bin
case \$1 in
present) path=/set-txt; body="{\"host\":\"\$2\",\"value\":\"\$3\"}" ;;
cleanup) path=/clear-txt; body="{\"host\":\"\$2\"}" ;;
*) exit 0 ;;
esac
exec 3<>/dev/tcp/127.0.0.1/8055
printf 'POST %s HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s' "\$path" "\${#body}" "\$body" >&3
head -1 <&3 | grep -q ' 200 '
if [ "\$1" = present ] && [ ! -e "$out/gate/open" ]; then
  echo "\$\$" >>"$out/gate/reached"
  while [ ! -e "$out/gate/open" ]; do sleep 0.05; done
fi
HOOK
chmod 0755 "$hook"
add_leased() {  # NAME
  ckn node1 -q add "$1" --domain "$1.fleet.test" --challenge dns-01 --dns-hook "$hook" --dns-propagation 0 >/dev/null
}
# Untimed: the account, and the hook and pebble working.
touch "$out/gate/open"
add_leased warmup
ckn node1 -q issue warmup >"$out/logs/warmup.log" 2>&1 || { echo "the warm-up issue failed:" >&2; cat "$out/logs/warmup.log" >&2; exit 1; }
lease_of() {  # NAME -> "node generation expires_at holder"
  pg_psql fleet -tA -F' ' -c "SELECT l.node, l.generation, l.expires_at, l.holder FROM certkeeper.leases l
    JOIN certkeeper.certificates c ON c.id = l.certificate_id WHERE c.name = '$1'"
}
takeover=()
holding=()
left_at_kill=()
for k in $(seq 1 "$takeover_rounds"); do
  name=lease-$k
  add_leased "$name"
  rm -f "$out/gate/open" "$out/gate/reached"
  "$ck" "${on[@]}" --node node1 --json issue "$name" >"$out/logs/$name-node1.out" 2>"$out/logs/$name-node1.err" &
  a=$!
  issuers+=("$a")
  for _ in $(seq 1 600); do [[ -s $out/gate/reached ]] && break; sleep 0.05; done
  [[ -s $out/gate/reached ]] || { echo "$name: node1's order never reached its dns-01 hook:" >&2; cat "$out/logs/$name-node1.err" >&2; exit 1; }
  # The holder renews its lease every 3 s (a third of 10): the kill comes
  # 0.2, 1.3, 2.4, 3.5 s after the order reached its hook, so the rounds
  # meet the lease at different points of that cycle (3.5 s: just after a
  # renewal, about the longest wait).
  sleep "$(awk -v k="$k" 'BEGIN {printf "%.1f", 0.2 + ((k - 1) % 4) * 1.1}')"
  read -r l_node l_gen l_exp _ <<<"$(lease_of "$name")"
  [[ $l_node == node1 ]] || { echo "$name: the lease is not node1's: $l_node" >&2; exit 1; }
  t_kill=$(now_us)
  kill -KILL "$a"
  wait "$a" 2>/dev/null || true
  issuers=()   # reaped: its pid may be reused
  touch "$out/gate/open"   # node2's hook, and the dead holder's orphan
  "$ck" "${on[@]}" --node node2 --json issue "$name" >"$out/logs/$name-node2.out" 2>"$out/logs/$name-node2.err" &
  b=$!
  issuers+=("$b")
  t_held=
  while kill -0 "$b" 2>/dev/null; do
    if [[ -z $t_held ]]; then
      read -r h_node h_gen _ <<<"$(lease_of "$name")"
      [[ $h_node == node2 && $h_gen -gt $l_gen ]] && t_held=$(now_us)
    fi
    sleep 0.05
  done
  rc=0
  wait "$b" || rc=$?
  issuers=()
  t_done=$(now_us)
  ((rc == 0)) || { echo "$name: node2's issue failed (exit $rc):" >&2; cat "$out/logs/$name-node2.err" >&2; exit 1; }
  [[ -n $t_held ]] || { read -r h_node h_gen _ <<<"$(lease_of "$name")"; t_held=$t_done; }
  python3 - "$out/logs/$name-node2.out" <<'PY' || { echo "$name: node2 did not complete node1's order:" >&2; cat "$out/logs/$name-node2.err" >&2; exit 1; }
import json, sys
c = json.load(open(sys.argv[1]))["certificates"][0]
assert c.get("version") == 1 and c.get("resumed") is True, c
PY
  grep -q "took over the lease to talk to the CA from node node1" "$out/logs/$name-node2.err" ||
    { echo "$name: node2 did not say it took the lease over:" >&2; cat "$out/logs/$name-node2.err" >&2; exit 1; }
  orders=$(ckn node1 --json history "$name" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["events"] if e["kind"] == "order-opened"))')
  [[ $orders == 1 ]] || { echo "$name: $orders orders opened, expected 1" >&2; exit 1; }
  left=$(awk -v e="$l_exp" -v k="$t_kill" 'BEGIN {printf "%.1f", e - k / 1e6}')
  held=$(awk -v a="$t_kill" -v b="$t_held" 'BEGIN {printf "%.1f", (b - a) / 1e6}')
  done_s=$(awk -v a="$t_kill" -v b="$t_done" 'BEGIN {printf "%.1f", (b - a) / 1e6}')
  printf '   round %d: lease expires_at - kill = %5.1f s; node2 holds the lease (generation %s) after %5.1f s; its issue of the same order done after %5.1f s (1 order, resumed)\n' \
    "$k" "$left" "$h_gen" "$held" "$done_s"
  takeover+=("$done_s")
  holding+=("$held")
  left_at_kill+=("$left")
done
m3=$(printf '%s\n' "${takeover[@]}" | median)
r3=$(printf '%s\n' "${takeover[@]}" | minmax)
mh=$(printf '%s\n' "${holding[@]}" | median)

# --- the table ------------------------------------------------------------------
echo
echo "fleet benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'):" \
  "5 nodes, $n certificates, PostgreSQL 15"
row "measure" "median" "range" "target"
row "1. version stored -> installed on all 5 nodes ($rounds rounds)" "$m1 ms" "$r1" "< 2000 ms"
row "   of which the import process (node1)" "$mi ms" "" ""
row "   first node installed" "$mf ms" "" ""
row "2. node3 renew, nothing due ($pass_runs runs)" "$p_renew ms" "" "< 50 ms"
row "   node3 renew --dry-run ($pass_runs runs)" "$p_dry ms" "" "< 50 ms"
row "   the convergence query, after a change (server time, 11 runs)" "$p_conv ms" "" ""
row "3. kill -9 of the holder -> node2's issue done ($takeover_rounds rounds)" "$m3 s" "$r3" "<= $((lease_seconds + 2)) s"
row "   kill -9 -> node2 holds the lease" "$mh s" "" ""
echo
echo "benchmark took $(($(date +%s) - started)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
