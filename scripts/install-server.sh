#!/usr/bin/env bash
# Usage: scripts/install-server.sh PACKAGE...   (PACKAGE: nats-server, redis-server, postgresql, openssh-server)
# The one place that installs server software, used by ensure-services.sh (CI) and by the dev
# stack (npm start) when a server it must start is not installed. For each Debian package whose
# programs are missing: as root on a system with apt-get it installs it; otherwise it prints the
# exact install command and exits 1. Installing starts nothing.
set -euo pipefail

installed() {
  case "$1" in
    nats-server) command -v nats-server >/dev/null 2>&1 ;;
    redis-server) command -v redis-server >/dev/null 2>&1 ;;
    # Debian keeps initdb/postgres in /usr/lib/postgresql/<version>/bin and pg_ctlcluster on PATH.
    postgresql) command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null ;;
    # The collector's OpenSSH interoperability tests start their own sshd (nothing else uses it).
    openssh-server) [ -x /usr/sbin/sshd ] ;;
    *)
      echo "install-server.sh: unknown package '$1' (expected nats-server, redis-server, postgresql or openssh-server)" >&2
      exit 2
      ;;
  esac
}

missing=()
for package in "$@"; do
  installed "$package" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "error: ${missing[*]} not installed. Install with:" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "  sudo apt-get install -y ${missing[*]}" >&2
else
  echo "  your system's package manager (Debian/Ubuntu: sudo apt-get install -y ${missing[*]})" >&2
fi
exit 1
