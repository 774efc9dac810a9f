#!/usr/bin/env bash
# The test command's tree runs the tests whatever configured the same tree
# before: the options come from contrib/lib/setup.sh, not from what the
# cache remembers (a tree configured with the tests off once had no tests,
# and ctest exited 0 anyway); and ctest is told that no tests is an error.
#   test_command_test.sh PROJECT_SOURCE_DIR
set -euo pipefail
src=${1:?usage: test_command_test.sh PROJECT_SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
source contrib/lib/setup.sh

# As a developer may have left it.
cmake -S . -B "$work/tree" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCERTKEEPER_SANITIZE=ON -DCERTKEEPER_TESTS=OFF \
  -DCERTKEEPER_BENCH=OFF >/dev/null
# As contrib/test.sh configures it (build_tree's configure step).
cmake -S . -B "$work/tree" -G Ninja "${certkeeper_asan_options[@]}" >/dev/null
for option in CERTKEEPER_TESTS CERTKEEPER_SANITIZE CERTKEEPER_BENCH; do
  if ! grep -qx "$option:BOOL=ON" "$work/tree/CMakeCache.txt"; then
    echo "FAIL: after the test command's configure, $(grep "^$option:" "$work/tree/CMakeCache.txt")"
    exit 1
  fi
done
grep -q -- 'build_tree build/asan "${certkeeper_asan_options\[@\]}"' contrib/test.sh ||
  { echo "FAIL: contrib/test.sh does not build its tree with certkeeper_asan_options"; exit 1; }
grep -q -- '--no-tests=error' contrib/test.sh || { echo "FAIL: contrib/test.sh lets ctest pass with no tests"; exit 1; }
echo "contrib/test.sh: the sanitizer tree has its tests whatever configured it before"
