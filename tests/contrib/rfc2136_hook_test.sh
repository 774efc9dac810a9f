#!/usr/bin/env bash
# contrib/dns/rfc2136-hook before it talks to any server: arguments and
# settings are checked against their alphabets (nothing from outside can add
# an nsupdate command), the config file is parsed, never sourced, and every
# refusal is one line on stderr with exit 2. (The updates themselves are
# tested against a real BIND in tests/cli/dns_rfc2136_test.cpp.)
#   rfc2136_hook_test.sh PROJECT_SOURCE_DIR
set -uo pipefail
src=${1:?usage: rfc2136_hook_test.sh PROJECT_SOURCE_DIR}
hook=$src/contrib/dns/rfc2136-hook
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

printf 'key "ck" {\n\talgorithm hmac-sha256;\n\tsecret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";\n};\n' > "$work/key"
printf '# none\n' > "$work/empty.conf"

# refuses ARGS EXPECTED: exit 2, one line on stderr containing EXPECTED, nothing on stdout.
refuses() {
  local expected=$1
  shift
  local out err rc
  out=$(env -i PATH="$PATH" RFC2136_CONFIG="${CONFIG:-$work/empty.conf}" RFC2136_TSIG_FILE="${TSIG-$work/key}" \
    RFC2136_NAMESERVER=127.0.0.1:9 "$hook" "$@" 2> "$work/err")
  rc=$?
  err=$(cat "$work/err")
  [ "$rc" -eq 2 ] || fail "$*: exit $rc, wanted 2 ($err)"
  [ -z "$out" ] || fail "$*: printed on stdout: $out"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$*: not one line: $err"
  case $err in *"$expected"*) ;; *) fail "$*: '$err' does not say '$expected'" ;; esac
}

refuses "usage: rfc2136-hook present|cleanup" present _acme-challenge.example.test.
refuses "unknown action 'remove'" remove _acme-challenge.example.test. value
refuses "is not a DNS name" present "_acme-challenge.example.test.
update add evil. 60 TXT x" value
refuses "is not a DNS name" present "a b.example.test." value
refuses "is not a DNS name" present "..example.test." value
refuses "the TXT value is not base64url" present _acme-challenge.example.test. 'x" ; send'
refuses "the TXT value is not base64url" present _acme-challenge.example.test. ""
TSIG=$work/missing refuses "cannot read the TSIG key file" present _acme-challenge.example.test. value
TSIG="" refuses "no TSIG key" present _acme-challenge.example.test. value
printf 'not a key\n' > "$work/bad-key"
TSIG=$work/bad-key refuses "no 'key \"NAME\" { ... };'" present _acme-challenge.example.test. value

# The config file: read line by line, never sourced or expanded.
printf 'RFC2136_TTL=$(touch %s/pwned)\n' "$work" > "$work/evil.conf"
CONFIG=$work/evil.conf refuses "RFC2136_TTL" present _acme-challenge.example.test. value
[ ! -e "$work/pwned" ] || fail "the config file was executed"
printf '$(touch %s/pwned)=1\n' "$work" > "$work/evil-key.conf"
CONFIG=$work/evil-key.conf refuses "unknown setting" present _acme-challenge.example.test. value
[ ! -e "$work/pwned" ] || fail "the config file was executed"
printf 'just text\n' > "$work/garbled.conf"
CONFIG=$work/garbled.conf refuses "garbled.conf:1: not KEY=VALUE" present _acme-challenge.example.test. value
CONFIG=$work/none.conf refuses "cannot read the config file named by RFC2136_CONFIG" present _acme-challenge.x. value
printf 'RFC2136_ZONE=example.test\nRFC2136_TIMEOUT = 0\n' > "$work/zero.conf"
CONFIG=$work/zero.conf refuses "RFC2136_TIMEOUT '0'" present _acme-challenge.example.test. value

# An unreachable server is a clear error of its own (exit 1), not a hang.
start=$(date +%s)
err=$(env -i PATH="$PATH" RFC2136_CONFIG="$work/empty.conf" RFC2136_TSIG_FILE="$work/key" \
  RFC2136_NAMESERVER=127.0.0.1:9 RFC2136_ZONE=example.test RFC2136_TIMEOUT=1 \
  "$hook" present _acme-challenge.example.test. value 2>&1 > /dev/null)
rc=$?
[ "$rc" -eq 1 ] || fail "unreachable: exit $rc ($err)"
case $err in "rfc2136-hook: cannot reach 127.0.0.1:9 to update _acme-challenge.example.test."*) ;;
  *) fail "unreachable: $err" ;; esac
[ $(($(date +%s) - start)) -lt 20 ] || fail "unreachable: took too long"

if [ "$failures" -eq 0 ]; then echo "rfc2136-hook: all checks passed"; fi
exit $((failures > 0))
