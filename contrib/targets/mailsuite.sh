#!/bin/sh
# certkeeper target preset: a mail server's whole suite on one certificate,
# the web front (nginx), SMTP (Postfix) and IMAP (Dovecot).
#
#   mailsuite.sh NAME [DIR] [OPTION...]
#
# Adds a target for the certificate NAME in DIR (default
# /etc/certkeeper/live/NAME); every OPTION goes to `certkeeper target add`
# as is (--db PATH, --include-root, another --probe, ...). $CERTKEEPER names
# the certkeeper program (default: certkeeper from PATH). Then prints the
# lines each service's configuration needs.
#
# Combined layout: all three read one file (key, certificate, chain), so
# they can never serve different versions. Key owned by root, mode 0600:
# each service reads it as root.
#
# One reload per service, in this order; all three must succeed, then every
# probe must see the new certificate, else certkeeper rolls back. Why each
# command: see nginx.sh, postfix.sh and dovecot.sh.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib/preset.sh
. "$(dirname "$0")/lib/preset.sh"
preset_parse "$@"
shift "$consumed"

"${CERTKEEPER:-certkeeper}" target add "$name" --dir "$dir" --layout combined --owner root \
  --reload "/usr/sbin/nginx -s reload" \
  --reload "/usr/sbin/postfix reload" \
  --reload "doveadm reload" \
  --probe 127.0.0.1:443 \
  --probe 127.0.0.1:25,starttls=smtp \
  --probe 127.0.0.1:993 \
  "$@"

cat <<SNIPPET
# nginx: in the server block that serves $name (listen 443 ssl;)
    ssl_certificate     "$dir/combined.pem";
    ssl_certificate_key "$dir/combined.pem";

# Postfix >= 3.4, /etc/postfix/main.cf (replaces smtpd_tls_cert_file and
# smtpd_tls_key_file: remove those):
smtpd_tls_chain_files = $dir/combined.pem
smtpd_tls_security_level = may

# Dovecot, /etc/dovecot/conf.d/10-ssl.conf (the '<' reads the file):
ssl = yes
ssl_cert = <$dir/combined.pem
ssl_key = <$dir/combined.pem
SNIPPET
