#!/usr/bin/env bash
# Usage: scripts/node-bin.sh VERSION   (e.g. 24.22.3)
# Prints the bin folder of that Node.js release, unpacked from the npm package node-linux-<arch>
# (a binary shipped in a registry package: no other download). Cached per user in
# ${NETLEDGER_CACHE_DIR:-~/.cache/netledger}, so a second call costs nothing.
set -euo pipefail
version=${1:?usage: scripts/node-bin.sh VERSION}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-bin.sh: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
cache="${NETLEDGER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/netledger}/node-$version-linux-$arch"
if [ ! -x "$cache/bin/node" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  mkdir -p "$cache.partial"
  tar -xzf "$work"/*.tgz -C "$cache.partial" --strip-components=1
  rm -rf "$cache" && mv "$cache.partial" "$cache"
fi
"$cache/bin/node" --version >/dev/null
echo "$cache/bin"
