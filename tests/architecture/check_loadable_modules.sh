#!/usr/bin/env bash
# The binary must not need libcurl at start (it would be mapped into every
# command and the `run` daemon), nor libpq (issue 11: loaded only when a
# postgresql:// inventory is used: it lives in certkeeper-pq.so), nor
# cpp-httplib at all (the http-01 responder is our own; only the tests use
# cpp-httplib); each module must link its library and export its entry
# point, and nothing of certkeeper's own.
# Usage: check_loadable_modules.sh BIN CURL_SO PQ_SO
set -euo pipefail
bin=$1 curl_so=$2 pq_so=$3
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
needed "$pq_so" | grep -q '^libpq\.' || { echo "FAIL: $pq_so does not link libpq" >&2; fail=1; }
if needed "$pq_so" | grep -E '^lib(curl|sqlite3|cpp-httplib)'; then
  echo "FAIL: $pq_so links the libraries above, which are not its business" >&2
  fail=1
fi
if ! nm -D --defined-only "$pq_so" | awk '$2 ~ /^[TW]$/ {print $3}' | grep -qx certkeeper_pq_connect; then
  echo "FAIL: $pq_so does not export certkeeper_pq_connect" >&2
  fail=1
fi
ours=$(nm -DC --defined-only "$pq_so" | grep 'certkeeper::' || true)
if [[ -n $ours ]]; then
  echo "FAIL: $pq_so exports certkeeper's internals:" >&2
  head -5 <<<"$ours" >&2
  fail=1
fi
[[ $fail == 0 ]] && echo "ok: the binary leaves libcurl and libpq to their modules and links no cpp-httplib"
exit $fail
