#!/usr/bin/env bash
# Runs every command that docs/manual/postgresql.md shows, against a real
# PostgreSQL 15 that it starts in a temp dir (as TESTING.md says) with what
# the page assumes of a real server: password (SCRAM) logins over TCP, TLS
# with a certificate from a throwaway CA, a role and database made as the
# page makes them. It stops the server at the end, also on failure, and
# exits 1 at the first command that does not do what the page says.
#
#   bench/postgresql_docs.sh [BUILD_DIR]      (default build/release, built as bench/run.sh builds it)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/build.sh
source bench/lib/postgres.sh
bench_build "$@"
source contrib/lib/setup.sh
install_missing postgresql-15 openssl
work=$(mktemp -d /tmp/certkeeper-pgdocs.XXXXXX)
cleanup() { pg_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$work"
PATH=$(dirname "$ck"):$pg_bin:$PATH
export PATH
unset CERTKEEPER_DB CERTKEEPER_KEY_FILE PGPASSFILE
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
expect_exit() {  # CODE CMD...: runs CMD, which must exit CODE; its output is in $work/last
  local want=$1 got=0
  shift
  "$@" >"$work/last" 2>&1 || got=$?
  sed 's/^/  | /' "$work/last"
  [[ $got == "$want" ]] || fail "exit $got (expected $want): $*"
}
has() { grep -q -- "$1" "$work/last" || fail "the output does not say '$1'"; }

# --- the server: SCRAM over TCP, trust on its socket (the administrator), TLS
pg_init --auth-local=trust --auth-host=scram-sha-256
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=docs-pg-ca \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -addext 'subjectAltName=DNS:localhost' -keyout server.key -out server.csr 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -copy_extensions copy \
  -out server.pem 2>/dev/null
install -m 0600 -o postgres -g postgres server.pem server.key "$pg_dir/data/"
cat >>"$pg_dir/data/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = 'server.pem'
ssl_key_file = 'server.key'
CONF
pg_run
port=$pg_port
admin() { pg_psql "$@"; }   # the administrator: psql as a superuser (on a real server: sudo -u postgres psql)

# --- certificates to import: a throwaway root and a leaf for www.example.test
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=docs-root \
  -addext 'basicConstraints=critical,CA:true' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
  -keyout root.key -out root.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=www.example.test \
  -addext 'subjectAltName=DNS:www.example.test' -keyout www.key -out www.csr 2>/dev/null
openssl x509 -req -in www.csr -CA root.pem -CAkey root.key -CAcreateserial -days 20 -copy_extensions copy \
  -out www.pem 2>/dev/null

step "role and database (postgresql.md: Creating the role and the database)"
admin postgres -c 'CREATE ROLE certkeeper LOGIN'
printf 'docs-secret\ndocs-secret\n' | admin postgres -c '\password certkeeper' >/dev/null 2>&1 ||
  fail "\\password certkeeper"
admin postgres -c 'CREATE DATABASE certkeeper OWNER certkeeper'

step "the passfile (postgresql.md: The password)"
umask 077
printf 'localhost:%s:certkeeper:certkeeper:docs-secret\n' "$port" >"$work/pgpass"
chmod 600 "$work/pgpass"
export PGPASSFILE=$work/pgpass
DB="postgresql://certkeeper@localhost:$port/certkeeper?sslmode=verify-full&sslrootcert=$work/ca.pem"

step "a password in the URI is refused, exit 2, never printed"
expect_exit 2 certkeeper --db "postgresql://certkeeper:docs-secret@localhost:$port/certkeeper" list
has "carries a password"
grep -q docs-secret "$work/last" && fail "the password was printed"
expect_exit 2 certkeeper --db "postgresql://certkeeper@localhost:$port/certkeeper?password=docs-secret" list
grep -q docs-secret "$work/last" && fail "the password was printed"

step "a wrong password in the passfile: the login is refused, exit 1"
printf 'localhost:%s:certkeeper:certkeeper:wrong\n' "$port" >"$work/pgpass-wrong"
chmod 600 "$work/pgpass-wrong"
expect_exit 1 env PGPASSFILE="$work/pgpass-wrong" certkeeper --db "$DB" list
has "refused the login"

step "the key file and init (postgresql.md: The key file)"
expect_exit 0 certkeeper keys new --out "$work/inventory.key"
[[ $(stat -c %a "$work/inventory.key") == 600 ]] || fail "key file mode"
expect_exit 2 certkeeper --db "$DB" init
has "encrypt"
expect_exit 0 certkeeper --db "$DB" --key-file "$work/inventory.key" init --encrypt-keys
export CERTKEEPER_DB=$DB
expect_exit 0 certkeeper import www --cert www.pem --key www.key --ca-file root.pem
expect_exit 0 certkeeper list
has www
expect_exit 0 certkeeper db check
has "postgresql"
has "private keys: encrypted"
expect_exit 0 certkeeper export www --format pem --out "$work/www-export" --include-key
cmp -s <(openssl pkey -in www.key) <(openssl pkey -in "$work/www-export/privkey.pem") || fail "exported key differs"

step "TLS: sslmode=verify-full refuses a server whose name the certificate does not cover"
expect_exit 1 certkeeper --db "postgresql://certkeeper@127.0.0.1:$port/certkeeper?sslmode=verify-full&sslrootcert=$work/ca.pem" list
has "does not match host name" 
step "TLS: sslmode=verify-full with another CA is refused"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=other -keyout other.key \
  -out other.pem 2>/dev/null
expect_exit 1 certkeeper --db "postgresql://certkeeper@localhost:$port/certkeeper?sslmode=verify-full&sslrootcert=$work/other.pem" list

step "no plaintext key in PostgreSQL"
pg_dump "$DB" -n certkeeper >"$work/plain.sql"
grep -q 'PRIVATE KEY' "$work/plain.sql" && fail "a plaintext key in pg_dump"
grep -q 'ck-aesgcm-v1:' "$work/plain.sql" || fail "no sealed key in pg_dump"

step "keys rotate"
expect_exit 0 certkeeper keys new --out "$work/inventory-2.key"
expect_exit 0 certkeeper keys rotate --new-key-file "$work/inventory-2.key"
expect_exit 0 certkeeper db check
has "private keys: encrypted"
rm -rf "$work/www-export"
expect_exit 0 certkeeper export www --format pem --out "$work/www-export" --include-key

step "the waits: a lock held elsewhere, options=-c lock_timeout=2s in the URI"
admin certkeeper -c "BEGIN; LOCK TABLE certkeeper.certificates IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(15); COMMIT" &
locker=$!
sleep 1
t0=$(date +%s)
expect_exit 1 certkeeper --db "$DB&options=-c%20lock_timeout%3D2s" list
has "lock_timeout (2s)"
(($(date +%s) - t0 < 10)) || fail "waited more than lock_timeout"
step "the waits: ALTER ROLE ... SET lock_timeout"
admin postgres -c "ALTER ROLE certkeeper SET lock_timeout = '3s'"
expect_exit 1 certkeeper list
has "lock_timeout (3s)"
admin postgres -c "ALTER ROLE certkeeper RESET lock_timeout"
wait "$locker" || true
admin postgres -c "ALTER ROLE certkeeper SET lock_timeout = '10s'" -c "ALTER ROLE certkeeper SET statement_timeout = '2min'"
expect_exit 0 certkeeper report
has www
admin postgres -c "ALTER ROLE certkeeper RESET ALL"
step "the waits: a writer held up by another session's write lock is told who holds it"
admin certkeeper -c "BEGIN; SELECT pg_advisory_xact_lock($((0x434B5052))); SELECT pg_sleep(8); COMMIT" >/dev/null &
locker=$!
sleep 1
expect_exit 1 certkeeper --db "$DB&options=-c%20lock_timeout%3D2s" import www3 --cert www.pem --key www.key --ca-file root.pem
has "holds its write lock"
wait "$locker" || true

step "a stopped server: exit 1 naming it; the next command after it is back works"
pg_halt
expect_exit 1 certkeeper list
has "localhost"
pg_run
expect_exit 0 certkeeper list

step "backups: pg_dump of the schema, restored into a new database"
pg_dump "$DB" -n certkeeper -Fc -f "$work/certkeeper.dump"
admin postgres -c 'CREATE DATABASE certkeeper_restored OWNER certkeeper'
printf 'localhost:%s:certkeeper_restored:certkeeper:docs-secret\n' "$port" >>"$work/pgpass"
pg_restore -d "postgresql://certkeeper@localhost:$port/certkeeper_restored?sslmode=verify-full&sslrootcert=$work/ca.pem" \
  --no-owner --exit-on-error "$work/certkeeper.dump"
R="postgresql://certkeeper@localhost:$port/certkeeper_restored?sslmode=verify-full&sslrootcert=$work/ca.pem"
expect_exit 0 certkeeper --db "$R" db check
has "schema version"
rm -rf "$work/www-export"
expect_exit 0 certkeeper --db "$R" export www --format pem --out "$work/www-export" --include-key
expect_exit 0 certkeeper --db "$R" import www2 --cert www.pem --key www.key --ca-file root.pem

step "an existing database: the administrator creates the schema certkeeper empty first"
admin postgres -c 'CREATE ROLE apps' -c 'CREATE DATABASE apps OWNER apps'
admin apps -c 'CREATE SCHEMA certkeeper AUTHORIZATION certkeeper'
printf 'localhost:%s:apps:certkeeper:docs-secret\n' "$port" >>"$work/pgpass"
A="postgresql://certkeeper@localhost:$port/apps?sslmode=verify-full&sslrootcert=$work/ca.pem"
# The role needs no CREATE on the database: the schema is there.
expect_exit 0 certkeeper --db "$A" --key-file "$work/inventory-2.key" init --encrypt-keys
expect_exit 0 certkeeper --db "$A" import www --cert www.pem --key www.key --ca-file root.pem
expect_exit 0 certkeeper --db "$A" db check
has "private keys: encrypted"
[[ $(admin apps -tA -c "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('certkeeper', 'pg_catalog', 'information_schema')") == 0 ]] ||
  fail "tables outside the schema certkeeper"

step "README.md: init with CERTKEEPER_DB exported"
admin postgres -c 'CREATE DATABASE readme OWNER certkeeper'
printf 'localhost:%s:readme:certkeeper:docs-secret\n' "$port" >>"$work/pgpass"
expect_exit 0 env CERTKEEPER_DB="postgresql://certkeeper@localhost:$port/readme?sslmode=verify-full&sslrootcert=$work/ca.pem" \
  certkeeper --key-file "$work/inventory.key" init --encrypt-keys
expect_exit 0 env CERTKEEPER_DB="postgresql://certkeeper@localhost:$port/readme?sslmode=verify-full&sslrootcert=$work/ca.pem" \
  certkeeper db check
has "postgresql"

step "another application's table in the schema certkeeper: refused, exit 1"
psql -X -q -v ON_ERROR_STOP=1 "$A" -c 'CREATE TABLE certkeeper.their_table (x int)'
expect_exit 1 certkeeper --db "$A" list
has "never made"
psql -X -q -v ON_ERROR_STOP=1 "$A" -c 'DROP TABLE certkeeper.their_table'
# One the certkeeper role may not even read is found too (pg_catalog).
admin apps -c 'CREATE TABLE certkeeper.hidden_table (x int)' -c 'REVOKE ALL ON certkeeper.hidden_table FROM PUBLIC'
expect_exit 1 certkeeper --db "$A" list
has "hidden_table"
admin apps -c 'DROP TABLE certkeeper.hidden_table'

step "a service file instead of a URI with every parameter"
cat >"$work/pg_service.conf" <<SVC
[certkeeper]
host=localhost
port=$port
dbname=certkeeper
user=certkeeper
sslmode=verify-full
sslrootcert=$work/ca.pem
SVC
expect_exit 0 env PGSERVICEFILE="$work/pg_service.conf" certkeeper --db 'postgresql:///?service=certkeeper' list
has www

if certkeeper db copy --help 2>/dev/null | grep -q -- '--from'; then
  step "db copy: SQLite -> PostgreSQL and back"
  expect_exit 0 certkeeper --db "$work/old.db" init
  expect_exit 0 certkeeper --db "$work/old.db" import mail --cert www.pem --key www.key --ca-file root.pem
  admin postgres -c 'CREATE DATABASE moved OWNER certkeeper'
  printf 'localhost:%s:moved:certkeeper:docs-secret\n' "$port" >>"$work/pgpass"
  M="postgresql://certkeeper@localhost:$port/moved?sslmode=verify-full&sslrootcert=$work/ca.pem"
  expect_exit 0 certkeeper --key-file "$work/inventory.key" db copy --from "sqlite:$work/old.db" --to "$M"
  expect_exit 0 certkeeper --db "$M" db check
  has "private keys: encrypted"
  expect_exit 1 certkeeper --key-file "$work/inventory.key" db copy --from "sqlite:$work/old.db" --to "$M"
  expect_exit 0 certkeeper db copy --from "$M" --to "sqlite:$work/backup.db"
  expect_exit 0 certkeeper --db "$work/backup.db" list
  has mail
else
  step "db copy: not in this build (skipped)"
fi
echo
echo "every command of docs/manual/postgresql.md worked"
