#!/usr/bin/env bash
# The target presets in contrib/targets/: each one runs exactly the
# `certkeeper target add` its header promises and prints its snippet. A fake
# certkeeper ($CERTKEEPER) records its argv, one argument a line.
#
#   presets_test.sh PROJECT_SOURCE_DIR
set -euo pipefail

src=${1:?usage: presets_test.sh PROJECT_SOURCE_DIR}
presets=$src/contrib/targets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/fake-certkeeper" <<'EOF'
#!/bin/sh
: >"$FAKE_ARGV"
for arg in "$@"; do printf '%s\n' "$arg" >>"$FAKE_ARGV"; done
exit "${FAKE_EXIT:-0}"
EOF
chmod +x "$work/fake-certkeeper"
export CERTKEEPER=$work/fake-certkeeper FAKE_ARGV=$work/argv

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run PRESET ARG...: runs the preset; its stdout in $work/out, status in $status.
run() {
  local preset=$1
  shift
  rm -f "$FAKE_ARGV"
  status=0
  "$presets/$preset" "$@" >"$work/out" 2>"$work/err" || status=$?
}

# expect_argv WORD...: the fake was called with exactly these arguments.
expect_argv() {
  local what=$1
  shift
  if [ "$status" -ne 0 ]; then
    fail "$what: exit status $status: $(cat "$work/err")"
    return
  fi
  printf '%s\n' "$@" >"$work/expected"
  if ! diff -u "$work/expected" "$FAKE_ARGV" >"$work/diff" 2>&1; then
    fail "$what: certkeeper argv differs (- expected, + actual):"
    cat "$work/diff" >&2
  fi
}

# expect_line LINE...: each line appears in the preset's stdout.
expect_line() {
  local what=$1 line
  shift
  for line in "$@"; do
    grep -qxF -- "$line" "$work/out" || fail "$what: no line '$line' in the output:$(printf '\n%s' "$(cat "$work/out")")"
  done
}

# ---------------------------------------------------------------- scripts
for script in nginx postfix dovecot haproxy mailsuite; do
  file=$presets/$script.sh
  [ -x "$file" ] || fail "$script.sh is missing or not executable"
  sh -n "$file" || fail "$script.sh: sh -n"
  if command -v shellcheck >/dev/null; then
    shellcheck -x -s sh "$file" || fail "$script.sh: shellcheck"
  fi
done

# ---------------------------------------------------------------- argv
dir=/srv/tls/www
run nginx.sh www "$dir"
expect_argv nginx target add www --dir "$dir" --layout separate --owner root \
  --reload "/usr/sbin/nginx -s reload" --probe 127.0.0.1:443
expect_line nginx "    ssl_certificate     \"$dir/fullchain.pem\";" "    ssl_certificate_key \"$dir/privkey.pem\";"

run postfix.sh mail "$dir"
expect_argv postfix target add mail --dir "$dir" --layout separate --owner root \
  --reload "/usr/sbin/postfix reload" --probe 127.0.0.1:25,starttls=smtp
expect_line postfix "smtpd_tls_chain_files = $dir/privkey.pem, $dir/fullchain.pem"

run dovecot.sh mail "$dir"
expect_argv dovecot target add mail --dir "$dir" --layout separate --owner root \
  --reload "doveadm reload" --probe 127.0.0.1:993 --probe 127.0.0.1:143,starttls=imap
expect_line dovecot "ssl_cert = <$dir/fullchain.pem" "ssl_key = <$dir/privkey.pem"

run haproxy.sh www "$dir"
expect_argv haproxy target add www --dir "$dir" --layout combined --owner root \
  --reload "systemctl reload haproxy" --probe 127.0.0.1:443
expect_line haproxy "    bind :443 ssl crt $dir/combined.pem"

run mailsuite.sh mail "$dir"
expect_argv mailsuite target add mail --dir "$dir" --layout combined --owner root \
  --reload "/usr/sbin/nginx -s reload" --reload "/usr/sbin/postfix reload" --reload "doveadm reload" \
  --probe 127.0.0.1:443 --probe 127.0.0.1:25,starttls=smtp --probe 127.0.0.1:993
expect_line mailsuite "    ssl_certificate     \"$dir/combined.pem\";" \
  "smtpd_tls_chain_files = $dir/combined.pem" "ssl_cert = <$dir/combined.pem" "ssl_key = <$dir/combined.pem"

# The default DIR, with options passed through after the preset's own.
run nginx.sh www --db "$work/a db.sqlite" --include-root
expect_argv "nginx default dir" target add www --dir /etc/certkeeper/live/www --layout separate --owner root \
  --reload "/usr/sbin/nginx -s reload" --probe 127.0.0.1:443 --db "$work/a db.sqlite" --include-root
expect_line "nginx default dir" "    ssl_certificate     \"/etc/certkeeper/live/www/fullchain.pem\";"

# A DIR with a space and options after it: every word stays one argument.
run postfix.sh mail "/srv/with space/mail" --probe 127.0.0.1:465 --mode 0640
expect_argv "postfix spaced dir" target add mail --dir "/srv/with space/mail" --layout separate --owner root \
  --reload "/usr/sbin/postfix reload" --probe 127.0.0.1:25,starttls=smtp --probe 127.0.0.1:465 --mode 0640

# ---------------------------------------------------------------- failures
# certkeeper refuses: the preset fails with its status and prints no snippet.
for script in nginx postfix dovecot haproxy mailsuite; do
  FAKE_EXIT=3 run "$script.sh" name /srv/x
  [ "$status" -eq 3 ] || fail "$script.sh: exit status $status when certkeeper exits 3"
  [ ! -s "$work/out" ] || fail "$script.sh: printed a snippet although certkeeper failed"
done

run nginx.sh
[ "$status" -eq 2 ] || fail "nginx.sh without NAME: exit status $status, not 2"
[ ! -e "$FAKE_ARGV" ] || fail "nginx.sh without NAME ran certkeeper"
run haproxy.sh --db /x
[ "$status" -eq 2 ] || fail "haproxy.sh with an option for NAME: exit status $status, not 2"

# CERTKEEPER unset: `certkeeper` from PATH.
mkdir "$work/bin"
cp "$work/fake-certkeeper" "$work/bin/certkeeper"
rm -f "$FAKE_ARGV"
status=0
env -u CERTKEEPER PATH="$work/bin:$PATH" "$presets/dovecot.sh" mail >"$work/out" 2>"$work/err" || status=$?
expect_argv "dovecot from PATH" target add mail --dir /etc/certkeeper/live/mail --layout separate --owner root \
  --reload "doveadm reload" --probe 127.0.0.1:993 --probe 127.0.0.1:143,starttls=imap

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "presets: all checks passed"
