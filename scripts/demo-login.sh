#!/usr/bin/env bash
# A second real GTK form (yad) for the safeguards demo, opened on the current $DISPLAY:
#   window title "Understudy demo — sign in", WM_CLASS "understudy-demo-login", "UnderstudyDemo"
#   (the same class as demo-form.sh, so one allow rule covers both), at 420x170+760+120, right
#   of the expense form (600x420+100+100) and clear of it; fields Email (entry) and Password
#   (hidden entry: GTK shows dots and AT-SPI reports the role "password text"); buttons
#   Sign in / Cancel. Return in a field submits like Sign in; Escape exits 252 (yad).
# It prints nothing, whatever is entered: a password is never echoed. Exit status: 0 Sign in,
# 1 Cancel or closing the window, 252 Escape, 70 timeout (as yad).
# Extra arguments are passed on to yad (e.g. --timeout=30).
#
# Usage (inside the virtual desktop): scripts/demo-login.sh [YAD OPTIONS...]
set -euo pipefail

if [[ -z ${DISPLAY:-} ]]; then
  echo "demo-login: DISPLAY is not set (run it inside scripts/desktop.sh)" >&2
  exit 2
fi

# GTK's own --class/--name options set WM_CLASS (see demo-form.sh).
status=0
yad --class=UnderstudyDemo --name=understudy-demo-login \
  --form \
  --title="Understudy demo — sign in" \
  --geometry=420x170+760+120 \
  --fixed \
  --text="Sign in to the expense service" \
  --field="Email" "" \
  --field="Password:H" "" \
  --button="Sign in:0" --button="Cancel:1" \
  "$@" >/dev/null || status=$?
exit "$status"
