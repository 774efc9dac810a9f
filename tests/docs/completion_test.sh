#!/usr/bin/env bash
# The generated bash completion: source it in bash and check COMPREPLY for
# a few command lines, as bash would call it on TAB.
#   completion_test.sh CERTKEEPER_BINARY
set -uo pipefail
bin=${1:?usage: completion_test.sh CERTKEEPER_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" docs --format bash --output "$work/certkeeper" || exit 1
bash -n "$work/certkeeper" || { echo "FAIL: the script does not parse"; exit 1; }
# shellcheck source=/dev/null
source "$work/certkeeper"
failures=0

# complete LINE: COMPREPLY for the line as typed, the cursor at its end (a
# trailing space starts a new, empty word).
complete_line() {
  read -r -a COMP_WORDS <<<"$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_WORDS[0]=$bin
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$1
  COMP_POINT=${#1}
  COMPREPLY=()
  _certkeeper
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
  local got
  got=$(complete_line "$1")
  if [[ $got != "$2" ]]; then
    echo "FAIL: '$1' completed to '$got', expected '$2'"
    failures=$((failures + 1))
  fi
}

expect "certkeeper rep" "report"
expect "certkeeper re" "renew report revoke"
expect "certkeeper ta" "target"
expect "certkeeper target " "add list remove"
expect "certkeeper --db /tmp/x.db li" "list"
expect "certkeeper report --fo" "--format"
expect "certkeeper report --format p" "prometheus"
expect "certkeeper --json report --format " "csv html json prometheus table"
expect "certkeeper target add web --la" "--layout"
expect "certkeeper target add web --layout " "combined separate"
expect "certkeeper add web --challenge dns" "dns-01"
expect "certkeeper probe mail:25 --starttls " "imap pop3 smtp"
expect "certkeeper import --cert $work/certk" "$work/certkeeper"
expect "certkeeper renew --jit" "--jitter"
expect "certkeeper account " "deactivate register rollover show"
expect "certkeeper list --js" "--json"
# The hidden generator is not offered.
expect "certkeeper doc" ""

# NAME arguments complete to the inventory's certificates.
db=$work/state/certkeeper.db
"$bin" --db "$db" init >/dev/null 2>&1
"$bin" --db "$db" add web --domain www.example.test >/dev/null 2>&1
"$bin" --db "$db" add mail --domain mail.example.test >/dev/null 2>&1
expect "certkeeper --db $db show w" "web"
expect "certkeeper --db $db issue " "mail web"

[ "$failures" -eq 0 ] && echo "bash completion: ok"
exit "$failures"
