#!/bin/sh
# `npm start -- [args]`: runs sc-doctor from this checkout on a machine with only Node 20:
# gets Node >= 22, installs dependencies and builds once, then runs the built CLI.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
PATH="$(sh scripts/ensure-node.sh):$PATH"; export PATH
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "sc-doctor: installing dependencies (once)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
if [ ! -f dist/cli.js ] || [ -n "$(find cli.tsx source -newer dist/cli.js -print -quit)" ]; then
  node scripts/build.mjs >&2
fi
exec node dist/cli.js "$@"
