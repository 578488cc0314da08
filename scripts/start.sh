#!/usr/bin/env bash
# `npm start`: the whole local system with a simulated fleet (see tools/dev-stack/src/main.ts).
# Installs the npm dependencies first when needed. Arguments go to the dev stack
# (`npm start -- --once`, `npm start -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
# nats-server 2.10 for a private NATS, when none answers (non-fatal: else the installed one is used).
bash scripts/provision-nats.sh >/dev/null || echo "warning: nats-server 2.10 not provisioned; a private NATS would use the installed nats-server" >&2
exec node --import tsx tools/dev-stack/src/main.ts "$@"
