#!/usr/bin/env bash
# The dependency check must fail on a forbidden include (a check that cannot
# fail checks nothing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/store"
echo '#include "certkeeper/store/inventory.h"' > "$tmp/src/store/ok.cpp"
"$here/check_dependencies.sh" "$tmp" >/dev/null
echo '#include "certkeeper/lifecycle/check.h"' > "$tmp/src/store/bad.cpp"
if out=$("$here/check_dependencies.sh" "$tmp"); then
  echo "selftest: a store -> lifecycle include was not caught"
  exit 1
fi
grep -q "module 'store' may not use 'lifecycle'" <<<"$out"
echo "selftest: forbidden include caught"
