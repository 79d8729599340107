#!/bin/sh
# `unshare -n sh scripts/in-namespace.sh COMMAND [ARGS]`: runs COMMAND, in the current directory, in
# the network namespace unshare made (only loopback, brought up here) with a DNS sentinel. The script enters a mount
# namespace of its own (and checks that it did) and there, and only there, replaces /etc/resolv.conf
# by one naming 127.0.0.1, where test/helpers/dns-sentinel.ts refuses every question and writes it
# down. COMMAND's exit status is kept, except that any DNS question asked of the machine's resolver
# fails the run and is listed: no test may look up a twin host name, or any name, in the machine's DNS.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
here=$PWD
ip link set lo up
# Never touch the machine's own resolv.conf: re-run in a new mount namespace, then make sure this
# process really is in another one than the caller before mounting anything.
if [ "${1:-}" != --own-mount-namespace ]; then
  outer=$(readlink /proc/self/ns/mnt 2>/dev/null || true)
  if [ -n "$outer" ] && unshare -m --propagation private true 2>/dev/null; then
    exec unshare -m --propagation private sh "$root/scripts/in-namespace.sh" --own-mount-namespace "$outer" "$@"
  fi
  set -- --own-mount-namespace "" "$@"
fi
outer=$2
shift 2
if [ -z "$outer" ] || [ "$(readlink /proc/self/ns/mnt 2>/dev/null || true)" = "$outer" ] || [ ! -f /etc/resolv.conf ]; then
  echo "in-namespace.sh: no mount namespace of its own (needs root) or no /etc/resolv.conf:" >&2
  echo "in-namespace.sh: running without the DNS sentinel." >&2
  exec "$@"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/sc-doctor-dns-sentinel-XXXXXX")
trap 'rm -rf "$dir"' EXIT
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n' >"$dir/resolv.conf"
mount --bind "$dir/resolv.conf" /etc/resolv.conf
: >"$dir/queries"
(cd "$root" && exec node --import tsx test/helpers/dns-sentinel.ts "$dir/queries") >"$dir/ready" 2>"$dir/sentinel.log" &
sentinel=$!
waited=0
until [ -s "$dir/ready" ]; do
  if ! kill -0 "$sentinel" 2>/dev/null || [ "$waited" -gt 100 ]; then
    echo "in-namespace.sh: the DNS sentinel did not start:" >&2
    cat "$dir/sentinel.log" >&2
    exit 1
  fi
  waited=$((waited + 1))
  sleep 0.1
done
status=0
cd "$here"
"$@" || status=$?
kill "$sentinel" 2>/dev/null || true
wait "$sentinel" 2>/dev/null || true
if [ -s "$dir/queries" ]; then
  echo "" >&2
  echo "FAIL: these DNS questions were asked of the machine's resolver (name, type; count):" >&2
  sort "$dir/queries" | uniq -c | sort -rn >&2
  echo "Tests answer DNS with the twin's server (twin.env(): SC_DOCTOR_DNS_SERVER) or an injected resolver," >&2
  echo "and reach servers through SC_DOCTOR_CONNECT_TO; see docs/architecture.md." >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
