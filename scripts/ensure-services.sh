#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis are up on this machine, starting them if
# they are not. Safe to run any number of times; assumes nothing about what a
# previous session left running.
set -euo pipefail

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "ensure-services: $what did not come up" >&2
  return 1
}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
wait_for "PostgreSQL on 127.0.0.1:5432" "pg_isready -q -h 127.0.0.1 -p 5432"

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for "Redis on 127.0.0.1:6379" "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"
echo "ensure-services: PostgreSQL and Redis are up"
