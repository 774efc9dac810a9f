#!/usr/bin/env bash
# The binary must not need libcurl or cpp-httplib at start (they would be
# mapped into every command and the `run` daemon); the modules must, and must
# export their entry points. Usage: check_loadable_modules.sh BIN CURL_SO HTTP01_SO
set -euo pipefail
bin=$1 curl_so=$2 http01_so=$3
fail=0
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

if needed "$bin" | grep -E '^lib(curl|cpp-httplib)'; then
  echo "FAIL: $bin links the libraries above directly; they belong in a loadable module" >&2
  fail=1
fi
needed "$curl_so" | grep -q '^libcurl' || { echo "FAIL: $curl_so does not link libcurl" >&2; fail=1; }
needed "$http01_so" | grep -q '^libcpp-httplib' || { echo "FAIL: $http01_so does not link cpp-httplib" >&2; fail=1; }
for pair in "$curl_so:certkeeper_curl_make_client" "$http01_so:certkeeper_http01_make_solver"; do
  so=${pair%%:*} sym=${pair#*:}
  exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TW]$/ {print $3}')
  if ! grep -qx "$sym" <<<"$exported"; then
    echo "FAIL: $so does not export $sym" >&2
    fail=1
  fi
  # Template code of the standard library keeps its default visibility; our
  # own code (and the static libraries linked in) must stay private.
  ours=$(nm -DC --defined-only "$so" | grep 'certkeeper::' || true)
  if [[ -n $ours ]]; then
    echo "FAIL: $so exports certkeeper's internals:" >&2
    head -5 <<<"$ours" >&2
    fail=1
  fi
done
[[ $fail == 0 ]] && echo "ok: the binary leaves libcurl and cpp-httplib to its modules"
exit $fail
