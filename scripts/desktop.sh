#!/usr/bin/env bash
# An isolated virtual X desktop per run, for tests on a real X server:
# Xvfb on a free display (:90 and up) + a fresh D-Bus session (dbus-run-session)
# + the AT-SPI accessibility bus + openbox as window manager.
#
#   scripts/desktop.sh run   [--size WxH[xD]] -- CMD ARGS...
#       Start a desktop, run CMD inside it (DISPLAY, DBUS_SESSION_BUS_ADDRESS,
#       AT_SPI_BUS_ADDRESS, ... exported), tear down, exit with CMD's exit code.
#
#   scripts/desktop.sh serve [--size WxH[xD]] --env-file FILE
#       Start a desktop, write KEY=VALUE lines (DISPLAY, DBUS_SESSION_BUS_ADDRESS,
#       AT_SPI_BUS_ADDRESS, XDG_RUNTIME_DIR, ..., DESKTOP_PID) to FILE atomically
#       once it is ready, then stay up until stdin reaches EOF or a
#       SIGTERM/SIGINT/SIGHUP arrives; then tear down and remove FILE.
#
# Everything started inside the desktop lives in one session (setsid) and carries
# a marker variable, so tear-down finds it all; a detached watchdog tears the
# desktop down even if this script itself is killed with SIGKILL.
# Diagnostics go to stderr prefixed "desktop:"; CMD's stdout passes through untouched.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"

log() { printf 'desktop: %s\n' "$*" >&2; }
usage() {
  cat >&2 <<'EOF'
desktop: usage: desktop.sh run [--size WxH] -- CMD ARGS...
desktop:        desktop.sh serve [--size WxH] --env-file FILE
EOF
  exit 2
}
now() { printf '%s' "${EPOCHREALTIME/[.,]/}"; } # microseconds
elapsed() { # start_us -> "1.23s"
  local d=$(($(now) - $1))
  printf '%d.%02ds' $((d / 1000000)) $((d % 1000000 / 10000))
}

