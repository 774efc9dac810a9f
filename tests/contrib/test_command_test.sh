#!/usr/bin/env bash
# The README's order, demo first, then the test command: contrib/demo.sh
# leaves build/release configured without tests, and contrib/test.sh must
# turn them on again (CMake keeps cached options), and a tree without tests
# must fail the test command instead of passing with "No tests were found".
# Configures a scratch tree the way each script does (no build: seconds).
set -euo pipefail
root=$1
cd "$root"
source contrib/lib/setup.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "test command: $*" >&2
  exit 1
}

# The scripts configure and run their trees through the shared settings.
grep -qF 'build_tree build/release "${certkeeper_demo_tree_args[@]}"' contrib/demo.sh ||
  fail "contrib/demo.sh does not configure build/release with certkeeper_demo_tree_args"
grep -qF 'build_tree build/release "${certkeeper_release_tree_args[@]}"' contrib/test.sh ||
  fail "contrib/test.sh does not configure build/release with certkeeper_release_tree_args"
grep -qF 'build_tree build/asan "${certkeeper_asan_tree_args[@]}"' contrib/test.sh ||
  fail "contrib/test.sh does not configure build/asan with certkeeper_asan_tree_args"
[ "$(grep -c 'run_tests build/' contrib/test.sh)" -eq 2 ] || fail "contrib/test.sh runs its trees without run_tests"
if grep -E '^[^#]*\bctest\b' contrib/test.sh; then fail "contrib/test.sh calls ctest directly"; fi

tree=$work/tree
configure_tree "$tree" "${certkeeper_demo_tree_args[@]}"
if run_tests "$tree" >"$work/none" 2>&1; then
  fail "run_tests passed a tree without tests: $(cat "$work/none")"
fi
grep -q "No tests were found" "$work/none" || fail "unexpected output: $(cat "$work/none")"

# The demo's tree, then a test tree's arguments: its tests run again.
tests_after_demo() {
  configure_tree "$tree" "${certkeeper_demo_tree_args[@]}"
  configure_tree "$tree" "$@"
  run_tests "$tree" -R '^architecture\.selftest$' >"$work/ran" 2>&1 || fail "$*: $(cat "$work/ran")"
  grep -q "tests passed, 0 tests failed out of 1" "$work/ran" || fail "$*: $(cat "$work/ran")"
}
tests_after_demo "${certkeeper_release_tree_args[@]}"
tests_after_demo "${certkeeper_asan_tree_args[@]}"
echo "test command: a tree the demo configured gets its tests back, and no tests is an error"
