#!/usr/bin/env bash
# A throwaway PostgreSQL server for the API tests: a new cluster in a temporary directory,
# listening on 127.0.0.1 on a free port, with fsync on, a random password and nothing else.
#   eval "$(scripts/postgres.sh start)"     prints `export` lines: PREPOZNAJ_TEST_DATABASE_URL
#                                           (the server's URL) and PREPOZNAJ_PG_DIR (its directory)
#   scripts/postgres.sh stop [DIR]          stops it and deletes DIR (default: $PREPOZNAJ_PG_DIR)
# Uses Debian's `postgresql` package (scripts/setup.sh installs it): the newest
# /usr/lib/postgresql/<version>/bin, or PG_BIN, or initdb on PATH. PostgreSQL refuses to run as
# root, so as root the cluster belongs to the `postgres` user. Progress goes to stderr.
set -euo pipefail

say() { printf '==> %s\n' "$*" >&2; }
half_made=""  # a directory `start` made but could not finish: deleted on failure
die() {
  printf 'postgres.sh: %s\n' "$*" >&2
  if [ -n "$half_made" ]; then rm -rf "$half_made"; fi
  exit 1
}

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$newest" ]; then echo "$newest"; return; fi
  command -v initdb >/dev/null && dirname "$(command -v initdb)" && return
  die "no PostgreSQL found: install Debian's postgresql package (scripts/setup.sh does)"
}

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local bin dir password port options
  bin=$(find_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/prepoznaj-pg.XXXXXX")
  half_made=$dir
  chmod 755 "$dir"
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$dir/password"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "as root, a 'postgres' user is needed (Debian's postgresql package makes it)"
    chown -R postgres: "$dir"
  fi
  say "initdb in $dir"
  as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --pwfile="$dir/password" \
    --auth-host=scram-sha-256 --auth-local=peer --encoding=UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/password"
  # A free port: try a few at random, since another process may take one between check and use.
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_is_free "$port" || continue
    options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
    options+=" -c fsync=on -c synchronous_commit=on -c max_connections=300"
    if as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 \
      --options="$options" start >&2; then
      say "PostgreSQL on 127.0.0.1:$port (log: $dir/postgres.log)"
      printf 'export PREPOZNAJ_PG_DIR=%q\n' "$dir"
      printf 'export PREPOZNAJ_TEST_DATABASE_URL=%q\n' \
        "postgresql://postgres:$password@127.0.0.1:$port/postgres"
      return
    fi
    grep -q 'could not bind\|Address already in use' "$dir/postgres.log" 2>/dev/null \
      || { cat "$dir/postgres.log" >&2 2>/dev/null; die "PostgreSQL did not start"; }
  done
  die "no free port found"
}

stop() {
  local dir=${1:-${PREPOZNAJ_PG_DIR:-}}
  [ -n "$dir" ] || die "stop: which directory? (give it, or set PREPOZNAJ_PG_DIR)"
  [ -f "$dir/data/PG_VERSION" ] || die "stop: $dir holds no cluster"
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(find_bin)/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >&2 || true
  fi
  rm -rf "$dir"
  say "PostgreSQL stopped, $dir deleted"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) die "usage: scripts/postgres.sh start | stop [DIR]" ;;
esac
