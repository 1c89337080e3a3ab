#!/bin/sh
# Installs what the Sage 100 connector's ODBC sandbox needs on Debian 12:
# unixODBC (driver manager; -dev to build the `odbc` npm package) and the
# SQLite ODBC driver, registered in /etc/odbcinst.ini as [SQLite3] by the
# libsqliteodbc package itself. Idempotent; safe to run on every CI start.
set -eu

if ! grep -q '^\[SQLite3\]' /etc/odbcinst.ini 2>/dev/null || ! command -v odbcinst >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends unixodbc unixodbc-dev odbcinst libsqliteodbc
fi

# The package registers the drivers; say so if a custom image did not.
if ! odbcinst -q -d -n SQLite3 >/dev/null 2>&1; then
  echo "setup-odbc: SQLite3 ODBC driver is not registered in $(odbcinst -j | sed -n 's/^DRIVERS\.*: //p')" >&2
  exit 1
fi
echo "setup-odbc: unixODBC $(odbcinst --version 2>/dev/null | awk '{print $2}') with the SQLite3 driver is ready"
