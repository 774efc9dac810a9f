#!/usr/bin/env bash
# The main job on the embedded defaults (README "Two commands"): builds
# certkeeper, then in ./demo initialises an inventory (a SQLite file),
# generates a throwaway PKI with openssl (root CA -> intermediate -> server
# certificate for mail.example.test), checks and imports the three files the
# way a mail-server admin would upload them, shows that a broken upload is
# refused with nothing changed, then starts a local pebble on loopback (the
# embedded default ACME CA), obtains a certificate from it over http-01, and
# prints the expiry report.
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh
source contrib/lib/pebble.sh

install_missing "${certkeeper_build_packages[@]}" pebble curl
build_tree build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=OFF -DCERTKEEPER_BENCH=OFF
ck="$PWD/build/release/certkeeper"

demo=$PWD/demo
rm -rf "$demo"
mkdir -p "$demo/pki"
export CERTKEEPER_DB=$demo/certkeeper.db
cd "$demo/pki"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# A throwaway PKI: root CA, intermediate CA, and a server certificate.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/O=certkeeper demo/CN=Demo Root CA" -keyout root.key -out root.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/O=certkeeper demo/CN=Demo Intermediate CA" -keyout inter.key -out inter.csr 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > inter.ext
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1825 \
  -extfile inter.ext -out inter.pem 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=mail.example.test" -keyout mail.key -out mail.csr 2>/dev/null
printf 'subjectAltName=DNS:mail.example.test,DNS:smtp.example.test\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > mail.ext
openssl x509 -req -in mail.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 90 \
  -extfile mail.ext -out mail.pem 2>/dev/null
cat inter.pem root.pem > ca.pem          # the CA file: issuing CA, root appended
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null

step "$ck" init --external-url https://mail.example.test/
step "$ck" check --cert mail.pem --key mail.key --chain ca.pem
echo "(a key that does not belong to the certificate is refused, exit 3, nothing stored:)"
step "$ck" import mail --cert mail.pem --key other.key --chain ca.pem || echo "exit code $?"
step "$ck" import mail --cert mail.pem --key mail.key --chain ca.pem

echo "(install: a target directory; every file switches at once, and a failed"
echo " reload or probe would switch back; here the reload is /bin/true)"
step "$ck" target add mail --dir "$demo/live/mail" --reload true
step "$ck" install mail --dry-run
step "$ck" install mail
step ls -l "$demo/live/mail"

echo "(a local ACME CA: pebble on 127.0.0.1:14000, the embedded default)"
start_pebble "$demo/pebble"
step "$ck" init --acme-ca-file "$PEBBLE_TRUST" --email ops@example.test
step "$ck" add web --domain www.example.test --challenge http-01 --listen 127.0.0.1:$PEBBLE_HTTP_PORT
step "$ck" target add web --dir "$demo/live/web" --reload true
echo "(set and forget: one scheduler pass issues and installs what is due;"
echo " a timer or 'certkeeper run' repeats it, see contrib/systemd/)"
step "$ck" renew
step "$ck" renew
step "$ck" renew web --dry-run
step "$ck" list
step "$ck" report
step "$ck" report --fail-within 100 --format csv || echo "exit code $? (expires within 100 days)"
