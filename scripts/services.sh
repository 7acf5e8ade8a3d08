#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and Mosquitto answer on their standard local ports: start them when
# stopped, install them with apt when missing; also Chromium and CJK fonts for the browser tests.
# Prints the PostgreSQL URL to use on its last line.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  echo "$2 did not come up on port $1" >&2; return 1
}

# --- PostgreSQL
PG_URL=${CHARGEHUB_TEST_DATABASE:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}
if ! port_open 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing PostgreSQL" >&2
    apt_install postgresql
    installed_pg=1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version" >&2
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || $SUDO pg_ctlcluster "$version" main start >&2
  wait_port 5432 PostgreSQL
  if [ -n "${installed_pg:-}" ]; then
    # A fresh cluster authenticates TCP clients by password: give the postgres role the one the URL uses.
    (cd / && $SUDO -u postgres psql -qc "ALTER USER postgres PASSWORD 'postgres'") >&2
  fi
fi

# --- Redis
if ! port_open 6379; then
  if ! command -v redis-server >/dev/null; then
    echo "installing Redis" >&2
    apt_install redis-server
  fi
  echo "starting Redis" >&2
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2
  wait_port 6379 Redis
fi

# --- Mosquitto
if ! port_open 1883; then
  if ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
    echo "installing Mosquitto" >&2
    apt_install mosquitto
  fi
  echo "starting Mosquitto" >&2
  $SUDO /usr/sbin/mosquitto -d -c /etc/mosquitto/mosquitto.conf >&2
  wait_port 1883 Mosquitto
fi
# --- Chromium and CJK fonts for the browser tests (Playwright drives Debian's chromium)
if ! command -v chromium >/dev/null; then
  echo "installing Chromium" >&2
  apt_install chromium
fi
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  echo "installing CJK fonts" >&2
  apt_install fonts-noto-cjk
fi
echo "$PG_URL"
