#!/usr/bin/env bash
# The test command (README "Running the tests"): on a fresh Debian 12 machine,
# as root, installs what the tests need, builds certkeeper twice (optimised,
# and with AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test
# in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh

install_missing "${certkeeper_build_packages[@]}" "${certkeeper_test_packages[@]}"

echo "== build (RelWithDebInfo)"
build_tree build/release "${certkeeper_release_tree_args[@]}"
echo "== tests (RelWithDebInfo)"
run_tests build/release --output-on-failure --parallel "$(nproc)" --timeout 300

echo "== build (ASan + UBSan)"
build_tree build/asan "${certkeeper_asan_tree_args[@]}"
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_tests build/asan --output-on-failure --parallel "$(nproc)" --timeout 600
