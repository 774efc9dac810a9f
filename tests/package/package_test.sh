#!/usr/bin/env bash
# The Debian package, end to end on this machine (run by contrib/test.sh as
# root; the package is the optimised build the test command checks):
# contrib/package.sh builds certkeeper_VERSION_ARCH.deb, lintian
# finds no error in it, `dpkg -i` installs it, and the installed files work:
# --version, init, import and report, the module directory the binary was
# built with, the manual pages, the completion, the units (installed, not
# enabled). Then `dpkg -r` keeps the inventory and `dpkg -P` purges it.
#
# It installs into the real system: it refuses to run where certkeeper is
# already installed or /var/lib/certkeeper exists (a purge deletes it), and
# takes a lock so that two test runs on one machine take turns.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

if [ "$(id -u)" -ne 0 ]; then
  echo "package test: needs root (dpkg -i); run ./contrib/test.sh as root" >&2
  exit 1
fi
exec 9>/run/lock/certkeeper-package-test.lock
flock 9

work=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" -eq 1 ]; then dpkg -P certkeeper >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

if dpkg-query -W -f='${Status}' certkeeper 2>/dev/null | grep -q "install ok installed"; then
  echo "package test: certkeeper is installed on this machine; the test installs and purges its own" \
    "build, so remove it first (or run the test elsewhere)" >&2
  exit 1
fi
if [ -e /var/lib/certkeeper ] || [ -e /etc/certkeeper ]; then
  echo "package test: /var/lib/certkeeper or /etc/certkeeper exists; purging the package deletes the" \
    "inventory, so the test does not run here; move them away first (or run the test elsewhere)" >&2
  exit 1
fi

# Build: the seconds it takes are the figure in bench/README.md.
start=$(date +%s%N)
deb=$(./contrib/package.sh | tail -n 1)
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "package: built $(basename "$deb") in $((elapsed_ms / 1000)).$((elapsed_ms % 1000 / 100)) s"

# lintian: no errors (warnings and infos are printed, not fatal).
start=$(date +%s%N)
lintian_out=$(lintian --no-tag-display-limit "$deb" 2>&1 || true)
echo "lintian: $((($(date +%s%N) - start) / 1000000000)) s"
[ -z "$lintian_out" ] || echo "$lintian_out"
if grep -q '^E:' <<<"$lintian_out"; then fail "lintian reports errors"; fi
# The modules' libraries are dependencies (dh_shlibdeps reads them from the
# .so files): a postgresql:// inventory must find libpq like HTTPS libcurl.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libcurl4 libpq5; do
  grep -q "\b$lib\b" <<<"$depends" || fail "the package does not depend on $lib: $depends"
done

dpkg -i "$deb" >/dev/null
installed=1

# The files where the brief and Debian put them.
for f in /usr/bin/certkeeper /usr/lib/certkeeper/certkeeper-curl.so /usr/lib/certkeeper/certkeeper-pq.so \
  /lib/systemd/system/certkeeper.service /lib/systemd/system/certkeeper-renew.service \
  /lib/systemd/system/certkeeper-renew.timer /usr/share/man/man8/certkeeper.8.gz \
  /usr/share/man/man8/certkeeper-import.8.gz /usr/share/bash-completion/completions/certkeeper \
  /usr/share/doc/certkeeper/README.md /usr/share/doc/certkeeper/reference/commands.md \
  /usr/share/doc/certkeeper/guide/manual-import.md /usr/share/certkeeper/targets/nginx.sh \
  /usr/share/certkeeper/targets/lib/preset.sh /usr/share/certkeeper/dns/rfc2136-hook; do
  [ -e "$f" ] || fail "not installed: $f"
done
[ "$(stat -c %a /var/lib/certkeeper)" = 700 ] || fail "/var/lib/certkeeper is not 0700"
[ -d /etc/certkeeper ] || fail "postinst did not create /etc/certkeeper"
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  for unit in certkeeper.service certkeeper-renew.timer; do
    state=$(systemctl is-enabled "$unit" 2>/dev/null || true)
    [ "$state" = disabled ] || fail "$unit is '$state' after install, not disabled"
  done
