# Start Debian's pebble (+ pebble-challtestsrv as its DNS) on loopback with a
# generated TLS certificate, for the demo and the benchmarks. Sourced.
#   start_pebble DIR [VAR=VALUE...]
#                      -> sets PEBBLE_DIR_URL, PEBBLE_TRUST (listener CA +
#                         issuing root), PEBBLE_LISTENER_CA (listener CA only),
#                         PEBBLE_HTTP_PORT; stop_pebble on exit.
#                         VAR=VALUE pairs are extra environment for pebble
#                         (e.g. PEBBLE_VA_ALWAYS_VALID=1), after the default
#                         PEBBLE_VA_NOSLEEP=1. stop_pebble, then start_pebble
#                         again, restarts it (with a new issuing root).
# Ports are pebble's defaults, the embedded default of `certkeeper init`:
# ACME 14000, management 15000, http-01 validation 5002, tls-alpn-01 5001.

start_pebble() {
  local dir=$1
  shift
  mkdir -p "$dir"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=pebble listener CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$dir/listener.key" -out "$dir/listener.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$dir/listener.ext"
  openssl x509 -req -in "$dir/listener.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
    -extfile "$dir/listener.ext" -out "$dir/listener.pem" 2>/dev/null
  cat > "$dir/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
 "certificate": "$dir/listener.pem", "privateKey": "$dir/listener.key",
 "httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
  pebble-challtestsrv -dns01 127.0.0.1:8053 -management 127.0.0.1:8055 -defaultIPv4 127.0.0.1 \
    -defaultIPv6 "" -http01 "" -https01 "" -tlsalpn01 "" > "$dir/challtestsrv.log" 2>&1 &
  PEBBLE_CHALLTESTSRV_PID=$!
  env PEBBLE_VA_NOSLEEP=1 "$@" pebble -config "$dir/pebble.json" -dnsserver 127.0.0.1:8053 > "$dir/pebble.log" 2>&1 &
  PEBBLE_PID=$!
  trap stop_pebble EXIT
  local i
  for i in $(seq 1 100); do
    if curl -s --cacert "$dir/ca.pem" https://127.0.0.1:15000/roots/0 > "$dir/root.pem" 2>/dev/null &&
       grep -q "BEGIN CERTIFICATE" "$dir/root.pem"; then
      break
    fi
    sleep 0.1
  done
  grep -q "BEGIN CERTIFICATE" "$dir/root.pem" || { echo "pebble did not start; see $dir/pebble.log" >&2; return 1; }
  cat "$dir/ca.pem" "$dir/root.pem" > "$dir/trust.pem"
  PEBBLE_DIR_URL=https://127.0.0.1:14000/dir
  PEBBLE_TRUST=$dir/trust.pem
  PEBBLE_LISTENER_CA=$dir/ca.pem
  PEBBLE_HTTP_PORT=5002
}

stop_pebble() {
  local pid
  for pid in ${PEBBLE_PID:-} ${PEBBLE_CHALLTESTSRV_PID:-}; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in ${PEBBLE_PID:-} ${PEBBLE_CHALLTESTSRV_PID:-}; do
    wait "$pid" 2>/dev/null || true
  done
  PEBBLE_PID=
  PEBBLE_CHALLTESTSRV_PID=
}
