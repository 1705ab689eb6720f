#!/usr/bin/env bash
# The console reads in Chinese; its screenshots and browser tests need a CJK
# font, or Chromium draws every Han character as a box (Debian's Noto CJK).
set -euo pipefail
if fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then exit 0; fi
echo "ensure-cjk-fonts: installing Debian's fonts-noto-cjk"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends fonts-noto-cjk fontconfig >/dev/null
fc-cache -f >/dev/null 2>&1 || true
