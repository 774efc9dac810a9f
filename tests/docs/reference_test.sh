#!/usr/bin/env bash
# docs/reference/ is what the binary generates from its own command-line
# definition and tables; this fails when the committed files differ.
#   reference_test.sh PROJECT_SOURCE_DIR CERTKEEPER_BINARY
set -euo pipefail
src=${1:?usage: reference_test.sh PROJECT_SOURCE_DIR CERTKEEPER_BINARY}
bin=${2:?usage: reference_test.sh PROJECT_SOURCE_DIR CERTKEEPER_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" docs --format markdown --output "$work/reference" >/dev/null
if ! diff -ru "$src/docs/reference" "$work/reference"; then
  echo "FAIL: docs/reference differs from what the binary generates; regenerate it with"
  echo "  $bin docs --format markdown --output $src/docs/reference"
  echo "and commit the result (review the diff: it is what users will read)."
  exit 1
fi
echo "docs/reference: up to date"
