#!/usr/bin/env bash
# The binary must not need libcurl at start (it would be mapped into every
# command and the `run` daemon), nor libpq (issue 11: loaded only when a
# postgresql:// inventory is used; only the tests link it yet), nor cpp-httplib at all (the http-01
# responder is our own; only the tests use cpp-httplib); the curl module must
# link libcurl and export its entry point. Usage: check_loadable_modules.sh BIN CURL_SO
set -euo pipefail
bin=$1 curl_so=$2
fail=0
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

if needed "$bin" | grep -E '^lib(curl|pq|cpp-httplib)'; then
  echo "FAIL: $bin links the libraries above directly; libcurl and libpq belong in loadable modules" >&2
  fail=1
fi
needed "$curl_so" | grep -q '^libcurl' || { echo "FAIL: $curl_so does not link libcurl" >&2; fail=1; }
if needed "$curl_so" | grep -E '^libcpp-httplib'; then
  echo "FAIL: $curl_so links cpp-httplib" >&2
  fail=1
fi
exported=$(nm -D --defined-only "$curl_so" | awk '$2 ~ /^[TW]$/ {print $3}')
if ! grep -qx certkeeper_curl_make_client <<<"$exported"; then
  echo "FAIL: $curl_so does not export certkeeper_curl_make_client" >&2
  fail=1
fi
# GnuTLS (loaded by libcurl through librtmp, never used) must not initialise
# itself as it is loaded (src/net/curl/gnutls_skip.cpp).
if ! grep -qx _gnutls_global_init_skip <<<"$exported"; then
  echo "FAIL: $curl_so does not export _gnutls_global_init_skip" >&2
  fail=1
fi
# Template code of the standard library keeps its default visibility; our
# own code (and the static libraries linked in) must stay private.
ours=$(nm -DC --defined-only "$curl_so" | grep 'certkeeper::' || true)
if [[ -n $ours ]]; then
  echo "FAIL: $curl_so exports certkeeper's internals:" >&2
  head -5 <<<"$ours" >&2
  fail=1
fi
[[ $fail == 0 ]] && echo "ok: the binary leaves libcurl to its module and links no libpq nor cpp-httplib"
exit $fail