fi
[ ! -e /etc/systemd/system/timers.target.wants/certkeeper-renew.timer ] || fail "the timer was enabled"
[ ! -e /etc/systemd/system/multi-user.target.wants/certkeeper.service ] || fail "the daemon was enabled"

# The installed program works, on root's default inventory.
version=$(sed -n 's/^project(certkeeper VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "$(/usr/bin/certkeeper --version)" = "certkeeper $version" ] || fail "certkeeper --version: $(/usr/bin/certkeeper --version)"
/usr/bin/certkeeper init --external-url https://mail.example.test/ >/dev/null || fail "certkeeper init"
[ -f /var/lib/certkeeper/certkeeper.db ] || fail "init did not create /var/lib/certkeeper/certkeeper.db"

# A throwaway PKI: root -> intermediate -> mail.example.test.
cd "$work"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=Package Test Root" \
  -keyout root.key -out root.pem -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Package Test Intermediate" \
  -keyout inter.key -out inter.csr 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 -extfile inter.ext \
  -out inter.pem 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mail.example.test" \
  -keyout mail.key -out mail.csr 2>/dev/null
printf 'subjectAltName=DNS:mail.example.test\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
  >mail.ext
openssl x509 -req -in mail.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 20 -extfile mail.ext \
  -out mail.pem 2>/dev/null
cat inter.pem root.pem >ca.pem
/usr/bin/certkeeper import mail --cert mail.pem --key mail.key --chain ca.pem >/dev/null || fail "certkeeper import"
report=$(/usr/bin/certkeeper report --format csv) || fail "certkeeper report"
grep -q '^mail,mail.example.test,Package Test Intermediate,' <<<"$report" || fail "report lacks mail: $report"
code=0
/usr/bin/certkeeper report --fail-within 30 >/dev/null 2>&1 || code=$?
[ "$code" -eq 6 ] || fail "report --fail-within 30 exited $code, not 6"
cd "$repo"

# The modules are loaded from the directory the binary was built with: a
# command that needs the HTTP module reaches the network stage (exit 4, the
# CA cannot be reached), not "module not found" (exit 1).
code=0
out=$(/usr/bin/certkeeper add probe-module --domain x.example.test --profile p \
  --acme-server https://127.0.0.1:9/dir 2>&1) || code=$?
[ "$code" -eq 4 ] || fail "a command that loads certkeeper-curl.so exited $code: $out"
grep -q 'module not found' <<<"$out" && fail "the binary does not find its modules: $out"

# The manual and the completion are the installed ones.
MANWIDTH=100 man certkeeper-import 2>/dev/null | grep -q -- '--p12' || fail "man certkeeper-import lacks --p12"
bash -c 'source /usr/share/bash-completion/completions/certkeeper && complete -p certkeeper' >/dev/null ||
  fail "the completion does not register"

# remove keeps the inventory; purge deletes it and the empty /etc/certkeeper.
dpkg -r certkeeper >/dev/null
[ ! -e /usr/bin/certkeeper ] || fail "dpkg -r left /usr/bin/certkeeper"
[ -f /var/lib/certkeeper/certkeeper.db ] || fail "dpkg -r removed the inventory"
dpkg -P certkeeper >/dev/null
installed=0
[ ! -e /var/lib/certkeeper ] || fail "dpkg -P left /var/lib/certkeeper"
[ ! -e /etc/certkeeper ] || fail "dpkg -P left the empty /etc/certkeeper"
[ ! -e /usr/lib/certkeeper ] || fail "dpkg -P left /usr/lib/certkeeper"
if dpkg-query -W certkeeper >/dev/null 2>&1 && dpkg-query -W -f='${Status}' certkeeper | grep -qv 'not-installed'; then
  fail "dpkg still knows certkeeper: $(dpkg-query -W -f='${Status}' certkeeper)"
fi

[ "$failures" -eq 0 ] && echo "package: built, linted, installed, used, removed and purged"
exit "$failures"
