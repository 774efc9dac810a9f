# shellcheck shell=bash
# Shared by the benchmark scripts that need a PostgreSQL server (store.sh,
# postgresql_docs.sh): a throwaway PostgreSQL 15 in a temp dir, as
# /work/shared/TESTING.md and tests/support/postgres.cpp start one. Sourced,
# not run; the caller installs postgresql-15 and sets a trap that calls
# pg_stop (EXIT, INT, TERM), so the server is always stopped.
#   pg_start [INITDB ARGS] -> pg_init then pg_run
#   pg_init [INITDB ARGS]  -> sets pg_dir (socket and data), pg_port, pg_bin;
#                             default authentication -A trust
#   pg_run    -> starts the server (after any change to $pg_dir/data/postgresql.conf)
#   pg_as CMD... -> runs CMD as the server's user (postgres when we are root)
#   pg_uri DB -> postgresql://ck@/DB?host=PG_DIR&port=PG_PORT (user ck, trust)
#   pg_psql DB SQL...  -> runs psql -X -v ON_ERROR_STOP=1 against DB
#   pg_halt   -> stops the server, keeps its data
#   pg_stop   -> pg_ctl -m fast stop, then removes the temp dir
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=
pg_port=

pg_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    ss -ltnH "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
  done
  echo "no free loopback port found" >&2
  return 1
}

pg_as() {
  if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_start() { pg_init "$@" && pg_run; }

pg_init() {
  [[ -x $pg_bin/initdb ]] || { echo "PostgreSQL 15 is not installed (Debian postgresql-15)" >&2; return 1; }
  id postgres >/dev/null 2>&1 || { echo "no postgres user (Debian postgresql-15 creates it)" >&2; return 1; }
  pg_dir=$(mktemp -d /tmp/certkeeper-pg.XXXXXX)
  chmod 0700 "$pg_dir"
  [[ $(id -u) == 0 ]] && chown postgres: "$pg_dir"
  local auth=("$@")
  ((${#auth[@]})) || auth=(-A trust)
  pg_as "$pg_bin/initdb" -D "$pg_dir/data" "${auth[@]}" -U ck -E UTF8 >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log" >&2; return 1; }
  pg_port=$(pg_free_port)
}

pg_run() {
  pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -o "-k $pg_dir -h 127.0.0.1 -p $pg_port" -l "$pg_dir/log" \
    -w -t 60 start >/dev/null || { cat "$pg_dir/log" >&2; return 1; }
}

pg_uri() { echo "postgresql://ck@/$1?host=$pg_dir&port=$pg_port"; }

pg_psql() {
  local db=$1
  shift
  "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_dir" -p "$pg_port" -U ck -d "$db" "$@"
}

pg_stop() {
  [[ -n $pg_dir && -d $pg_dir ]] || return 0
  if [[ -f $pg_dir/data/postmaster.pid ]]; then
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
  pg_dir=
}

# pg_halt: stops the server and keeps its data (pg_run starts it again).
pg_halt() { pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null; }
