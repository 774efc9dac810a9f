#!/usr/bin/env bash
# Fuzzing (README "Fuzzing"): builds the libFuzzer harnesses of tests/fuzz/
# with clang-15 under ASan + UBSan into build/fuzz, then runs each one for
# SECONDS (default 600) and prints its executions per second.
#
#   contrib/fuzz.sh [SECONDS] [HARNESS...]   every harness, or the ones named
#   contrib/fuzz.sh --smoke                  the test command's smoke: each
#                                            harness 2 s from its seeds only
#
# A harness's corpus grows in build/fuzz/corpus/NAME (the seeds of
# tests/fuzz/corpus/NAME are read, never written); a crash leaves its input
# in build/fuzz/artifacts/ and makes the script exit 1. FUZZ_JOBS=N runs N
# harnesses at once (default 1: the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
source contrib/lib/setup.sh

smoke=0
seconds=600
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  seconds=2
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
jobs=${FUZZ_JOBS:-1}

install_missing "${certkeeper_build_packages[@]}" "${certkeeper_fuzz_packages[@]}"
echo "== build (clang-15, libFuzzer + ASan + UBSan)"
CC=clang-15 CXX=clang++-15 cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCERTKEEPER_FUZZ=ON -DCERTKEEPER_TESTS=OFF -DCERTKEEPER_BENCH=OFF >/dev/null
cmake --build build/fuzz --parallel "$(nproc)" --target fuzzers

harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cpp; do
    f=${f##*/}
    harnesses+=("${f%_fuzz.cpp}")
  done
fi

# The longest input worth trying: a certificate chain or a whole ACME
# conversation needs room, a header or a probe spec does not.
max_len_of() {
  case $1 in
    pem | pkcs12 | crl | validate | acme_client) echo 16384 ;;
    acme_json | json) echo 8192 ;;
    *) echo 1024 ;;
  esac
}

# Stack traces with function names when a symbolizer is at hand (Debian's
# llvm packages install one).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  for candidate in /usr/lib/llvm-15/bin/llvm-symbolizer "$(command -v llvm-symbolizer || true)"; do
    if [ -x "$candidate" ]; then
      export ASAN_SYMBOLIZER_PATH=$candidate
      break
    fi
  done
fi

out=build/fuzz/results
artifacts=build/fuzz/artifacts
mkdir -p "$out" "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Where a harness's corpus grows: a scratch copy for the smoke, so that the
# test command always starts from the seeds alone.
corpus_of() {
  if [ $smoke -eq 1 ]; then
    echo "$scratch/corpus/$1"
  else
    echo "build/fuzz/corpus/$1"
  fi
}

# run_one NAME: fuzz it; its log and final stats go to $out/NAME.log.
run_one() {
  local name=$1 corpus
  corpus=$(corpus_of "$name")
  mkdir -p "$corpus"
  # UBSan's findings abort (the tree is built with -fno-sanitize-recover);
  # leaks count as crashes too.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    TMPDIR=$scratch \
    "build/fuzz/fuzz_$name" -max_total_time="$seconds" -max_len="$(max_len_of "$name")" -rss_limit_mb=1536 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
    "$corpus" "tests/fuzz/corpus/$name" >"$out/$name.log" 2>&1
}

stat_of() { sed -n "s/^stat::$2: *//p" "$out/$1.log" | tail -1; }

echo "== fuzz: ${#harnesses[@]} harnesses, ${seconds} s each, $jobs at a time"
declare -A status
running=0
for name in "${harnesses[@]}"; do
  [ -x "build/fuzz/fuzz_$name" ] || { echo "no harness fuzz_$name" >&2; exit 2; }
  ( run_one "$name" && echo ok >"$out/$name.status" || echo crashed >"$out/$name.status" ) &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
printf '%-16s %8s %12s %10s %8s %8s  %s\n' harness seconds executions execs/s corpus rss_mb result
for name in "${harnesses[@]}"; do
  result=$(cat "$out/$name.status")
  printf '%-16s %8s %12s %10s %8s %8s  %s\n' "$name" "$seconds" "$(stat_of "$name" number_of_executed_units)" \
    "$(stat_of "$name" average_exec_per_sec)" "$(find "$(corpus_of "$name")" -type f | wc -l)" \
    "$(stat_of "$name" peak_rss_mb)" "$result"
  if [ "$result" != ok ]; then
    failed=1
    echo "  $name: see $out/$name.log; the input is in $artifacts/" >&2
    grep -m3 -E 'ERROR|runtime error|fuzz property failed' "$out/$name.log" | sed 's/^/  /' >&2 || true
  fi
done
exit $failed
