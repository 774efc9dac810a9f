#!/usr/bin/env bash
# contrib/systemd: the units say what the issue asks (run as a service; a
# renew pass twice a day with a randomized delay; hardened), and systemd
# itself accepts them when systemd-analyze is installed.
#   systemd_test.sh PROJECT_SOURCE_DIR CERTKEEPER_BINARY
set -euo pipefail
src=${1:?usage: systemd_test.sh PROJECT_SOURCE_DIR CERTKEEPER_BINARY}
bin=${2:?usage: systemd_test.sh PROJECT_SOURCE_DIR CERTKEEPER_BINARY}
units=$src/contrib/systemd
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -qxF -- "$2" "$units/$1" || fail "$1: missing '$2'"; }

has certkeeper.service "ExecStart=/usr/bin/certkeeper run --on-event /etc/certkeeper/on-event"
has certkeeper.service 'ExecReload=/bin/kill -HUP $MAINPID'
has certkeeper-renew.service "Type=oneshot"
has certkeeper-renew.timer "OnCalendar=*-*-* 00,12:00:00"
has certkeeper-renew.timer "RandomizedDelaySec=12h"
has certkeeper-renew.timer "Persistent=true"
for unit in certkeeper.service certkeeper-renew.service; do
  for line in "ProtectSystem=strict" "PrivateTmp=yes" "NoNewPrivileges=yes" "ProtectHome=yes" "UMask=0077" \
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"; do
    has "$unit" "$line"
  done
  grep -q '^CapabilityBoundingSet=CAP_' "$units/$unit" || fail "$unit: no capability bounding set"
done

if command -v systemd-analyze >/dev/null; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for f in "$units"/*; do sed "s|/usr/bin/certkeeper|$bin|" "$f" >"$work/$(basename "$f")"; done
  (cd "$work" && systemd-analyze verify ./certkeeper.service ./certkeeper-renew.service ./certkeeper-renew.timer) ||
    fail "systemd-analyze verify"
else
  echo "systemd-analyze not installed: only the directives were checked"
fi
[ "$failures" -eq 0 ] && echo "contrib/systemd: ok"
exit "$failures"
