#!/bin/sh
# `npm run demo -- [sc-doctor args]`: builds sc-doctor when needed, starts the local Azure twin in the
# background (scenario from TWIN_SCENARIO, default healthy), runs sc-doctor against it in the
# caller's directory (as `npm start` does), and stops the twin.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
here=$PWD
if [ "${npm_lifecycle_event:-}" = demo ] && [ -n "${INIT_CWD:-}" ]; then here=$INIT_CWD; fi
cd "$root"
PATH="$(sh scripts/ensure-node.sh):$PATH"; export PATH
sh scripts/ready.sh --build

mkdir -p .twin
env_file="$root/.twin/demo-env"
log="$root/.twin/demo-twin.log"
rm -f "$env_file"
TWIN_ENV_FILE="$env_file" node --import tsx test/azure-twin/main.ts "${TWIN_SCENARIO:-healthy}" >"$log" 2>&1 &
twin=$!
stop_twin() { kill "$twin" 2>/dev/null || true; wait "$twin" 2>/dev/null || true; }
trap stop_twin EXIT
trap 'exit 130' INT TERM

waited=0
while [ ! -f "$env_file" ]; do
  if ! kill -0 "$twin" 2>/dev/null; then
    echo "sc-doctor demo: the Azure twin did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  waited=$((waited + 1))
  if [ "$waited" -gt 600 ]; then
    echo "sc-doctor demo: the Azure twin did not start within 60 s; see $log" >&2
    exit 1
  fi
  sleep 0.1
done

. "$env_file"
cd "$here"
status=0
node "$root/dist/cli.js" "$@" || status=$?
exit "$status"
