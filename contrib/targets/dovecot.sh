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

usage() {
  echo "usage: $0 NAME [DIR] [certkeeper target add option...]" >&2
  exit 2
}
[ "$#" -ge 1 ] || usage
name=$1
shift
case $name in '' | -*) usage ;; esac
dir=/etc/certkeeper/live/$name
if [ "$#" -ge 1 ]; then
  case $1 in
    -*) ;;
    *) dir=$1; shift ;;
  esac
fi

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
