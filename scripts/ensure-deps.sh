#!/usr/bin/env bash
# Installs the npm dependencies (`npm ci`) when node_modules is missing or older than
# package-lock.json, so `npm start` and `npm test` work on a fresh clone and after a pull that
# changed the lock file. npm rewrites node_modules/.package-lock.json on every install, so its
# age is the age of the installed tree.
set -euo pipefail
cd "$(dirname "$0")/.."

installed=node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  echo "== installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
