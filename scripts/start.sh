#!/bin/sh
# `npm start -- [args]`: runs sc-doctor from this checkout on a machine with only Node 20:
# gets Node >= 22, installs dependencies and builds once, then runs the built CLI.
# The CLI runs in the caller's directory, as an installed sc-doctor would: project detection,
# --out, saved code and hand-off scripts are relative to where `npm start` was typed (npm runs
# scripts in the package's folder and passes the directory it was started in as INIT_CWD), never
# to the clone. The project's own files are found from this script's location.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
here=$PWD
if [ "${npm_lifecycle_event:-}" = start ] && [ -n "${INIT_CWD:-}" ]; then here=$INIT_CWD; fi
PATH="$(sh "$root/scripts/ensure-node.sh"):$PATH"; export PATH
sh "$root/scripts/ready.sh" --build
cd "$here"
exec node "$root/dist/cli.js" "$@"
