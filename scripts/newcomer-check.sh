#!/usr/bin/env bash
# Usage: scripts/newcomer-check.sh [NODE_BIN_DIR]
# What a new user does, checked in CI: clone this commit into an empty folder (no ../shared beside
# it), then run the README's two commands there, `npm start -- --once` and `npm test`, with CI and
# NETLEDGER_FIXTURES_DIR unset. NODE_BIN_DIR, when given, puts another Node first on PATH (CI
# passes Node 24 here, so this run is also the suite on Node 24). The run uses its own namespace,
# database and Redis prefix on the shared servers and removes them afterwards.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse HEAD)"
[ $# -ge 1 ] && export PATH="$1:$PATH"

work="$(mktemp -d)"
clone="$work/netledger"
id="nlnew$(date +%s)$$"
database_url="postgres://postgres@127.0.0.1:5432/${id}"
cleanup() {
  (cd "$repo" && node --import tsx testkit/src/drop-world-cli.ts \
    --namespace "$id" --database-url "$database_url" --redis-prefix "$id:") || echo "warning: clean-up of $id failed" >&2
  rm -rf "$work"
}
trap cleanup EXIT

echo "== newcomer check: clone of ${commit:0:12} into an empty folder, node $(node --version)"
git clone -q "$repo" "$clone"
git -C "$clone" checkout -q --detach "$commit"
[ ! -e "$work/shared" ] || { echo "error: $work/shared exists" >&2; exit 1; }

newcomer() { (cd "$clone" && env -u CI -u NETLEDGER_FIXTURES_DIR "$@"); }
echo "== newcomer: npm start -- --once"
# Only where it lands on the shared servers differs from a newcomer's run (removed afterwards).
newcomer NETLEDGER_NAMESPACE="$id" DATABASE_URL="$database_url" NETLEDGER_OPS_PORT_BASE=0 \
  NETLEDGER_SNAPSHOTS_MAX_BYTES=64MiB NETLEDGER_EVENTS_MAX_BYTES=16MiB npm start -- --once
echo "== newcomer: npm test"
newcomer npm test
