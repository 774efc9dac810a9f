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
  libcurl4-openssl-dev
  # libpq: certkeeper-pq.so, the PostgreSQL driver module (the binary itself
  # links no libpq; it loads the module for a postgresql:// inventory only).
  libpq-dev
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
# libcpp-httplib-dev: the tests' own HTTPS stubs and HTTP clients (certkeeper
# itself answers http-01 with its own responder).
# certbot: import --from-certbot is tested on a tree the real certbot makes
# against the tests' pebble (its timer unit is installed, never started by
# the tests). bind9 + bind9-dnsutils: contrib/dns/rfc2136-hook is tested
# against a real BIND (tests/support/bind.h: `named -g` on a loopback port,
# its own config; the package's own named is not started in a container).
# postgresql-15: the store's PostgreSQL tests start their own server
# (tests/support/postgres.h: initdb and pg_ctl as the package's `postgres`
# user, a temp dir, a loopback port); the package's default cluster is left
# alone. (libpq-dev is a build package now: certkeeper-pq.so links libpq.)
certkeeper_test_packages=(
  libcpp-httplib-dev
  pebble
  nginx
  prometheus
  chromium
  python3-aiosmtpd
  certbot
  bind9
  bind9-dnsutils
  postgresql-15
)

# The fuzzing harnesses (tests/fuzz, contrib/fuzz.sh): clang builds them
# with libFuzzer into a tree of their own; g++ stays the main compiler.
certkeeper_fuzz_packages=(
  clang-15
  libfuzzer-15-dev
)

# The documentation and package tests (issue 13): mandoc lints the manual
# pages (groff, from man-db, checks them too); debhelper builds the Debian
# package, lintian checks it. ccache: a second run of the test command on
# the same machine (or a rebuild of the package) compiles only what changed.
certkeeper_test_packages+=(
  mandoc
  debhelper
  lintian
  ccache
)

# The tree of the test command: AddressSanitizer + UndefinedBehaviorSanitizer,
# every test, the benchmark helpers built (so they keep compiling; their
# figures come from optimised trees, bench/README.md). Options given, not
# left to the cache: a tree configured before with the tests off would
# otherwise find no tests, and ctest exits 0 on none without
# --no-tests=error.
certkeeper_asan_options=(
  -DCMAKE_BUILD_TYPE=Debug
  -DCERTKEEPER_SANITIZE=ON
  -DCERTKEEPER_TESTS=ON
  -DCERTKEEPER_BENCH=ON
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

# ccache_environment: when ccache is installed, the settings under which
# trees in different places share objects (a tree in the checkout and one in
# the Debian package's copy of it, contrib/package.sh): paths relative to a
# base directory that holds both, and the working directory left out of the
# hash.
ccache_environment() {
  command -v ccache >/dev/null || return 0
  if [ -z "${CCACHE_BASEDIR:-}" ] && [ -z "$(ccache -k base_dir 2>/dev/null)" ]; then
    export CCACHE_BASEDIR=$PWD
  fi
  export CCACHE_NOHASHDIR=1
}

# build_tree DIR [CMAKE ARGS...]: configure (once) and build, through ccache
# when it is installed.
build_tree() {
  local dir=$1
  shift
  local launcher=()
  if command -v ccache >/dev/null; then
    ccache_environment
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)"
}
