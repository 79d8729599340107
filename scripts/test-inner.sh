#!/bin/sh
# Runs inside the test namespace: every test file. Database servers are not started here: each twin
# starts its own PostgreSQL and MariaDB (test/servers/databases.ts) and stops them when it closes.
# Bounds, so a broken test ends the run with a failure and never hangs it:
# - --test-timeout: each test (and hook) fails after 3 minutes;
# - --test-force-exit: a file whose tests are done ends even if a handle (a server, a child's pipe)
#   would keep it alive;
# - test/helpers/file-bound.ts (loaded into each file's process): a file still running after
#   SC_DOCTOR_TEST_FILE_TIMEOUT_S seconds (default 600) ends as a failure; its exit hooks stop the
#   process groups, database servers and tmux servers it started.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
# A Node >= 22 (test.sh has put one first on PATH; `npm run test:only` on a Node 20 machine has not).
PATH="$(sh scripts/ensure-node.sh):$PATH"; export PATH
[ "$#" -gt 0 ] || set -- "test/**/*.test.ts" "test/**/*.test.tsx"
exec node --import tsx --import ./test/helpers/file-bound.ts --test --test-concurrency=3 \
  --test-timeout=180000 --test-force-exit "$@"
