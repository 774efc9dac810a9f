# Shared by the benchmark scripts that time certkeeper over a built
# inventory (renew.sh, report.sh). Sourced from the repository root.
#   bench_build [BUILD_DIR] -> sets build, ck (the binary), gen (the inventory builder)
# With BUILD_DIR: brings certkeeper (with its PostgreSQL module) and the
# inventory builder up to date there. Without: installs what is needed and builds build/release.
bench_build() {
  if [[ $# -ge 1 ]]; then
    build=$(cd "$1" && pwd)
    local log
    if ! log=$(cmake --build "$build" --parallel "$(nproc)" --target certkeeper certkeeper_pq certkeeper-bench-inventory 2>&1); then
      echo "$log" >&2
      exit 1
    fi
  else
    source contrib/lib/setup.sh
    install_missing "${certkeeper_build_packages[@]}"
    build=$PWD/build/release
    build_tree "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=OFF
  fi
  ck=$build/certkeeper
  gen=$build/bench/certkeeper-bench-inventory
}
