#!/usr/bin/env bash
# System libraries the project needs from Debian/Ubuntu. Nothing is downloaded but Debian packages.
#   (no flag)  what `make report` needs: pango and HarfBuzz-Subset (WeasyPrint's PDF rendering), DejaVu fonts.
#   --test     also Chromium (the headless-browser test of the briefing), poppler-utils (pdftoppm) and
#              LibreOffice Calc (the tests convert fixtures to .xls/.ods and store cached formula values).
# Installs with apt-get when run as root (or with passwordless sudo); otherwise prints the command to run.
set -euo pipefail

need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
# HarfBuzz-Subset: WeasyPrint's font subsetter (without it fontTools stamps each PDF with the time: not reproducible)
have_lib 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core fontconfig)
if [[ "${1:-}" == "--test" ]]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
fi
[[ ${#need[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing system packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${need[*]}" >&2
  [[ "${1:-}" == "--test" ]] && { echo "(the tests that need them will be skipped, saying why)" >&2; exit 0; }
  exit 1
fi
echo "Installing system packages: ${need[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
