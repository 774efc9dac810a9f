#!/usr/bin/env bash
# The test command (README "Two commands"): on a fresh Debian 12 machine,
# as root, installs what the tests need, builds certkeeper with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test there,
# then a short smoke of every fuzz harness (built by clang), then builds the
# Debian package (the optimised build, g++ -O2 with -Werror), installs it,
# uses it and purges it.
#
# Every test runs once, in the strictest build: a sanitizer finds what an
# optimised run of the same test would miss, and the optimised binary is
# the one the package test installs and runs. Running the suite a second
# time in an optimised tree doubled the compile (bench/README.md "The test
# command" has the figures that decided it).
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh

install_missing "${certkeeper_build_packages[@]}" "${certkeeper_test_packages[@]}" "${certkeeper_fuzz_packages[@]}"

step() { echo "== $1 ($(date -u +%H:%M:%S), ${SECONDS} s in)"; }

step "build (ASan + UBSan)"
build_tree build/asan "${certkeeper_asan_options[@]}"
step "tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure --no-tests=error --parallel "$(nproc)" --timeout 600

# Every fuzz harness (tests/fuzz) for 2 s from its seeds: exits 1 when one
# crashes (HACKING.md "Fuzzing").
step "fuzz smoke (clang-15, libFuzzer + ASan + UBSan)"
contrib/fuzz.sh --smoke

# ---- The Debian package (issue 13) -------------------------------------
# Built by dpkg-buildpackage (optimised, Debian's hardening flags),
# checked by lintian, installed with dpkg -i, used (--version, init,
# import, report), removed and purged.
step "Debian package"
./tests/package/package_test.sh
step "done"
