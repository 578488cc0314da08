#!/usr/bin/env bash
# The one test command (README, CI): type-check, lint, then every *.test.ts under node's test runner.
# Integration tests use real NATS, Redis, PostgreSQL and SSH; see testkit/README.md for how they are found.
set -euo pipefail
cd "$(dirname "$0")/.."

# A fresh clone has no node_modules: install them (npm ci) when missing or stale.
bash scripts/ensure-deps.sh
# The testkit's private NATS servers run nats-server 2.10 (the supported floor) from .cache/.
bash scripts/provision-nats.sh >/dev/null || echo "warning: nats-server 2.10 not provisioned; private NATS servers use the installed nats-server" >&2

echo "== type-check"
npx tsc -p tsconfig.json
echo "== lint"
npx biome check .

# Real public RouterOS exports live outside the repository; suites over them skip without them
# (each says so below), except under CI, where a missing folder fails them.
fixtures="${NETLEDGER_FIXTURES_DIR:-$(cd .. && pwd)/shared/fixtures/routeros}"
if [ -d "$fixtures" ]; then
  echo "== real RouterOS exports: $fixtures"
else
  echo "== real RouterOS exports not found at $fixtures (NETLEDGER_FIXTURES_DIR): the suites over them are skipped"
fi

mapfile -t files < <(find packages services tools testkit bench deploy -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
echo "== tests (${#files[@]} files)"
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout="${TEST_TIMEOUT_MS:-300000}" \
  --test-reporter=spec "${files[@]}"
