#!/usr/bin/env bash
# Makes sure a Docker engine answers and debootstrap is installed (CI: .ci/run with CI=true), for
# the image test (deploy/test/images.test.ts). Debian's docker.io has no systemd here, so the
# daemon is started by hand: no bridge network, no iptables (containers run with --network host,
# builds with --network host), as STACK-NOTES "Containers" describes. A running engine is reused.
set -euo pipefail

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "error: missing ${missing[*]}: install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "== Docker engine answers"
  exit 0
fi
mkdir -p /var/log
nohup dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/netledger-dockerd.log 2>&1 &
for _ in $(seq 1 150); do
  if docker info >/dev/null 2>&1; then
    echo "== Docker engine started ($(docker info --format '{{.ServerVersion}} {{.Driver}}'))"
    exit 0
  fi
  sleep 0.2
done
echo "error: dockerd did not answer within 30 s; its log:" >&2
tail -n 30 /var/log/netledger-dockerd.log >&2
exit 1
