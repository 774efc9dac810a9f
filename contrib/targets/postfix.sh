#!/bin/sh
# certkeeper target preset: Postfix (SMTP).
#
#   postfix.sh NAME [DIR] [OPTION...]
#
# Adds a target for the certificate NAME in DIR (default
# /etc/certkeeper/live/NAME); every OPTION goes to `certkeeper target add`
# as is (--db PATH, --include-root, another --probe, ...). $CERTKEEPER names
# the certkeeper program (default: certkeeper from PATH). Then prints the
# lines main.cf needs.
#
# Separate layout, key owned by root, mode 0600: Postfix daemons open their
# keys as root, before they drop privileges.
#
# Reload with `postfix reload`: the master re-reads main.cf and its smtpd
# processes are replaced, each new one reading the files afresh. The command
# does not look at the files: with a broken key smtpd only logs a warning
# and stops offering STARTTLS, which the starttls=smtp probe catches. The
# full path because cron's default PATH (/usr/bin:/bin) lacks /usr/sbin.
#
# Probe only port 25 with STARTTLS, the one TLS listener a default Postfix
# has; submission (587) and submissions (465) are commented out in Debian's
# master.cf. Enabled them? Add --probe 127.0.0.1:587,starttls=smtp and
# --probe 127.0.0.1:465 as options.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib/preset.sh
. "$(dirname "$0")/lib/preset.sh"
preset_parse "$@"
shift "$consumed"

"${CERTKEEPER:-certkeeper}" target add "$name" --dir "$dir" --layout separate --owner root \
  --reload "/usr/sbin/postfix reload" \
  --probe 127.0.0.1:25,starttls=smtp \
  "$@"

cat <<SNIPPET
# Postfix >= 3.4, /etc/postfix/main.cf: the key, then the certificates.
# It replaces smtpd_tls_cert_file and smtpd_tls_key_file (remove those).
smtpd_tls_chain_files = $dir/privkey.pem, $dir/fullchain.pem
smtpd_tls_security_level = may
SNIPPET
