#!/bin/sh
# `npm test`: installs what the tests need (Node >= 22, dependencies, MariaDB, tmux and the code
# runtimes from Debian when missing), builds, then runs the whole suite inside a network namespace
# that has only loopback, so a stray request fails on the spot instead of leaving the machine.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
PATH="$(sh scripts/ensure-node.sh):$PATH"; export PATH
sh scripts/ready.sh
node scripts/build.mjs
sh test/servers/install.sh

if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec sh scripts/test-inner.sh "$@"' sh "$@"
fi
echo "WARNING: cannot create a loopback-only network namespace (needs root and unshare);" >&2
echo "WARNING: running the tests without it. Nothing in them should leave 127.0.0.1, but nothing stops it either." >&2
exec sh scripts/test-inner.sh "$@"
