#!/bin/sh
# `sh scripts/node.sh ARGS`: `node ARGS` with a Node >= 22 (scripts/ensure-node.sh fetches Node 24 once
# when the system's is older), first on PATH so what it starts gets the same Node. For the npm scripts
# that run the built CLI (npm run bench, bench:snippets), which needs Node 22.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
PATH="$(sh "$root/scripts/ensure-node.sh"):$PATH"; export PATH
exec node "$@"