# True if PID exists and is not a zombie.
alive() {
  local line
  [[ -r /proc/$1/stat ]] || return 1
  read -r line </proc/"$1"/stat 2>/dev/null || return 1
  line=${line##*) }
  [[ ${line:0:1} != Z ]]
}

# The pid in /tmp/.X<n>-lock (empty if there is no lock).
lock_owner() {
  local owner=""
  { read -r owner <"/tmp/.X$1-lock"; } 2>/dev/null || true
  printf '%s' "${owner//[[:space:]]/}"
}

# Print the last lines of a log file, prefixed, to stderr.
dump_log() {
  local f=$1 name=$2
  [[ -s $f ]] || return 0
  log "--- last lines of $name log ---"
  tail -n 15 "$f" | sed 's/^/desktop:   /' >&2
}

# ---------------------------------------------------------------------------
# Tear-down: used by the main process (EXIT trap) and by the watchdog.
# Reads what to stop from files in the work directory, so it is idempotent.
# ---------------------------------------------------------------------------
teardown() {
  local workdir=$1 sid="" xpid="" disp="" id="" envfile="" i pids p
  [[ -d $workdir ]] || return 0
  [[ -r $workdir/session.sid ]] && sid=$(<"$workdir/session.sid")
  [[ -r $workdir/xvfb.pid ]] && xpid=$(<"$workdir/xvfb.pid")
  [[ -r $workdir/display ]] && disp=$(<"$workdir/display")
  [[ -r $workdir/id ]] && id=$(<"$workdir/id")
  [[ -r $workdir/env-file ]] && envfile=$(<"$workdir/env-file")

  # Announce the end first: the env file must not outlive the desktop.
  [[ -n $envfile ]] && rm -f -- "$envfile" "$envfile.tmp"

  # 1. The inner session: dbus-run-session, dbus-daemon, openbox, AT-SPI, CMD, ...
  if [[ -n $sid ]]; then
    pkill -TERM -s "$sid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      # zombies (already dead, waiting for init to reap them) do not count
      # shellcheck disable=SC2009 # pgrep cannot tell zombies apart
      ps -o stat= -s "$sid" 2>/dev/null | grep -q '^[^Z]' || break
      sleep 0.05
    done
    pkill -KILL -s "$sid" 2>/dev/null || true
  fi
  # 2. Anything that left the session (double fork + setsid) but still carries
  #    our marker in its environment.
  if [[ -n $id ]]; then
    for attempt in TERM KILL; do
      pids=$(grep -lzx "UNDERSTUDY_DESKTOP_ID=$id" /proc/[0-9]*/environ 2>/dev/null |
        cut -d/ -f3 || true)
      [[ -z $pids ]] && break
      for p in $pids; do
        [[ $p == "$$" || $p == "$BASHPID" ]] && continue
        kill -"$attempt" "$p" 2>/dev/null || true
      done
      sleep 0.2
    done
  fi
  # 3. The X server.
  if [[ -n $xpid ]] && alive "$xpid" && [[ $(cat /proc/"$xpid"/comm 2>/dev/null) == Xvfb ]]; then
    kill -TERM "$xpid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
      alive "$xpid" || break
      sleep 0.05
    done
    if alive "$xpid"; then
      log "Xvfb $disp did not stop on SIGTERM, killing it"
      kill -KILL "$xpid" 2>/dev/null || true
    fi
  fi
  # Reap it if it is our child (no-op otherwise).
  if [[ -n $xpid ]]; then wait "$xpid" 2>/dev/null || true; fi
  # 4. Lock and socket files, only if they are ours.
  if [[ -n $disp && -n $xpid ]]; then
    local n=${disp#:}
    if [[ $(lock_owner "$n") == "$xpid" ]]; then
      rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"
    fi
  fi
  rm -rf -- "$workdir"
}

# ---------------------------------------------------------------------------
# Watchdog: detached; tears the desktop down if the main process disappears
# without doing so itself (SIGKILL). The main process kills it on a clean exit.
# ---------------------------------------------------------------------------
watchdog_main() {
  local main_pid=$2 workdir=$3
  trap '' INT HUP TERM
  # alive, not kill -0: a SIGKILLed main is a zombie until its parent reaps it
  while alive "$main_pid"; do sleep 0.5; done
  if [[ -d $workdir ]]; then
    log "main process $main_pid vanished; watchdog tearing down"
    teardown "$workdir"
  fi
}

# ---------------------------------------------------------------------------
# Inner part: runs under `setsid dbus-run-session`, with DISPLAY set.
# fd 3 = the caller's stdout, fd 4 = the caller's stderr; fds 1/2 go to a log.
# ---------------------------------------------------------------------------
inner_main() {
  local mode=$2 workdir=$UNDERSTUDY_DESKTOP_WORKDIR deadline reply wm_pid rc v envfile vars
  shift 2
  ilog() { printf 'desktop: %s\n' "$*" >&4; }
  ifail() {
    ilog "$*"
    dump_log "$workdir/at-spi.log" at-spi 2>&4
    dump_log "$workdir/openbox.log" openbox 2>&4
    exit 1
  }

  export NO_AT_BRIDGE=0 ACCESSIBILITY_ENABLED=1 QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1
  export GDK_BACKEND=x11 QT_QPA_PLATFORM=xcb XDG_SESSION_TYPE=x11
  unset GTK_A11Y WAYLAND_DISPLAY AT_SPI_BUS_ADDRESS SESSION_MANAGER XAUTHORITY

  # AT-SPI: no stale bus address on the root window, then a fresh bus launcher.
  xprop -root -remove AT_SPI_BUS 2>/dev/null || true
  /usr/libexec/at-spi-bus-launcher --launch-immediately \
    </dev/null >>"$workdir/at-spi.log" 2>&1 3>&- 4>&- &
  # Wait for it to own org.a11y.Bus (asking org.a11y.Bus directly before that
  # would D-Bus-activate a second launcher).
  deadline=$(($(now) + 10000000))
  until [[ $(gdbus call --session --dest org.freedesktop.DBus \
    --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.a11y.Bus 2>/dev/null) == "(true,)" ]]; do
    (($(now) < deadline)) || ifail "AT-SPI bus launcher did not appear on the session bus within 10 s"
    sleep 0.05
  done
  reply=$(gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
    --method org.a11y.Bus.GetAddress 2>>"$workdir/at-spi.log") ||
    ifail "org.a11y.Bus.GetAddress failed"
  # reply looks like: ('unix:path=/run/.../at-spi/bus_90,guid=...',)
  AT_SPI_BUS_ADDRESS=${reply#\(\'}
  AT_SPI_BUS_ADDRESS=${AT_SPI_BUS_ADDRESS%\',\)}
  [[ $AT_SPI_BUS_ADDRESS == unix:* ]] || ifail "unexpected AT-SPI bus address: $reply"
  export AT_SPI_BUS_ADDRESS
  gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
    --method org.freedesktop.DBus.Properties.Set org.a11y.Status IsEnabled '<true>' \
    >/dev/null 2>>"$workdir/at-spi.log" || ifail "could not set org.a11y.Status IsEnabled"

  # Window manager.
  openbox --sm-disable </dev/null >>"$workdir/openbox.log" 2>&1 3>&- 4>&- &
  wm_pid=$!
  deadline=$(($(now) + 10000000))
  until [[ $(xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null) == *"window id #"* ]]; do
    alive "$wm_pid" || ifail "openbox exited during start-up"
    (($(now) < deadline)) || ifail "openbox did not start managing within 10 s"
    sleep 0.05
  done

  vars=(DISPLAY DBUS_SESSION_BUS_ADDRESS AT_SPI_BUS_ADDRESS XDG_RUNTIME_DIR
    NO_AT_BRIDGE ACCESSIBILITY_ENABLED QT_LINUX_ACCESSIBILITY_ALWAYS_ON
    GDK_BACKEND QT_QPA_PLATFORM XDG_SESSION_TYPE DESKTOP_PID)
  ilog "$DISPLAY ready (${UNDERSTUDY_DESKTOP_SCREEN}) in $(elapsed "$UNDERSTUDY_DESKTOP_T0")"

  if [[ $mode == run ]]; then
    set +e
    env -u UNDERSTUDY_DESKTOP_WORKDIR -u UNDERSTUDY_DESKTOP_T0 -u UNDERSTUDY_DESKTOP_SCREEN \
      "$@" 1>&3 2>&4 3>&- 4>&-
    rc=$?
    exit $rc
  fi

  # serve
  envfile=$UNDERSTUDY_DESKTOP_ENV_FILE
  {
    for v in "${vars[@]}"; do
      printf '%s=%s\n' "$v" "${!v}"
    done
  } >"$envfile.tmp"
  mv -f -- "$envfile.tmp" "$envfile"
  exec sleep infinity 3>&- 4>&-
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM HUP
  ((cleaned)) && return
  cleaned=1
  local t1
  t1=$(now)
  # The watchdog (and its sleep) form their own process group.
  [[ -n $watchdog_pid ]] && kill -KILL -- "-$watchdog_pid" 2>/dev/null
  teardown "$workdir"
  [[ -n $inner_pid ]] && wait "$inner_pid" 2>/dev/null
  [[ -n ${display:-} ]] && log "$display torn down in $(elapsed "$t1")"
  exit "$rc"
}

start_inner() {
  # "<&0": a background job would otherwise get /dev/null as stdin, and in run
  # mode CMD gets ours. fd 3/4 carry our stdout/stderr to CMD and diagnostics.
  UNDERSTUDY_DESKTOP_ID=$(<"$workdir/id") \
    UNDERSTUDY_DESKTOP_WORKDIR="$workdir" \
    UNDERSTUDY_DESKTOP_ENV_FILE="$envfile" \
    UNDERSTUDY_DESKTOP_T0="$t0" \
    UNDERSTUDY_DESKTOP_SCREEN="$size" \
    setsid dbus-run-session -- bash "$self" __inner "$mode" "$@" \
    <&0 3>&1 4>&2 >>"$inner_log" 2>&1 &
  inner_pid=$!
}

# Main. Variables are global on purpose: the EXIT trap (cleanup) reads them.
main() {
  t0=$(now)
  mode=${1:-}
  [[ $mode == run || $mode == serve ]] || usage
  shift
  size=1280x800
  envfile=""
  while (($#)); do
    case $1 in
      --size)
        [[ $# -ge 2 ]] || usage
        size=$2
        shift 2
        ;;
      --size=*)
        size=${1#--size=}
        shift
        ;;
      --env-file)
        [[ $# -ge 2 ]] || usage
        envfile=$2
        shift 2
        ;;
      --env-file=*)
        envfile=${1#--env-file=}
        shift
        ;;
      --)
        shift
        break
        ;;
      *)
        if [[ $mode == run ]]; then break; fi # allow omitting "--"
        usage
        ;;
    esac
  done
  [[ $size =~ ^[0-9]+x[0-9]+(x[0-9]+)?$ ]] || {
    log "bad --size '$size' (want WxH or WxHxDEPTH)"
    exit 2
  }
  [[ $size =~ ^[0-9]+x[0-9]+$ ]] && size="${size}x24"
  if [[ $mode == run ]]; then
    (($#)) || usage
  else
    (($# == 0)) || usage
    [[ -n $envfile ]] || usage
    case $envfile in /*) ;; *) envfile="$PWD/$envfile" ;; esac
  fi

  # Packages (quiet when all are present).
  if ! pkg_out=$("$here/install-desktop-packages.sh" 2>&1); then
    printf '%s\n' "$pkg_out" | sed 's/^\(desktop: \)\{0,1\}/desktop: /' >&2
    log "cannot install the desktop packages"
    exit 1
  fi
  [[ $pkg_out == "desktop packages present" ]] || printf '%s\n' "$pkg_out" | sed 's/^/desktop: /' >&2

  # Leftovers of desktops whose main process and watchdog were both SIGKILLed
  # (e.g. a whole process tree killed at once): tear them down now.
  for old in "${TMPDIR:-/tmp}"/understudy-desktop.*; do
    [[ -r $old/main.pid ]] || continue
    old_main=$(<"$old/main.pid")
    alive "$old_main" && continue
    log "cleaning up after a killed desktop ($(basename "$old"))"
    teardown "$old"
  done

  workdir=$(mktemp -d "${TMPDIR:-/tmp}/understudy-desktop.XXXXXX")
  chmod 700 "$workdir"
  printf '%s' "$$" >"$workdir/main.pid"
  basename "$workdir" >"$workdir/id"
  [[ -n $envfile ]] && printf '%s' "$envfile" >"$workdir/env-file"
  mkdir -m 700 "$workdir/runtime"

  watchdog_pid=""
  inner_pid=""
  cleaned=0
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP

  setsid bash "$self" __watchdog "$$" "$workdir" </dev/null >/dev/null &
  watchdog_pid=$!
  disown "$watchdog_pid" # no "Killed" job report when we stop it

  # --- Xvfb on a free display ------------------------------------------------
  # Skip displays whose lock belongs to a live process, or whose socket answers
  # though there is no lock. A stale lock (dead pid) is taken over by Xvfb itself.
  # Xvfb takes the lock atomically before it touches the socket: if another
  # desktop grabs the same number between our check and Xvfb's lock, our Xvfb
  # exits with "Server is already active" and we try the next number.
  # (Not -displayfd: given a display number too, Xvfb then skips the lock check
  # and, losing a race, can clobber the other server's lock and socket files.)
  display=""
  xvfb_log="$workdir/xvfb.log"
  for ((n = 90; n < 190; n++)); do
    if [[ -e /tmp/.X$n-lock ]]; then
      owner=$(lock_owner "$n")
      [[ $owner =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null && continue
    elif [[ -e /tmp/.X11-unix/X$n ]]; then
      # A socket without a lock: left by a SIGKILLed server unless something answers.
      xdpyinfo -display ":$n" >/dev/null 2>&1 && continue
    fi
    setsid Xvfb ":$n" -screen 0 "$size" -nolisten tcp -noreset \
      </dev/null >"$xvfb_log" 2>&1 &
    xpid=$!
    printf '%s' "$xpid" >"$workdir/xvfb.pid"
    deadline=$(($(now) + 10000000))
    while :; do
      if [[ $(lock_owner "$n") == "$xpid" ]] && xdpyinfo -display ":$n" >/dev/null 2>&1; then
        display=":$n"
        break 2
      fi
      if ! alive "$xpid"; then
        wait "$xpid" 2>/dev/null || true
        rm -f "$workdir/xvfb.pid"
        if grep -qE 'already active|Cannot establish any listening sockets|Could not create server lock' "$xvfb_log"; then
          continue 2 # lost a race for :$n, try the next one
        fi
        log "Xvfb :$n failed to start"
        dump_log "$xvfb_log" Xvfb
        exit 1
      fi
      if (($(now) > deadline)); then
        log "Xvfb :$n did not become ready within 10 s"
        dump_log "$xvfb_log" Xvfb
        exit 1
      fi
      sleep 0.02
    done
  done
  [[ -n $display ]] || {
    log "no free X display number in :90..:189"
    exit 1
  }
  printf '%s' "$display" >"$workdir/display"
  export DISPLAY=$display

  # --- the inner session -------------------------------------------------------
  export DESKTOP_PID=$$
  export XDG_RUNTIME_DIR="$workdir/runtime"
  inner_log="$workdir/session.log"
  if [[ $mode == run ]]; then
    start_inner "$@"
  else
    start_inner </dev/null # our stdin is the lifeline; only we watch it
  fi
  printf '%s' "$inner_pid" >"$workdir/session.sid"
  # setsid only forks when the caller leads a process group (never for a
  # background job of a non-interactive shell); make sure the sid is right.
  sid=$(ps -o sid= -p "$inner_pid" 2>/dev/null | tr -d ' ' || true)
  if [[ -n $sid && $sid != "$inner_pid" ]]; then
    log "warning: inner session id is $sid, not $inner_pid"
  fi

  if [[ $mode == run ]]; then
    set +e
    wait "$inner_pid"
    rc=$?
    set -e
    inner_pid=""
    exit "$rc"
  fi

  # serve: stay up until stdin reaches EOF (or a signal arrives).
  while alive "$inner_pid"; do
    rc=0
    read -r -t 1 _ || rc=$?
    ((rc == 0 || rc > 128)) && continue # a line (ignored) or the 1 s timeout
    log "stdin closed, shutting down"
    exit 0
  done
  rc=0
  wait "$inner_pid" 2>/dev/null || rc=$?
  inner_pid=""
  log "desktop session ended unexpectedly (exit $rc)"
  dump_log "$inner_log" session
  exit 1
}

# Everything above only defines functions; this one compound command is parsed
# whole before it runs, so editing this file cannot disturb running desktops.
{
  case ${1:-} in
    __watchdog) watchdog_main "$@" ;;
    __inner) inner_main "$@" ;;
    *) main "$@" ;;
  esac
  exit
}
