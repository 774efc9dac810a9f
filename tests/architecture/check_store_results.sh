#!/usr/bin/env bash
# Fails when the result of a store write is thrown away. Every Inventory
# method returns a [[nodiscard]] Result, so the compiler already refuses a
# bare call; what it accepts is an explicit discard: `(void)inv.close_order(...)`,
# `static_cast<void>(...)` or `std::ignore = ...`. A failure to record is
# then lost without a word (issue 10: `(void)record_failure` in issue.cpp
# hid every failure whose text SQLite or the JSON of its event refused).
# The methods are read from the store's public header, so a new one is
# covered without touching this script.
set -euo pipefail
root=${1:-$(dirname "$0")/../..}
cd "$root"

header=include/certkeeper/store/inventory.h
[ -f "$header" ] || { echo "store-results: $header not found"; exit 1; }
# "  Status record_failure(", "  Result<int> append_version(", "[[nodiscard]] Status ..."
methods=$(grep -oE '^\s*(\[\[nodiscard\]\]\s*)?(static\s+)?(Status|Result<[^;]*>)\s+[a-z_]+\(' "$header" |
          sed -E 's/.*\s([a-z_]+)\($/\1/' | sort -u | paste -sd'|' -)
[ -n "$methods" ] || { echo "store-results: no store methods found in $header"; exit 1; }

status=0
while IFS= read -r hit; do
  [ -z "$hit" ] && continue
  echo "store-results: $hit"
  echo "  a store write's result is discarded: handle it (return it, or log what could not be recorded)"
  status=1
done < <(grep -rnE "(\(void\)|static_cast<void>\(|std::ignore\s*=)[^;]*(\.|->)($methods)\(" src || true)
[ $status -eq 0 ] && echo "store-results: no store result is discarded"
exit $status
