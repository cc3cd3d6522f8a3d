# Sourced by scripts that keep a work directory at a fixed path (a cache between runs, e.g. under /var/tmp), often as
# root. Another local user could create that path first and own what root later writes or runs from there, so:
# private_dir DIR  creates DIR with mode 700 when it is absent, and refuses to go on when DIR exists but is not a
# directory owned by this user that nobody else can write (not a symbolic link, no group or other write access).
private_dir() {
  local dir="$1"
  if [[ ! -e "$dir" && ! -L "$dir" ]]; then
    mkdir -p "$(dirname "$dir")"
    mkdir -m 700 "$dir" && return 0 # fails when someone created it meanwhile: checked below
  fi
  if [[ -L "$dir" || ! -d "$dir" ]]; then
    echo "error: $dir is not a plain directory; remove it or choose another path" >&2
    return 1
  fi
  local owner mode
  read -r owner mode < <(stat -c '%u %a' "$dir")
  if [[ "$owner" != "$(id -u)" || $(( 8#$mode & 8#022 )) -ne 0 ]]; then
    echo "error: $dir belongs to uid $owner with mode $mode; a work directory must be this user's ($(id -u))" \
      "and writable by nobody else: remove it or choose another path" >&2
    return 1
  fi
}
