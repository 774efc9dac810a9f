#!/usr/bin/env bash
# The manual pages the build generates: one per command plus certkeeper(8),
# and groff and mandoc (when installed) find nothing to warn about.
#   man_test.sh CERTKEEPER_BINARY
set -euo pipefail
bin=${1:?usage: man_test.sh CERTKEEPER_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$bin" docs --format man --output "$work" >/dev/null
commands=$("$bin" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "no commands in certkeeper --help"
[ -f "$work/certkeeper.8" ] || fail "no certkeeper.8"
for c in $commands; do
  [ -f "$work/certkeeper-$c.8" ] || fail "no manual page for '$c' (certkeeper-$c.8)"
done
[ "$(find "$work" -name '*.8' | wc -l)" -eq $(($(wc -w <<<"$commands") + 1)) ] || fail "unexpected pages: $(ls "$work")"

for page in "$work"/*.8; do
  name=$(basename "$page")
  # groff: -ww all warnings, -z no output; anything on stderr is a defect.
  warnings=$(groff -man -ww -z "$page" 2>&1 >/dev/null) || fail "$name: groff failed"
  [ -z "$warnings" ] || fail "$name: groff: $warnings"
  if command -v mandoc >/dev/null; then
    lint=$(mandoc -T lint -W warning "$page" 2>&1) || true
    [ -z "$lint" ] || fail "$name: mandoc: $lint"
  fi
done
# man -l renders them as a reader sees them (slow: three pages).
for name in certkeeper.8 certkeeper-import.8 certkeeper-report.8; do
  text=$(MANWIDTH=100 man -l "$work/$name" 2>/dev/null) || fail "$name: man -l failed"
  grep -q "^NAME" <<<"$text" || fail "$name: no NAME section when rendered"
done
grep -q -- '--fail-within' <<<"$(MANWIDTH=200 man -l "$work/certkeeper-report.8" 2>/dev/null)" ||
  fail "certkeeper-report.8 does not document --fail-within"
grep -q 'key-mismatch' <<<"$(MANWIDTH=200 man -l "$work/certkeeper.8" 2>/dev/null)" ||
  fail "certkeeper.8 does not list the finding key-mismatch"
command -v mandoc >/dev/null || echo "mandoc not installed: checked with groff and man only"
[ "$failures" -eq 0 ] && echo "man pages: $(ls "$work" | wc -l) pages, ok"
exit "$failures"
