#!/usr/bin/env bash
# The discarded-store-result check must fail on each way of discarding (a
# check that cannot fail checks nothing), and pass handled calls.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/lifecycle" "$tmp/include/certkeeper/store"
cat > "$tmp/include/certkeeper/store/inventory.h" <<'H'
  [[nodiscard]] Status record_failure(const std::string& name);
  Result<std::int64_t> open_order(const std::string& name,
  Status close_order(std::int64_t order_id, const std::string& status, UnixTime now);
H
echo 'if (auto ok = inv.close_order(1, "failed", now); !ok) log::warn(ok.error().what());' > "$tmp/src/lifecycle/ok.cpp"
"$here/check_store_results.sh" "$tmp" >/dev/null
for bad in '(void)inv->record_failure(name);' '(void)o->inv.close_order(id, "failed", now);' \
           'static_cast<void>(l.inv.open_order("web",' 'std::ignore = inv.record_failure(name);'; do
  echo "$bad" > "$tmp/src/lifecycle/bad.cpp"
  if out=$("$here/check_store_results.sh" "$tmp"); then
    echo "selftest: not caught: $bad"
    exit 1
  fi
  grep -q "bad.cpp" <<<"$out"
done
echo "selftest: discarded store results caught"
