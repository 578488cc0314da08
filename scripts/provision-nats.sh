#!/usr/bin/env bash
# Provisions nats-server 2.10 (NetLedger's supported floor) from Debian trixie's package into
# .cache/nats-server-2.10/ (git-ignored), without installing anything: a private apt source list
# and state dir, `apt-get download`, then `dpkg-deb -x`. Idempotent: a binary already there that
# reports 2.10+ is kept. Prints the binary's path on stdout (progress goes to stderr).
# The testkit's private NATS servers use it (NETLEDGER_NATS_SERVER, else this cache folder).
# Needs apt-get and dpkg-deb (Debian/Ubuntu); never touches the machine's own nats-server.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${NETLEDGER_NATS_CACHE_DIR:-$root/.cache/nats-server-2.10}"
binary="$cache/root/usr/sbin/nats-server"

supported() { # true when $1 runs and reports version 2.10 or later
  local version
  version="$("$1" --version 2>/dev/null | sed -n 's/.*v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')" || return 1
  [ -n "$version" ] || return 1
  set -- $version
  [ "$1" -gt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -ge 10 ]; }
}

if [ -x "$binary" ] && supported "$binary"; then echo "$binary"; exit 0; fi

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (Debian/Ubuntu needed to provision nats-server 2.10)" >&2; exit 1; }
done

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$cache/download"
echo "deb http://deb.debian.org/debian trixie main" > "$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache::archives=$apt_dir/archives"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
echo "== nats-server 2.10: apt-get update (trixie, private source list)" >&2
apt-get "${apt_opts[@]}" -qq update >&2
echo "== nats-server 2.10: apt-get download" >&2
(cd "$cache/download" && rm -f nats-server_*.deb && apt-get "${apt_opts[@]}" -qq download nats-server >&2)
deb="$(ls "$cache/download"/nats-server_*.deb | head -n1)"
rm -rf "$cache/root"
dpkg-deb -x "$deb" "$cache/root"
if ! supported "$binary"; then
  echo "error: $deb did not provide nats-server 2.10+ ($("$binary" --version 2>&1 || true))" >&2
  exit 1
fi
echo "== $("$binary" --version) in $binary" >&2
echo "$binary"
