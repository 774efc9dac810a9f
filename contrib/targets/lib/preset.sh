# Shared by the presets in contrib/targets/: the `NAME [DIR]` arguments.
# Sourced, not run.

preset_usage() {
  echo "usage: $0 NAME [DIR] [certkeeper target add option...]" >&2
  exit 2
}

# preset_parse "$@": sets `name`, `dir` (default /etc/certkeeper/live/NAME)
# and `consumed`, how many arguments they took (the caller shifts them off;
# the rest go to `certkeeper target add` as they are).
preset_parse() {
  [ "$#" -ge 1 ] || preset_usage
  name=$1
  case $name in '' | -*) preset_usage ;; esac
  dir=/etc/certkeeper/live/$name
  consumed=1
  if [ "$#" -ge 2 ]; then
    case $2 in
      -*) ;;
      *) dir=$2; consumed=2 ;;
    esac
  fi
}
