#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server for the tests of store-jdbc.
#
#   eval "$(.ci/postgres.sh start)"   # prints: export FAAS4J_TEST_PG_URL=jdbc:postgresql://127.0.0.1:PORT/faas4j?user=faas4j
#   mvn -B -pl store-jdbc -am verify
#   .ci/postgres.sh restart           # restarts the server (same port and data), as a test of
#                                     # reconnection does; fails if start was not run from this checkout
#   .ci/postgres.sh stop              # stops the server and removes everything start created
#
# The cluster lives in a new temporary directory (data, unix socket, log), listens on 127.0.0.1
# only, on a free port, with trust authentication and fsync off: it is for tests, never for data.
# initdb refuses to run as root, so as root the server runs as the user "postgres" if it exists,
# or else as a user "faas4j-pg" created here and deleted by stop. If no PostgreSQL binaries are
# found (on PATH or in /usr/lib/postgresql/*/bin), they are installed with apt-get.
#
# All messages go to stderr; stdout carries only the export lines. The state (temp dir, user) is
# kept in $FAAS4J_PG_STATE, by default a file in /tmp named after this checkout, so two checkouts
# can each run their own server.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state_file="${FAAS4J_PG_STATE:-/tmp/faas4j-postgres-$(printf '%s' "$repo_dir" | md5sum | cut -c1-12).state}"
db_name=faas4j
db_user=faas4j

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_bin_dir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
    printf '%s\n' "$dir"
    return 0
  fi
  return 1
}

# Runs a command as the server's user ($run_as; empty = the current user).
as_user() {
  if [[ -z "$run_as" ]]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$run_as" -- "$@"
  else
    su -s /bin/sh "$run_as" -c "$(printf '%q ' "$@")"
  fi
}

# Globals shared by start and its failure clean-up.
dir=""
bin_dir=""
run_as=""
created_user=0

failed_start_cleanup() {
  log "start failed; removing what it created"
  if [[ -n "$dir" ]]; then
    as_user "$bin_dir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  if [[ "$created_user" == 1 ]]; then
    userdel "$run_as" >/dev/null 2>&1 || true
  fi
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if [[ -e "$state_file" ]]; then
    die "a server started from this checkout is already running (state in $state_file): run '$0 stop' first"
  fi

  if ! bin_dir="$(find_bin_dir)"; then
    [[ "$(id -u)" == 0 ]] || die "PostgreSQL binaries not found (initdb, pg_ctl): install them (apt-get install postgresql) or put them on PATH"
    log "PostgreSQL binaries not found; installing them with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
    bin_dir="$(find_bin_dir)" || die "apt-get installed postgresql, but initdb and pg_ctl are still not found"
  fi
  local psql="$bin_dir/psql"
  [[ -x "$psql" ]] || psql="$(command -v psql)" || die "psql not found next to $bin_dir/initdb nor on PATH"

  run_as=""
  created_user=0
  if [[ "$(id -u)" == 0 ]]; then
    if id postgres >/dev/null 2>&1; then
      run_as=postgres
    else
      run_as=faas4j-pg
      if ! id "$run_as" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$run_as"
        created_user=1
      fi
    fi
  fi

  dir="$(mktemp -d "${TMPDIR:-/tmp}/faas4j-pg.XXXXXX")"
  # From here on, a failure (an error or a die) stops whatever was started and removes it all.
  trap failed_start_cleanup EXIT
  mkdir -p "$dir/sock"
  [[ -z "$run_as" ]] || chown -R "$run_as" "$dir"

  log "initdb into $dir/data (as ${run_as:-$(id -un)}, binaries in $bin_dir)"
  as_user "$bin_dir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; false; }

  local port="" attempt
  for attempt in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 40000 ))
    port_is_free "$port" || continue
    if as_user "$bin_dir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c full_page_writes=off" \
        start >/dev/null; then
      break
    fi
    log "could not start on port $port (attempt $attempt); trying another"
    port=""
  done
  [[ -n "$port" ]] || { cat "$dir/server.log" >&2; die "PostgreSQL did not start; its log is above"; }

  as_user "$psql" -X -q -h "$dir/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE $db_user LOGIN" \
    -c "CREATE DATABASE $db_name OWNER $db_user ENCODING 'UTF8' TEMPLATE template0" >&2

  {
    printf 'dir=%q\n' "$dir"
    printf 'bin_dir=%q\n' "$bin_dir"
    printf 'run_as=%q\n' "$run_as"
    printf 'created_user=%q\n' "$created_user"
    printf 'port=%q\n' "$port"
  } >"$state_file"
  trap - EXIT

  log "PostgreSQL listening on 127.0.0.1:$port, database $db_name, user $db_user (data in $dir)"
  printf "export FAAS4J_TEST_PG_URL='jdbc:postgresql://127.0.0.1:%s/%s?user=%s'\n" "$port" "$db_name" "$db_user"
}

stop() {
  if [[ ! -e "$state_file" ]]; then
    log "no server started from this checkout (no $state_file); nothing to stop"
    return 0
  fi
  local port=""
  # shellcheck disable=SC1090
  source "$state_file"
  if [[ -d "$dir/data" ]]; then
    as_user "$bin_dir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
      || as_user "$bin_dir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 \
      || log "pg_ctl could not stop the server in $dir/data (already gone?)"
  fi
  rm -rf "$dir"
  if [[ "$created_user" == 1 ]]; then
    userdel "$run_as" >/dev/null 2>&1 || log "could not delete the user $run_as"
  fi
  rm -f "$state_file"
  log "stopped the server on port $port and removed $dir"
  echo "unset FAAS4J_TEST_PG_URL"
}

restart() {
  [[ -e "$state_file" ]] || die "no server started from this checkout (no $state_file): run '$0 start' first"
  local port=""
  # shellcheck disable=SC1090
  source "$state_file"
  # pg_ctl restart starts the server again with the options it was started with (postmaster.opts).
  as_user "$bin_dir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null \
    || die "pg_ctl could not restart the server in $dir/data; see $dir/server.log"
  log "restarted the server on port $port"
}

case "${1:-}" in
  start) start ;;
  restart) restart ;;
  stop) stop ;;
  *) die "usage: $0 start|restart|stop   (eval \"\$($0 start)\" exports FAAS4J_TEST_PG_URL)" ;;
esac
