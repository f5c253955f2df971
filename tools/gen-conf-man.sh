#!/usr/bin/env bash
# Rewrites the OPTIONS section of doc/textscreen.conf.5 from the daemon's own key table
# (textscreen --print-config-man), leaving the hand-written prose around it alone. Run it
# after adding or changing a config key; ctest conf_man_doc fails until it is run.
#   tools/gen-conf-man.sh [path/to/textscreen]   (default: build-dev/ or build/textscreen)
#   cmake --build build-dev --target conf_man     (the same, after building textscreen)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
page="$root/doc/textscreen.conf.5"
bin=${1:-}
if [ -z "$bin" ]; then
  for candidate in "$root/build-dev/textscreen" "$root/build/textscreen"; do
    if [ -x "$candidate" ]; then
      bin=$candidate
      break
    fi
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "gen-conf-man.sh: no textscreen binary: build it first or give its path" >&2
  exit 2
fi
begin='.\" BEGIN GENERATED OPTIONS'
end='.\" END GENERATED OPTIONS'
if ! grep -qF "$begin" "$page" || ! grep -qF "$end" "$page"; then
  echo "gen-conf-man.sh: $page lost its GENERATED OPTIONS markers; put them back" >&2
  exit 2
fi

options=$(mktemp)
trap 'rm -f "$options" "$page.tmp"' EXIT
"$bin" --print-config-man >"$options"
# Through the environment: awk -v would read the backslash in the markers as an escape.
BEGIN_MARK=$begin END_MARK=$end OPTIONS_FILE=$options awk '
  index($0, ENVIRON["BEGIN_MARK"]) == 1 {
    print
    while ((getline line < ENVIRON["OPTIONS_FILE"]) > 0) print line
    skip = 1
    next
  }
  index($0, ENVIRON["END_MARK"]) == 1 { skip = 0 }
  !skip { print }
' "$page" >"$page.tmp"
mv "$page.tmp" "$page"
echo "gen-conf-man.sh: wrote the OPTIONS section of $page from $bin"
