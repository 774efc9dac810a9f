#!/usr/bin/env bash
# Fails when a module includes a header of a module it may not use
# (../shared/DESIGN.md "Modules"). Linking alone cannot catch this: every
# module shares include/, and static libraries pass their dependencies on.
set -euo pipefail
root=${1:-$(dirname "$0")/../..}
cd "$root"

declare -A allowed=(
  [util]=""
  [crypto]="util"
  [net]="util crypto"
  [acme]="util net crypto"
  [challenge]="util net crypto"
  [store]="util crypto"
  [deploy]="util crypto net"
  [lifecycle]="util crypto net acme challenge store deploy"
  [report]="util store"
  [cli]="lifecycle report util crypto"
)

status=0
for module in "${!allowed[@]}"; do
  for dir in "src/$module" "include/certkeeper/$module"; do
    [ -d "$dir" ] || continue
    while IFS= read -r line; do
      file=${line%%:*}
      used=$(sed -E 's|.*#include "certkeeper/([a-z]+)/.*|\1|' <<<"$line")
      [ "$used" = "$module" ] && continue
      if [[ " ${allowed[$module]} " != *" $used "* ]]; then
        echo "architecture: $file: module '$module' may not use '$used' (DESIGN.md)"
        status=1
      fi
    done < <(grep -rHE '#include "certkeeper/[a-z]+/' "$dir" || true)
  done
done
[ $status -eq 0 ] && echo "architecture: every include follows DESIGN.md"
exit $status
