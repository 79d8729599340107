#!/bin/sh
# `sh scripts/ready.sh [--build]`: makes this checkout ready to run, once: installs the dependencies
# (npm ci) when there are none or package-lock.json changed since, and with --build builds dist/ when
# it is missing or older than a source, the lock file or the build script. Needs a Node >= 22 first on
# PATH (scripts/ensure-node.sh); says what it does on stderr, nothing on stdout.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "sc-doctor: installing dependencies (once)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
[ "${1:-}" = --build ] || exit 0
if [ ! -f dist/cli.js ] ||
  [ -n "$(find cli.tsx source package-lock.json scripts/build.mjs -newer dist/cli.js -print -quit)" ]; then
  echo "sc-doctor: building dist/" >&2
  node scripts/build.mjs >&2
fi
