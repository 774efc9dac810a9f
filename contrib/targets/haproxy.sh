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

"${CERTKEEPER:-certkeeper}" target add "$name" --dir "$dir" --layout combined --owner root \
  --reload "systemctl reload haproxy" \
  --probe 127.0.0.1:443 \
  "$@"

cat <<SNIPPET
# HAProxy, /etc/haproxy/haproxy.cfg, in the frontend that serves $name:
    bind :443 ssl crt $dir/combined.pem
SNIPPET
