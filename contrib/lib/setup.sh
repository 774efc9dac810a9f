# Shared by contrib/demo.sh and contrib/test.sh: install the Debian packages
# certkeeper needs (only when missing) and configure + build one tree.
# Sourced, not run.

certkeeper_build_packages=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev openssl ca-certificates
  libsqlite3-dev libsqlitecpp-dev sqlite3
  libcli11-dev libfmt-dev nlohmann-json3-dev libidn2-dev
  # The Public Suffix List (libpsl, and Debian's copy of the list): a
  # wildcard over a public suffix such as *.co.uk never matches.
  libpsl-dev publicsuffix
  libcurl4-openssl-dev libcpp-httplib-dev
  libgtest-dev
)

# Real peers the tests run against (started by the tests on 127.0.0.1).
# nginx: the tests start their own (tests/support/nginx.h: own config, pid
# file and error log, random loopback ports) and never touch a system one.
# Debian's postinst runs `invoke-rc.d nginx start` (only when port 80 is
# free); in a container that is refused (no systemd and no runlevel, and
# Docker images also ship a policy-rc.d that says no), so nothing listens.
# On a systemd host Debian's default site does start on port 80; that is
# harmless to the tests, and left alone as the host's business.
# prometheus: its promtool checks `report --format prometheus` (the server
# is not started: Debian's postinst tries to start it, which a container
# refuses as it does for nginx). chromium: renders `report --format html`
# headless and offline in the tests (tests/cli/report_formats_test.cpp).
# python3-aiosmtpd: a real SMTP server for the mail tests
# (tests/support/smtp_sink.py), run by Debian's /usr/bin/python3.
certkeeper_test_packages=(
  pebble
  nginx
  prometheus
  chromium
  python3-aiosmtpd
)

# install_missing PKG...: apt-get install only the packages not yet installed.
install_missing() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "certkeeper setup: missing Debian packages: ${missing[*]}; run as root or install them" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# How each tree is configured. The options are explicit because a tree is
# reused by name and CMake keeps cached options: after contrib/demo.sh made
# build/release without tests, the test command must turn them on again,
# or it builds and runs nothing.
certkeeper_demo_tree_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=OFF -DCERTKEEPER_BENCH=OFF)
certkeeper_release_tree_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTKEEPER_TESTS=ON)
certkeeper_asan_tree_args=(-DCMAKE_BUILD_TYPE=Debug -DCERTKEEPER_SANITIZE=ON -DCERTKEEPER_BENCH=OFF
                           -DCERTKEEPER_TESTS=ON)

# configure_tree DIR [CMAKE ARGS...]: configure (again: the arguments win
# over what the tree cached).
configure_tree() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
}

# build_tree DIR [CMAKE ARGS...]: configure and build.
build_tree() {
  configure_tree "$@"
  cmake --build "$1" --parallel "$(nproc)"
}

# run_tests DIR [CTEST ARGS...]: every test of the tree; a tree without
# tests is an error, never a pass.
run_tests() {
  local dir=$1
  shift
  ctest --test-dir "$dir" --no-tests=error "$@"
}
