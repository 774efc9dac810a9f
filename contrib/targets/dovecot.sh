#!/bin/sh
# certkeeper target preset: Dovecot (IMAP).
#
#   dovecot.sh NAME [DIR] [OPTION...]
#
# Adds a target for the certificate NAME in DIR (default
# /etc/certkeeper/live/NAME); every OPTION goes to `certkeeper target add`
# as is (--db PATH, --include-root, another --probe, ...). $CERTKEEPER names
# the certkeeper program (default: certkeeper from PATH). Then prints the
# lines Dovecot's configuration needs.
#
# Separate layout, key owned by root, mode 0600: Dovecot's config process
# reads `ssl_key = <FILE` as root.
#
# Reload with `doveadm reload`: it signals the master, which re-reads its
# configuration; new login processes use the new files. A broken file may
# only show in Dovecot's log, not in the command's status: the probes tell.
#
# Probes: IMAPS on 993 and IMAP with STARTTLS on 143, both on in a default
# dovecot-imapd. POP3 too? Add --probe 127.0.0.1:995 and
# --probe 127.0.0.1:110,starttls=pop3 as options.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib/preset.sh
. "$(dirname "$0")/lib/preset.sh"
preset_parse "$@"
shift "$consumed"

"${CERTKEEPER:-certkeeper}" target add "$name" --dir "$dir" --layout separate --owner root \
  --reload "doveadm reload" \
  --probe 127.0.0.1:993 \
  --probe 127.0.0.1:143,starttls=imap \
  "$@"

cat <<SNIPPET
# Dovecot, /etc/dovecot/conf.d/10-ssl.conf (the '<' reads the file):
ssl = yes
ssl_cert = <$dir/fullchain.pem
ssl_key = <$dir/privkey.pem
SNIPPET
