#!/usr/bin/env bash
# Installs the Debian packages the virtual test desktop needs (Xvfb, openbox,
# xdotool, AT-SPI, D-Bus, yad/zenity, tesseract OCR for frame redaction, ffmpeg for
# frames of imported recordings, ...),
# but only those that are missing.
# Idempotent and fast (one dpkg-query) when everything is already present.
# Exit codes: 0 ok, 2 packages missing and no way to install them, other = apt failure.
set -euo pipefail

packages=(
  xvfb openbox xdotool x11-utils x11-xserver-utils
  libx11-6 libxtst6 libxi6 libxkbcommon0
  at-spi2-core libatk-adaptor libatk-bridge2.0-0
  dbus dbus-x11 yad zenity xauth chromium
  libtesseract5 tesseract-ocr-eng fonts-dejavu-core python3 ffmpeg
)

# One dpkg-query for all packages; unknown packages are reported on stderr (ignored).
# A package counts as present only when its status is "install ok installed".
declare -A present=()
while IFS=' ' read -r name status; do
  [[ "$status" == "installed" ]] && present["${name%%:*}"]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for p in "${packages[@]}"; do
  [[ -n "${present[$p]:-}" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "desktop packages present" >&2
  exit 0
fi

sudo_cmd=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "desktop: missing packages (run as root or install sudo): ${missing[*]}" >&2
    exit 2
  fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${sudo_cmd[@]}" apt-get update &&
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "desktop: apt-get failed installing: ${missing[*]}" >&2
  exit 1
fi
echo "installed: ${missing[*]}" >&2
