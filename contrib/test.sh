#!/usr/bin/env bash
# The test command (README "Two commands"): on a fresh Debian 12 machine,
# as root, installs what the tests need, builds certkeeper twice (optimised,
# and with AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test
# in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh

install_missing "${certkeeper_build_packages[@]}" "${certkeeper_test_packages[@]}"

echo "== build (RelWithDebInfo)"
build_tree build/release "${certkeeper_release_options[@]}"
echo "== tests (RelWithDebInfo)"
ctest --test-dir build/release --output-on-failure --no-tests=error --parallel "$(nproc)" --timeout 300

echo "== build (ASan + UBSan)"
build_tree build/asan -DCMAKE_BUILD_TYPE=Debug -DCERTKEEPER_SANITIZE=ON -DCERTKEEPER_BENCH=OFF
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure --no-tests=error --parallel "$(nproc)" --timeout 600

# ---- The Debian package (issue 13) -------------------------------------
# Built from the release tree's objects (ccache), installed with dpkg -i,
# used (--version, init, import, report), removed and purged.
echo "== Debian package"
./tests/package/package_test.sh
