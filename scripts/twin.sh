#!/bin/sh
# `npm run twin -- [scenario] [--no-databases] [--latency=MS] [--lro-delay=MS] | --help`: starts the
# local Azure twin with a Node >= 22 (the twin's TLS needs it; Node 20 lacks tls.getCACertificates),
# fetching Node 24 and installing the dependencies once, as `npm start` does.
# `exec`, here and in package.json, leaves node as npm's direct child, so a SIGTERM or Ctrl-C sent to
# npm reaches the twin, which then stops its databases.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
PATH="$(sh scripts/ensure-node.sh):$PATH"; export PATH
sh scripts/ready.sh
exec node --import tsx test/azure-twin/main.ts "$@"
