#!/usr/bin/env bash
# The test command (README "Two commands"): on a fresh Debian 12 machine,
# as root, installs what the tests need, builds certkeeper twice (optimised,
# and with AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test
# in both builds, then a short smoke of every fuzz harness (built by clang),
# then builds, installs, uses and purges the Debian package.
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh

install_missing "${certkeeper_build_packages[@]}" "${certkeeper_test_packages[@]}" "${certkeeper_fuzz_packages[@]}"

echo "== build (RelWithDebInfo)"
build_tree build/release "${certkeeper_release_options[@]}"
echo "== tests (RelWithDebInfo)"
ctest --test-dir build/release --output-on-failure --no-tests=error --parallel "$(nproc)" --timeout 300

echo "== build (ASan + UBSan)"
build_tree build/asan "${certkeeper_asan_options[@]}"
echo "== tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure --no-tests=error --parallel "$(nproc)" --timeout 600

# Every fuzz harness (tests/fuzz) for 2 s from its seeds: exits 1 when one
# crashes (HACKING.md "Fuzzing").
echo "== fuzz smoke (clang-15, libFuzzer + ASan + UBSan)"
contrib/fuzz.sh --smoke

# ---- The Debian package (issue 13) -------------------------------------
# Built from the release tree's objects (ccache), installed with dpkg -i,
# used (--version, init, import, report), removed and purged.
echo "== Debian package"
./tests/package/package_test.sh
