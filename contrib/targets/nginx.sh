#!/bin/sh
# certkeeper target preset: nginx.
#
#   nginx.sh NAME [DIR] [OPTION...]
#
# Adds a target for the certificate NAME in DIR (default
# /etc/certkeeper/live/NAME); every OPTION goes to `certkeeper target add`
# as is (--db PATH, --include-root, another --probe, ...). $CERTKEEPER names
# the certkeeper program (default: certkeeper from PATH). Then prints the
# lines nginx's configuration needs.
#
# Separate layout: nginx reads fullchain.pem and privkey.pem. The key stays
# root's, mode 0600: nginx's master process reads it as root.
#
# Reload with `nginx -s reload`, not `systemctl reload nginx`: it parses the
# whole configuration, the new certificate and key included, before it
# signals the master, and exits 1 with nginx's own "[emerg] ..." line when
# they are broken, which certkeeper reports before it rolls back (systemctl
# says only "Job for nginx.service failed" and leaves the reason in the
# journal). It also works without systemd (containers, sysvinit), and on a
# systemd host it is the very command Debian's nginx.service reloads with.
# The full path because cron's default PATH (/usr/bin:/bin) lacks /usr/sbin.
#
# Probe 127.0.0.1:443: certkeeper sends the certificate's first name as SNI,
# so nginx answers from the server block that uses these files.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib/preset.sh
. "$(dirname "$0")/lib/preset.sh"
preset_parse "$@"
shift "$consumed"

"${CERTKEEPER:-certkeeper}" target add "$name" --dir "$dir" --layout separate --owner root \
  --reload "/usr/sbin/nginx -s reload" \
  --probe 127.0.0.1:443 \
  "$@"

cat <<SNIPPET
# nginx: in the server block that serves $name (listen 443 ssl;)
    ssl_certificate     "$dir/fullchain.pem";
    ssl_certificate_key "$dir/privkey.pem";
SNIPPET
