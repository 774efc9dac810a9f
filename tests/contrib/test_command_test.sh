#!/usr/bin/env bash
# The test command's release tree runs the tests even when ./contrib/demo.sh
# (or bench/run.sh) configured the same tree with the tests off before: the
# options come from contrib/lib/setup.sh, not from what the cache remembers.
# Before they did, such a tree had no tests and ctest exited 0 anyway.
#   test_command_test.sh PROJECT_SOURCE_DIR
set -euo pipefail
src=${1:?usage: test_command_test.sh PROJECT_SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
source contrib/lib/setup.sh

# As the demo leaves it.
cmake -S . -B "$work/tree" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=OFF \
  -DCERTKEEPER_BENCH=OFF >/dev/null
# As contrib/test.sh configures it (build_tree's configure step).
cmake -S . -B "$work/tree" -G Ninja "${certkeeper_release_options[@]}" >/dev/null
for option in CERTKEEPER_TESTS CERTKEEPER_BENCH; do
  if ! grep -qx "$option:BOOL=ON" "$work/tree/CMakeCache.txt"; then
    echo "FAIL: after the test command's configure, $(grep "^$option:" "$work/tree/CMakeCache.txt")"
    exit 1
  fi
done
grep -q -- '--no-tests=error' contrib/test.sh || { echo "FAIL: contrib/test.sh lets ctest pass with no tests"; exit 1; }
echo "contrib/test.sh: the release tree has its tests whatever configured it before"
