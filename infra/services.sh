#!/usr/bin/env bash
# Installs (when missing) and starts what the integration tests need, on loopback:
#   RabbitMQ 3.10 from Debian's packages, with the management plugin (tests create a fresh vhost through it);
#   PostgreSQL 15 (the machine's cluster 15/main), user postgres with password postgres;
#   Debian's chromium, which the console's browser tests drive headless (never a browser download).
# Idempotent: running it again with everything up only checks. Needs root (or sudo) to install and start.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf '[services] %s\n' "$*"; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up within ${seconds}s"; return 1
}

apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- RabbitMQ ---
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  log "installing rabbitmq-server"
  apt_install rabbitmq-server
fi
as_root rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
if ! as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
  log "starting RabbitMQ"
  # The service manager does not run here; start the node directly.
  as_root rabbitmq-server -detached
  wait_for 90 "RabbitMQ" as_root rabbitmq-diagnostics -q ping
fi
wait_for 60 "RabbitMQ management API" curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview
log "RabbitMQ is up on 127.0.0.1:5672 (management on 15672)"

# --- PostgreSQL ---
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql"
  apt_install postgresql
fi
version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $2}')
if [ -z "$version" ]; then
  log "creating a PostgreSQL cluster"
  as_root pg_createcluster 15 main >/dev/null
  version=15; cluster=main
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  log "starting PostgreSQL $version/$cluster"
  as_root pg_ctlcluster "$version" "$cluster" start
fi
wait_for 60 "PostgreSQL" pg_isready -h 127.0.0.1 -p 5432
as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
# Every test app has its own database and connection pool, and the fault tests run worker processes beside it: the
# default of 100 connections is too few for that, not for the pipeline.
if [ "$(as_root su postgres -c "psql -tAc 'show max_connections'")" -lt 300 ]; then
  log "raising PostgreSQL max_connections to 300 (restart)"
  as_root su postgres -c "psql -q -c 'ALTER SYSTEM SET max_connections = 300'" >/dev/null
  as_root pg_ctlcluster "$version" "$cluster" restart
  wait_for 60 "PostgreSQL" pg_isready -h 127.0.0.1 -p 5432
fi
log "PostgreSQL is up on 127.0.0.1:5432 (postgres/postgres)"

# --- Chromium, for the console's browser tests ---
if ! [ -x /usr/bin/chromium ]; then
  log "installing chromium"
  apt_install chromium
fi
log "chromium is at /usr/bin/chromium"
