# Shared by the benchmark scripts: wall-clock timing of whole processes.
# Sourced, not run.

# now_us: microseconds since the epoch, from bash itself (no `date`
# process inside a measurement).
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }

# median_ms RUNS CMD...: runs CMD (output discarded) twice to warm up, then
# RUNS times, and prints the median wall time of the process in milliseconds.
median_ms() {
  local runs=$1
  shift
  "$@" >/dev/null 2>&1 || true
  "$@" >/dev/null 2>&1 || true
  local times=() i t0 t1
  for ((i = 0; i < runs; i++)); do
    t0=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || true
    t1=${EPOCHREALTIME/[.,]/}
    times+=($((t1 - t0)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
