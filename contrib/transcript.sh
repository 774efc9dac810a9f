#!/usr/bin/env bash
# Regenerates the README's quick-start transcript from one real run: a local
# pebble (the ACME CA the demo uses, on its fixed loopback ports, so do not
# run it beside ./contrib/demo.sh) and a real nginx on 127.0.0.1:8443, in
# /tmp/certkeeper-quickstart. Every line of the transcript is what that run
# printed; nothing is edited afterwards.
#
#   contrib/transcript.sh [--update-readme]
#
# Prints the transcript; with --update-readme it also replaces the block
# between the transcript markers in README.md. Run as root (nginx, the
# installs); uses build/release/certkeeper, building it first if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source contrib/lib/setup.sh
source contrib/lib/pebble.sh

install_missing "${certkeeper_build_packages[@]}" pebble nginx curl
if [ ! -x build/release/certkeeper ]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build/release --parallel "$(nproc)" --target certkeeper
fi
export PATH=$repo/build/release:$PATH

work=/tmp/certkeeper-quickstart
rm -rf "$work"
mkdir -p "$work/live/www"
export CERTKEEPER_DB=$work/certkeeper.db
transcript=$work/transcript.txt

# nginx serves www.example.test from the files certkeeper will manage; until
# the first install they are a placeholder (which that install adopts).
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=placeholder" \
  -keyout "$work/live/www/privkey.pem" -out "$work/live/www/fullchain.pem" 2>/dev/null
cat >"$work/nginx.conf" <<CONF
daemon on;
pid $work/nginx.pid;
error_log $work/nginx.error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/client_body_temp;
  proxy_temp_path $work/proxy_temp;
  fastcgi_temp_path $work/fastcgi_temp;
  uwsgi_temp_path $work/uwsgi_temp;
  scgi_temp_path $work/scgi_temp;
  server {
    listen 127.0.0.1:8443 ssl;
    server_name www.example.test;
    ssl_certificate $work/live/www/fullchain.pem;
    ssl_certificate_key $work/live/www/privkey.pem;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx_cmd="/usr/sbin/nginx -c $work/nginx.conf -e $work/nginx.error.log"
$nginx_cmd
stop_all() {
  $nginx_cmd -s stop 2>/dev/null || true
  stop_pebble
}
start_pebble "$work/pebble" >/dev/null
trap stop_all EXIT

# step COMMAND...: prints "$ COMMAND" and its output (both streams, in order)
# into the transcript, and the exit code when it is not 0.
step() {
  printf '$ %s\n' "$*" >>"$transcript"
  local code=0
  eval "$*" >>"$transcript" 2>&1 || code=$?
  [ "$code" -eq 0 ] || echo "(exit code $code)" >>"$transcript"
  echo >>"$transcript"
}

cd "$work"
step certkeeper init --acme-server https://127.0.0.1:14000/dir --acme-ca-file pebble/trust.pem \
  --email ops@example.test
step certkeeper add www --domain www.example.test --challenge http-01 --listen 127.0.0.1:5002
step certkeeper target add www --dir "$work/live/www" --reload "'$nginx_cmd -s reload'" --probe 127.0.0.1:8443
step certkeeper renew
step ls -l live/www
step certkeeper probe 127.0.0.1:8443 --servername www.example.test --ca-file pebble/trust.pem
step certkeeper report
step certkeeper renew
sed -i '$ d' "$transcript"  # the blank line after the last step

cat "$transcript"
if [ "${1:-}" = "--update-readme" ]; then
  python3 - "$repo/README.md" "$transcript" <<'PY'
import sys
readme, transcript = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
begin, end = "<!-- transcript:begin -->\n", "<!-- transcript:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(head + begin + "```console\n" + transcript + "```\n" + end + tail)
PY
  echo "README.md updated" >&2
fi
