#!/bin/sh
# Runs inside the test namespace: starts the database servers, runs every test, stops the servers.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
servers=$(mktemp -d /tmp/sc-doctor-servers.XXXXXX)
cleanup() { sh test/servers/stop.sh "$servers" >/dev/null 2>&1 || true; rm -rf "$servers"; }
trap cleanup EXIT INT TERM
sh test/servers/start.sh "$servers"
set -a; . "$servers/env"; set +a
status=0
if [ "$#" -gt 0 ]; then
  node --import tsx --test --test-concurrency=3 --test-timeout=180000 "$@" || status=$?
else
  node --import tsx --test --test-concurrency=3 --test-timeout=180000 \
    "test/**/*.test.ts" "test/**/*.test.tsx" || status=$?
fi
exit $status
