#!/usr/bin/env bash
# A real GTK form (yad) to record against, opened on the current $DISPLAY:
#   window title "Understudy demo — expense form", WM_CLASS "understudy-demo", "UnderstudyDemo",
#   at 600x420+100+100; fields Description (entry), Amount (numeric spin entry),
#   Category (combo box Travel/Meals/Office), Notes (multi-line text, pre-filled
#   with 41 lines so it scrolls; override with DEMO_NOTES); buttons OK / Cancel.
#   Return in Description/Amount submits like OK; Escape exits 252 (yad).
# OK prints the values on stdout as yad does, "|"-separated, e.g.
#   Taxi to airport|42.50|Travel|line 1\nline 2|
# (newlines inside Notes come out as a literal backslash-n) and exits 0;
# Cancel or closing the window prints nothing and exits 1.
# Extra arguments are passed on to yad (e.g. --timeout=30).
#
# Usage (inside the virtual desktop): scripts/demo-form.sh [YAD OPTIONS...]
set -euo pipefail

if [[ -z ${DISPLAY:-} ]]; then
  echo "demo-form: DISPLAY is not set (run it inside scripts/desktop.sh)" >&2
  exit 2
fi

# Notes starts with 40 lines so that wheel events scroll it; DEMO_NOTES overrides
# the initial text (DEMO_NOTES= for an empty field). "\n" makes a line break.
if [[ -n ${DEMO_NOTES+set} ]]; then
  notes=$DEMO_NOTES
else
  notes="Receipts are in the shared folder."
  for i in $(seq 1 40); do
    notes+="\nNote line $i: something long enough to scroll through."
  done
fi

# GTK's own --class/--name options set WM_CLASS; yad does not list them in
# --help but gtk_init() handles them before yad parses its options.
exec yad --class=UnderstudyDemo --name=understudy-demo \
  --form \
  --title="Understudy demo — expense form" \
  --geometry=600x420+100+100 \
  --fixed \
  --text="Enter an expense" \
  --field="Description" "" \
  --field="Amount:NUM" "0!0..1000000!0.01!2" \
  --field="Category:CB" "Travel!Meals!Office" \
  --field="Notes:TXT" "$notes" \
  --button="OK:0" --button="Cancel:1" \
  "$@"
