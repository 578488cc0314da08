#!/usr/bin/env bash
# Makes sure NATS with JetStream (4222), Redis (6379) and PostgreSQL (5432) answer on 127.0.0.1
# (CI: .ci/run). A server already answering is reused as it is (never reconfigured). A missing
# one is started from the installed binary; a missing binary is installed by install-server.sh
# (root + apt-get), which otherwise prints the exact install command and fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# nats-server 2.10 (the supported floor) into .cache/nats-server-2.10/: the testkit's private
# NATS servers use it, and so does a NATS started here. A server already on 4222 is left as it is.
nats_server="$(bash "$here/provision-nats.sh")"
echo "== nats-server for private servers: $("$nats_server" --version)"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 100); do answers "$port" && return 0; sleep 0.1; done
  echo "error: $name did not start on port $port" >&2
  return 1
}

if answers 4222; then echo "== NATS answers on 4222"; else
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec "$nats_server" -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_for 4222 NATS && echo "== NATS started"
fi

if answers 6379; then echo "== Redis answers on 6379"; else
  bash "$here/install-server.sh" redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for 6379 Redis && echo "== Redis started"
fi

if answers 5432; then echo "== PostgreSQL answers on 5432"; else
  bash "$here/install-server.sh" postgresql
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_for 5432 PostgreSQL && echo "== PostgreSQL started"
fi

# Not a service: the collector's tests start private sshd instances from it (CI=true requires it).
bash "$here/install-server.sh" openssh-server && echo "== sshd installed"
