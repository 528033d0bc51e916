#!/usr/bin/env bash
# A throwaway S3-compatible server for the collector's blob-store tests: s3rver (npm), installed
# once into .build/s3rver, listening on a free loopback port, with one bucket 'understudy-test'.
#   scripts/s3.sh start DIR   prints the endpoint URL (credentials: S3RVER / S3RVER)
#   scripts/s3.sh stop DIR
# With OWNER_PID, a watchdog stops the server and removes DIR once that process is gone, so a
# test run that is killed (or whose runner skips exit handlers) leaves nothing running.
# Exit codes: 0 ok, 2 bad usage or s3rver not installable, 1 other failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.build/s3rver"
VERSION="3.7.1"

usage() { echo "usage: $0 start|stop DIR [OWNER_PID]" >&2; exit 2; }
[[ $# -eq 2 || $# -eq 3 ]] || usage
action="$1"; dir="$2"; owner="${3:-}"

start_watchdog() {
  [[ -n "$owner" ]] || return 0
  nohup setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; "$2" stop "$3"; rm -rf "$3"' \
    watchdog "$owner" "$(realpath "$0")" "$dir" >/dev/null 2>&1 &
}

case "$action" in
  start)
    if [[ ! -x "$PREFIX/node_modules/.bin/s3rver" ]]; then
      command -v npm >/dev/null 2>&1 || { echo "s3: npm is not installed (apt-get install npm)" >&2; exit 2; }
      mkdir -p "$PREFIX"
      exec 9>"$PREFIX.lock"
      flock 9
      if [[ ! -x "$PREFIX/node_modules/.bin/s3rver" ]]; then
        npm install --prefix "$PREFIX" --no-audit --no-fund --silent "s3rver@$VERSION" >&2 \
          || { echo "s3: npm install s3rver@$VERSION failed" >&2; exit 2; }
      fi
      exec 9>&-
    fi
    mkdir -p "$dir/data"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
    nohup "$PREFIX/node_modules/.bin/s3rver" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent \
      --configure-bucket understudy-test >"$dir/s3rver.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        start_watchdog
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    cat "$dir/s3rver.log" >&2
    echo "s3: s3rver did not start" >&2
    exit 1
    ;;
  stop)
    [[ -f "$dir/pid" ]] || exit 0
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
    ;;
  *) usage ;;
esac
