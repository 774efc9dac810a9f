#!/bin/sh
# certkeeper target preset: HAProxy.
#
#   haproxy.sh NAME [DIR] [OPTION...]
#
# Adds a target for the certificate NAME in DIR (default
# /etc/certkeeper/live/NAME); every OPTION goes to `certkeeper target add`
# as is (--db PATH, --include-root, another --probe, ...). $CERTKEEPER names
# the certkeeper program (default: certkeeper from PATH). Then prints the
# line haproxy.cfg needs.
#
# Combined layout: HAProxy's `crt` takes one PEM file holding the key, the
# certificate and its chain. Key owned by root, mode 0600: HAProxy loads it
# as root, before it drops privileges.
#
# Reload with `systemctl reload haproxy`: an HAProxy reload has to go
# through its master process, and Debian's haproxy.service first checks the
# configuration (haproxy -c, certificates included) and fails the reload
# when the check fails, then signals the master.
#
# Probe 127.0.0.1:443: certkeeper sends the certificate's first name as SNI.
set -eu

# shellcheck source-path=SCRIPTDIR source=lib/preset.sh
. "$(dirname "$0")/lib/preset.sh"
preset_parse "$@"
shift "$consumed"

"${CERTKEEPER:-certkeeper}" target add "$name" --dir "$dir" --layout combined --owner root \
  --reload "systemctl reload haproxy" \
  --probe 127.0.0.1:443 \
  "$@"

cat <<SNIPPET
# HAProxy, /etc/haproxy/haproxy.cfg, in the frontend that serves $name:
    bind :443 ssl crt $dir/combined.pem
SNIPPET
