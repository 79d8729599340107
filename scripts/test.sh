#!/bin/sh
# `npm test`: installs what the tests need (Node >= 22, dependencies, MariaDB, tmux and the code
# runtimes from Debian when missing), builds, then runs the whole suite inside a network namespace
# that has only loopback, so a stray request fails on the spot instead of leaving the machine, and
# where any DNS question asked of the machine's resolver fails the run (scripts/in-namespace.sh).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
PATH="$(sh scripts/ensure-node.sh):$PATH"; export PATH
sh scripts/ready.sh
node scripts/build.mjs
sh test/servers/install.sh

# in-namespace.sh also fails the run when a test asks the machine's DNS anything.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  exec unshare -n sh scripts/in-namespace.sh sh scripts/test-inner.sh "$@"
fi
echo "WARNING: cannot create a loopback-only network namespace (needs root and unshare);" >&2
echo "WARNING: running the tests without it. Nothing in them should leave 127.0.0.1, but nothing stops it either." >&2
exec sh scripts/test-inner.sh "$@"
