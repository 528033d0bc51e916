#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the collector's tests (Debian's postgresql package).
#   scripts/postgres.sh start DIR   installs postgresql if missing, creates a cluster in DIR on a
#                                   free loopback port, starts it, prints the connection string
#   scripts/postgres.sh stop DIR    stops it (DIR can then be removed)
# The cluster trusts local connections and listens on 127.0.0.1 only. initdb refuses to run as
# root, so as root the cluster is created and run as the 'postgres' user.
# With OWNER_PID, a watchdog stops the server and removes DIR once that process is gone, so a
# test run that is killed (or whose runner skips exit handlers) leaves nothing running.
# Exit codes: 0 ok, 2 bad usage or postgresql not installable, 1 other failure.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR [OWNER_PID]" >&2; exit 2; }
[[ $# -eq 2 || $# -eq 3 ]] || usage
action="$1"; dir="$2"; owner="${3:-}"

find_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [[ -n "$bin" && -x "$bin/initdb" ]] && echo "$bin"
}

bin="$(find_bin || true)"
if [[ -z "$bin" ]]; then
  if ((EUID != 0)); then
    echo "postgres: postgresql is not installed and this is not root; install it with: apt-get install postgresql" >&2
    exit 2
  fi
  echo "postgres: installing postgresql…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1; } \
    || { echo "postgres: apt-get install postgresql failed" >&2; exit 2; }
  bin="$(find_bin)" || { echo "postgres: installed, but no initdb under /usr/lib/postgresql/*/bin" >&2; exit 2; }
fi

as_owner=()
if ((EUID == 0)); then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_owner=(runuser -u postgres --)
fi

start_watchdog() {
  [[ -n "$owner" ]] || return 0
  nohup setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; "$2" stop "$3"; rm -rf "$3"' \
    watchdog "$owner" "$(realpath "$0")" "$dir" >/dev/null 2>&1 &
}

case "$action" in
  start)
    mkdir -p "$dir"
    [[ ${#as_owner[@]} -eq 0 ]] || chown postgres "$dir"
    chmod 700 "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; echo "postgres: initdb failed" >&2; exit 1; }
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; echo "postgres: server did not start" >&2; exit 1; }
    echo "$port" >"$dir/port"
    start_watchdog
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    [[ -d "$dir/data" ]] || exit 0
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) usage ;;
esac
