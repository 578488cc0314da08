#!/usr/bin/env bash
# `npm start`: the whole local system with a simulated fleet (see tools/dev-stack/src/main.ts).
# Installs the npm dependencies first when needed. Arguments go to the dev stack
# (`npm start -- --once`, `npm start -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
exec node --import tsx tools/dev-stack/src/main.ts "$@"
