#!/usr/bin/env bash
# Fails when code outside src/util/json.cpp parses JSON text by itself:
# every parse goes through parse_json (include/certkeeper/util/json.h), the
# one reader with the depth limit (issue 14). Run with a tree as $1 (default:
# this repository); with --selftest, proves it catches a bare parse.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--selftest" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/src/util" "$tmp/src/acme" "$tmp/include/certkeeper/util"
  echo 'auto j = nlohmann::json::parse(text);' > "$tmp/src/util/json.cpp"
  echo 'auto j = certkeeper::parse_json(body);' > "$tmp/src/acme/ok.cpp"
  "$0" "$tmp" >/dev/null
  for bare in 'auto j = json::parse(body, nullptr, false);' 'auto j = nlohmann::json::parse (body);' \
              'auto j = nlohmann::ordered_json::parse(body);' 'json::sax_parse(body, &handler);' \
              'auto j = json::from_cbor(bytes);' 'auto j = R"({"a":1})"_json;'; do
    echo "$bare" > "$tmp/src/acme/bad.cpp"
    if out=$("$0" "$tmp"); then
      echo "selftest: a bare parse was not caught: $bare"
      exit 1
    fi
    grep -q "src/acme/bad.cpp" <<<"$out"
  done
  echo "selftest: bare JSON parses caught"
  exit 0
fi

root=${1:-$here/../..}
cd "$root"
pattern='json::(parse|sax_parse|from_(cbor|msgpack|bson|ubjson|bjdata))[[:space:]]*\(|"_json\b|\)_json\b'
if hits=$(grep -rnE "$pattern" src include 2>/dev/null | grep -v '^src/util/json\.cpp:'); then
  echo "$hits" | sed 's/^/architecture: /'
  echo "architecture: parse JSON only through parse_json (include/certkeeper/util/json.h): it refuses nesting deeper than kMaxJsonDepth"
  exit 1
fi
echo "architecture: every JSON parse goes through parse_json"
