#!/bin/sh
# Runs inside the test namespace: every test file. Database servers are not started here: each twin
# starts its own PostgreSQL and MariaDB (test/servers/databases.ts) and stops them when it closes.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
if [ "$#" -gt 0 ]; then
  exec node --import tsx --test --test-concurrency=3 --test-timeout=180000 "$@"
fi
exec node --import tsx --test --test-concurrency=3 --test-timeout=180000 \
  "test/**/*.test.ts" "test/**/*.test.tsx"
